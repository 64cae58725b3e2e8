/**
 * Indexes folders under a named root into a catalog through the catalog interface (used for the
 * team library: `cuebank index --team`). Several indexers may run at once on the same root: each
 * batch of files is claimed first (catalog.claim), a claimed file is checked again against what
 * the catalog holds now (another indexer may have just done it), and a batch's files and windows
 * are written in one transaction, so a killed indexer loses at most its batch and a restarted one
 * resumes where the catalog stands. Files claimed elsewhere are retried once at the end.
 *
 * Reads audio with the library's own readers, windows and embedder (audio/, windows.ts) and
 * never writes to the library's files.
 */
import path from 'node:path';
import type { IndexFailure, IndexSummary } from '../../../preload/contract/library';
import { openMonoStream, readMeta, type FileMeta } from '../audio';
import type { IndexSettings } from '../config';
import { CuebankError, toErrorValue } from '../errors';
import type { Embedder } from '../models/types';
import { fingerprint } from '../library/fingerprint';
import { ftsDocument } from '../library/keywords';
import { scanFolders, type ScanEntry } from '../library/scan';
import { WindowPlanner } from '../library/windows';
import type { CatalogFile, CatalogFileInput, CatalogWindow, LibraryCatalog } from './types';

export interface CatalogIndexOptions {
  rootName: string;
  /** Where the root is on this machine; every folder must be inside it. */
  rootPath: string;
  folders: string[];
  embedder: Embedder | null;
  settings: IndexSettings;
  noEmbedderNote: string;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; current: string }) => void;
}

export interface CatalogIndexSummary extends IndexSummary {
  root: string;
  /** Files another indexer was working on when this one reached them (and still was at the end). */
  claimedElsewhere: number;
}

/** A relative path with '/' separators, or null when `p` is not inside `root`. */
export function relativeToRoot(root: string, p: string): string | null {
  const rel = path.relative(root, p);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

interface Item {
  entry: ScanEntry;
  rel: string;
  folder: string;
}

export async function indexIntoCatalog(catalog: LibraryCatalog, opts: CatalogIndexOptions): Promise<CatalogIndexSummary> {
  const { embedder, settings } = opts;
  const signal = opts.signal ?? new AbortController().signal;
  const rootPath = path.resolve(opts.rootPath);
  const folders = opts.folders.map((f) => path.resolve(f));
  for (const f of folders) {
    if (f !== rootPath && relativeToRoot(rootPath, f) === null) {
      throw new CuebankError('invalid_input', `${f} is not inside the root ${opts.rootName}=${rootPath}`);
    }
  }
  if (embedder) {
    // One library, one space: vectors of another CLAP pack would not be comparable with the rest.
    const other = (await catalog.spaces()).find((s) => s.name !== embedder.space && s.windows > 0);
    if (other) {
      throw new CuebankError(
        'invalid_input',
        `This library is embedded with ${other.name} (${other.windows} windows); this machine's CLAP pack is ${embedder.space}. Install the same pack, or index without --models.`,
      );
    }
  }
  const root = await catalog.addRoot(opts.rootName, rootPath);
  const failed: IndexFailure[] = [];
  const summary = { scanned: 0, added: 0, updated: 0, unchanged: 0, moved: 0, removed: 0, embedded: 0, claimedElsewhere: 0 };

  // 1. Scan. A folder that cannot be read keeps its files in the catalog (an unplugged drive is not a deletion).
  const found = new Map<string, Item>();
  const unreadable = new Set<string>();
  for (const folder of folders) {
    const scan = await scanFolders([folder], { followSymlinks: settings.followSymlinks, signal });
    for (const p of scan.problems) {
      if (p.path === folder) unreadable.add(folder);
      failed.push(p);
    }
    for (const entry of scan.files) {
      const rel = relativeToRoot(rootPath, entry.path);
      if (rel && !found.has(rel)) found.set(rel, { entry, rel, folder });
    }
  }
  summary.scanned = found.size;

  // 2. Compare with the catalog.
  const current = (f: CatalogFile | undefined, e: ScanEntry) =>
    !!f && f.status === 'ok' && f.size === e.size && f.mtimeMs === e.mtimeMs && (!embedder || f.embedSpace === embedder.space);
  const known = new Map((await catalog.filesOfRoot(root.id)).map((f) => [f.relPath, f]));
  const work: Item[] = [];
  for (const item of found.values()) {
    if (current(known.get(item.rel), item.entry)) summary.unchanged++;
    else work.push(item);
  }
  const scannedPrefixes = folders.filter((f) => !unreadable.has(f)).map((f) => relativeToRoot(rootPath, f));
  const gone = [...known.values()].filter(
    (f) => !found.has(f.relPath) && scannedPrefixes.some((p) => p === null || f.relPath.startsWith(`${p}/`)),
  );
  await catalog.removeFiles(gone.map((f) => f.id));
  summary.removed = gone.length;

  // 3. Claim, read, embed and write, one batch per transaction; then retry what others held.
  const total = work.length;
  let done = 0;
  const runBatches = async (items: Item[]): Promise<Item[]> => {
    const elsewhere: Item[] = [];
    for (let i = 0; i < items.length; i += settings.transactionFiles) {
      signal.throwIfAborted();
      const batch = items.slice(i, i + settings.transactionFiles);
      const claim = await catalog.claim(root.id, batch.map((b) => b.rel));
      try {
        const granted = new Set(claim.granted);
        const mine: Item[] = [];
        for (const item of batch) {
          if (!granted.has(item.rel)) elsewhere.push(item);
          else mine.push(item);
        }
        const fresh = await Promise.all(mine.map((m) => catalog.fileByPath(root.id, m.rel)));
        const todo = mine.filter((m, j) => {
          if (!current(fresh[j] ?? undefined, m.entry)) return true;
          summary.unchanged++;
          return false;
        });
        const written: { file: CatalogFileInput; windows: CatalogWindow[] }[] = [];
        for (const item of todo) {
          opts.onProgress?.({ done, total, current: item.entry.path });
          const w = await readItem(item);
          if (w.file.status === 'failed') failed.push({ path: item.entry.path, error: w.file.error ?? 'unreadable' });
          const before = fresh[mine.indexOf(item)];
          if (w.file.status === 'ok') {
            if (!before) summary.added++;
            else if (before.fingerprint !== w.file.fingerprint || before.status !== 'ok') summary.updated++;
            if (embedder) summary.embedded++;
          }
          written.push(w);
          done++;
        }
        await catalog.writeBatch(root.id, embedder?.space ?? null, embedder?.dim ?? 0, written);
      } finally {
        await claim.release();
      }
    }
    return elsewhere;
  };
  const leftOver = await runBatches(work);
  summary.claimedElsewhere = (await runBatches(leftOver)).length;
  opts.onProgress?.({ done, total, current: '' });

  return { ...summary, failed, embeddingNote: embedder ? null : opts.noEmbedderNote, root: root.name };

  async function readItem(item: Item): Promise<{ file: CatalogFileInput; windows: CatalogWindow[] }> {
    const base = { relPath: item.rel, size: item.entry.size, mtimeMs: item.entry.mtimeMs };
    let print = '';
    try {
      print = await fingerprint(item.entry.realPath, item.entry.size);
      const { meta, windows } = await readAudio(item.entry.realPath);
      const f = meta.format;
      return {
        file: {
          ...base,
          fingerprint: print,
          status: 'ok',
          error: null,
          codec: f.codec,
          sampleRate: f.sampleRate,
          channels: f.channels,
          bitsPerSample: f.bitsPerSample,
          frames: f.frames,
          duration: f.duration,
          metaJson: JSON.stringify(meta),
          words: ftsDocument(item.entry.path, rootPath, meta),
        },
        windows,
      };
    } catch (err) {
      if (signal.aborted) throw err;
      const e = toErrorValue(err);
      if (e.code === 'model_error') throw err;
      const none = { codec: null, sampleRate: null, channels: null, bitsPerSample: null, frames: null, duration: null, metaJson: null, words: null };
      return { file: { ...base, fingerprint: print, status: 'failed', error: e.message, ...none }, windows: [] };
    }
  }

  async function readAudio(file: string): Promise<{ meta: FileMeta; windows: CatalogWindow[] }> {
    if (!embedder) {
      const meta = await readMeta(file);
      if (meta.format.frames <= 0) throw new CuebankError('corrupt_file', 'No audio samples in the file');
      return { meta, windows: [] };
    }
    const { meta, blocks } = await openMonoStream(file, { targetRate: embedder.sampleRate, passbandHz: embedder.maxFrequency, signal });
    if (meta.format.frames <= 0) throw new CuebankError('corrupt_file', 'No audio samples in the file');
    const planner = new WindowPlanner(embedder.sampleRate, embedder.windowSeconds, settings.hopSeconds);
    // Embedded as they are cut: a long file never holds more than one model batch of audio.
    const pending: { start: number; end: number; samples: Float32Array }[] = [];
    const windows: CatalogWindow[] = [];
    const embed = async () => {
      const part = pending.splice(0, pending.length);
      if (!part.length) return;
      const vectors = await embedder.embedAudio(part.map((w) => w.samples));
      part.forEach((w, j) => windows.push({ start: w.start, end: w.end, vector: vectors[j] }));
    };
    for await (const block of blocks) {
      pending.push(...planner.push(block));
      if (pending.length >= settings.embedBatchWindows) await embed();
    }
    pending.push(...planner.finish());
    await embed();
    if (!windows.length) throw new CuebankError('corrupt_file', 'No audio samples in the file');
    return { meta, windows };
  }
}
