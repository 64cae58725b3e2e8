/**
 * `cuebank generate`: runs one loop in-process, copies every take into --out (named by iteration
 * and candidate) and prints what each iteration found.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GenerateStart, GenerationDetail, Take } from '../../preload/contract/generate';
import type { Engine } from '../engine';
import { CuebankError } from '../engine/errors';
import { printGenerate, type GenerateReport } from './output';

export interface GenerateCliOptions {
  out: string;
  json: boolean;
  request: GenerateStart;
}

export async function runGenerate(engine: Engine, options: GenerateCliOptions): Promise<number> {
  const { jobId, generationId } = await engine.call('generate.start', options.request);
  const stopProgress = options.json ? () => undefined : showProgress(engine, jobId);
  const job = await engine.waitForJob(jobId);
  stopProgress();
  const detail = await engine.call('generate.get', { generationId });
  // The plan is not the one asked for (the language model failed): say so whatever the output format.
  if (detail.generation.plan.note) process.stderr.write(`Note: ${detail.generation.plan.note}\n`);
  // Whatever finished is copied out, even when the loop failed or was cancelled.
  const copies = copyTakes(detail, options.out);
  if (job.state === 'failed') throw new CuebankError('internal', job.error?.message ?? 'Generation failed');
  if (job.state !== 'done') throw new CuebankError('cancelled', `Generation was cancelled; ${copies.size} finished takes are in ${options.out}`);
  printGenerate(reportOf(detail, copies), options.json);
  return 0;
}

export function takeFileName(take: Take): string {
  return `iteration-${take.iteration}-candidate-${take.candidate + 1}.wav`;
}

function copyTakes(detail: GenerationDetail, outDir: string): Map<string, string> {
  fs.mkdirSync(outDir, { recursive: true });
  const copies = new Map<string, string>();
  for (const take of detail.takes) {
    const dest = path.resolve(outDir, takeFileName(take));
    fs.copyFileSync(take.path, dest);
    copies.set(take.id, dest);
  }
  return copies;
}

/**
 * One entry per iteration: the take best-of-N kept, its critique, the references found for it, and
 * what its regeneration changed (it starts from the best take so far, which need not be the last).
 */
function reportOf(detail: GenerationDetail, copies: Map<string, string>): GenerateReport {
  const chosen = detail.takes.filter((t) => t.chosen).sort((a, b) => a.iteration - b.iteration);
  const iterations = chosen.map((take) => ({
    iteration: take.iteration,
    take: copies.get(take.id)!,
    candidates: detail.takes.filter((t) => t.iteration === take.iteration && t.parentId === take.parentId).map((t) => ({ take: copies.get(t.id)!, score: t.score })),
    strategy: take.origin,
    events: (take.critique?.events ?? []).map((e) => ({ text: e.text, start: e.start, end: e.end, score: e.score, verdict: e.verdict })),
    score: take.score,
    references: detail.references
      .filter((r) => r.takeId === take.id)
      .map((r) => ({ event: r.eventText, path: r.path, score: r.score, start: r.start, end: r.end, accepted: r.state === 'accepted' })),
    change: take.change ? { kind: take.change.kind, detail: take.change.detail, from: copies.get(take.change.from) ?? null } : null,
  }));
  const best = detail.generation.bestTakeId ? (copies.get(detail.generation.bestTakeId) ?? null) : null;
  return { iterations, best, bestScore: detail.generation.bestScore, note: detail.generation.note ?? null };
}

/** Progress on stderr, only for a person watching a terminal. */
function showProgress(engine: Engine, jobId: string): () => void {
  if (!process.stderr.isTTY) return () => undefined;
  const off = engine.on('jobs.update', (u) => {
    if (u.jobId !== jobId || u.type !== 'progress') return;
    const text = String((u.progress.detail as { text?: string }).text ?? '');
    process.stderr.write(`\r\x1b[K${u.progress.stage}: ${text}`);
  });
  return () => {
    off();
    process.stderr.write('\r\x1b[K');
  };
}
