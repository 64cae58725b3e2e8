import type { IndexSummary } from '../../preload/contract/library';
import type { ModelsStatus } from '../../preload/contract/models';
import type { SearchResponse } from '../../preload/contract/search';
import type { FileMeta } from '../engine/audio/types';

const out = (text: string): void => void process.stdout.write(`${text}\n`);
const json = (value: unknown): void => out(JSON.stringify(value, null, 2));

export function printIndex(summary: IndexSummary, asJson: boolean): void {
  if (asJson) return json(summary);
  out(
    `scanned ${summary.scanned}: ${summary.added} added, ${summary.updated} updated, ${summary.unchanged} unchanged, ` +
      `${summary.moved} moved, ${summary.removed} removed, ${summary.embedded} embedded, ${summary.failed.length} failed`,
  );
  for (const f of summary.failed) out(`  failed: ${f.path}: ${f.error}`);
  if (summary.embeddingNote) out(summary.embeddingNote);
}

export function printSearch(response: SearchResponse, asJson: boolean): void {
  const results = response.results.map((r) => ({
    path: r.path,
    score: r.score,
    start: r.start,
    end: r.end,
    duration: r.duration,
    sampleRate: r.sampleRate,
    channels: r.channels,
  }));
  if (asJson) return json({ results, mode: response.mode, notes: response.notes });
  for (const n of response.notes) out(`note: ${n}`);
  results.forEach((r, i) =>
    out(`${String(i + 1).padStart(3)}. ${r.score.toFixed(3)}  ${r.path}  [${r.start.toFixed(1)}–${r.end.toFixed(1)} s of ${r.duration.toFixed(1)} s]`),
  );
  if (!results.length) out('no results');
}

export function printMeta(meta: FileMeta, asJson: boolean): void {
  if (asJson) return json(meta);
  const f = meta.format;
  out(`${f.container} ${f.codec} ${f.sampleRate} Hz ${f.channels} ch ${f.bitsPerSample ?? '-'} bit ${f.frames} frames (${f.duration.toFixed(3)} s)`);
  if (meta.bext) out(`bext: ${meta.bext.description} | ${meta.bext.originator} | time reference ${meta.bext.timeReference}`);
  for (const [k, v] of Object.entries(meta.info)) out(`${k}: ${v}`);
  if (meta.ixml) out(`iXML: ${Object.keys(meta.ixml).join(', ')}`);
  for (const w of meta.warnings) out(`warning: ${w}`);
}

export function printModels(status: ModelsStatus, asJson: boolean): void {
  if (asJson) return json(status);
  out(`models folder: ${status.modelsDir}`);
  for (const p of status.packs) out(`  ${p.id} (${p.role}, ${p.format})`);
  for (const p of status.problems) out(`  problem: ${p.dir}: ${p.error}`);
  out(status.embedder ? `embedder: ${status.embedder.space} on ${status.embedder.provider}` : (status.note ?? 'no embedder'));
}
