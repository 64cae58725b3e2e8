/**
 * `cuebank tag [<folder>...]` runs a tag job over indexed files (the whole library without
 * folders); `cuebank tags <file>` shows a file's tag, `tags accept <file>...` accepts suggestions and
 * `tags set <file>` edits a tag. Exit codes as `index`: 0 when the job finished (even with per-file
 * failures, which are listed), 1 on a fatal error, 2 on a usage mistake.
 */
import path from 'node:path';
import type { Engine } from '../engine';
import { CuebankError } from '../engine/errors';
import type { TagDetail, TaggedFile, TagPartial, TagSummary } from '../../preload/contract/tagging';

export interface TagCliContext {
  withEngine<T>(run: (engine: Engine) => Promise<T>): Promise<T>;
  usage(message: string): Error;
  json: boolean;
}

const out = (text: string) => void process.stdout.write(`${text}\n`);

export async function runTag(folders: string[], cli: TagCliContext): Promise<number> {
  return cli.withEngine(async (engine) => {
    const { jobId } = await engine.call('tagging.start', { folders: folders.length ? folders.map((f) => path.resolve(f)) : undefined });
    // Every tagged file comes as a partial update; the summary lists only the first thousand.
    const files: TaggedFile[] = [];
    const off = engine.on('jobs.update', (u) => {
      if (u.jobId !== jobId) return;
      if (u.type === 'partial' && (u.data as TagPartial).tagged) files.push((u.data as TagPartial).tagged!);
      if (u.type === 'progress' && !cli.json && process.stderr.isTTY) {
        const d = u.progress.detail as { done?: number; total?: number; etaSeconds?: number | null };
        const eta = typeof d.etaSeconds === 'number' ? `, about ${Math.ceil(d.etaSeconds)} s left` : '';
        process.stderr.write(`\r\x1b[K${u.progress.stage} ${d.done ?? 0}/${d.total ?? 0}${eta}`);
      }
    });
    const job = await engine.waitForJob(jobId);
    off();
    if (!cli.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (job.state === 'failed') throw new CuebankError('internal', job.error?.message ?? 'Tagging failed');
    if (job.state !== 'done') throw new CuebankError('cancelled', 'Tagging was cancelled; run it again to resume (tagged files are kept)');
    const summary = job.result as TagSummary;
    if (cli.json) {
      out(JSON.stringify({ tagged: summary.tagged, skipped: summary.skipped, failed: summary.failed, files }, null, 2));
      return 0;
    }
    for (const n of summary.notes) out(`note: ${n}`);
    for (const f of files) {
      const alt = f.alternatives.map((a) => `${a.catId} ${(a.confidence * 100).toFixed(0)}%`).join(', ');
      out(`${f.path}\n  ${f.catId}  "${f.caption}"  [${f.route}]  (${alt})${f.keywords.length ? `\n  keywords: ${f.keywords.join(', ')}` : ''}`);
    }
    out(`tagged ${summary.tagged}, skipped ${summary.skipped}, failed ${summary.failed.length}`);
    for (const f of summary.failed) out(`  failed: ${f.path}: ${f.error}`);
    return 0;
  });
}

export interface TagsArgs {
  caption?: string;
  catid?: string;
  keywords?: string;
}

export async function runTags(rest: string[], args: TagsArgs, cli: TagCliContext): Promise<number> {
  const [first, ...files] = rest;
  if (first === 'accept') {
    if (!files.length) throw cli.usage('tags accept needs at least one file');
    return cli.withEngine(async (engine) => {
      const r = await engine.call('tagging.accept', { paths: files.map((f) => path.resolve(f)) });
      if (cli.json) out(JSON.stringify(r));
      else out(`accepted ${r.accepted} of ${files.length}${r.accepted < files.length ? ' (the others had no suggestion to accept)' : ''}`);
      return 0;
    });
  }
  if (first === 'set') {
    if (files.length !== 1) throw cli.usage('tags set takes exactly one file');
    if (args.caption === undefined && args.catid === undefined && args.keywords === undefined) {
      throw cli.usage('tags set needs --caption, --catid and/or --keywords');
    }
    const keywords = args.keywords === undefined ? undefined : args.keywords.split(',').map((k) => k.trim()).filter(Boolean);
    return cli.withEngine(async (engine) => {
      const row = await engine.call('tagging.set', { path: path.resolve(files[0]), caption: args.caption, catId: args.catid, keywords });
      printTag({ ...row, history: [] }, cli.json);
      return 0;
    });
  }
  if (!first || files.length) throw cli.usage('tags takes exactly one file (or: tags accept <file>..., tags set <file>)');
  return cli.withEngine(async (engine) => {
    printTag(await engine.call('tagging.get', { path: path.resolve(first) }), cli.json);
    return 0;
  });
}

function printTag(t: TagDetail, asJson: boolean): void {
  if (asJson) return out(JSON.stringify(t, null, 2));
  out(t.path);
  if (!t.source) {
    out(`  no tag${t.description ? ` (described: "${t.description}")` : ''}`);
    return;
  }
  out(`  ${t.source}${t.stale ? ' (the audio changed since)' : ''}: ${t.catId ?? '-'} ${t.category ? `(${t.category} / ${t.subCategory})` : ''}`);
  if (t.caption) out(`  caption: ${t.caption}${t.route ? `  [${t.route}]` : ''}`);
  if (t.alternatives.length) out(`  top 3: ${t.alternatives.map((a) => `${a.catId} ${(a.confidence * 100).toFixed(1)}%`).join(', ')}`);
  if (t.keywords.length) out(`  keywords: ${t.keywords.join(', ')}`);
  for (const e of t.evidence) out(`  sounds like: ${e.path} "${e.caption}" (${e.score.toFixed(3)})`);
  for (const h of t.history) out(`  history: ${new Date(h.at).toISOString()} ${h.source} ${h.catId ?? '-'} ${h.caption ?? ''}`);
}
