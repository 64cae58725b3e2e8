import path from 'node:path';
import type { IndexFailure, IndexPartial, IndexSummary } from '../../../preload/contract/library';
import type { FileMeta } from '../audio';
import type { IndexSettings } from '../config';
import type { Db } from '../db/open';
import { FileQueries, type FileRecord, type FileRow } from '../db/queries/files';
import type { FolderRow } from '../db/queries/folders';
import { CuebankError, toErrorValue } from '../errors';
import type { JobContext } from '../jobs/manager';
import type { Embedder, StageTimings } from '../models/types';
import { FileReader, ReadFailure, ReaderUnavailable } from './file-reader';
import { fingerprint } from './fingerprint';
import { ftsDocument } from './keywords';
import { damagedSentence, describeThrown, formatLabel, NOT_FINITE_SENTENCE } from './read-failure';
import type { EmbedSpec } from './read-protocol';
import { scanFolders, type ScanEntry } from './scan';
import type { VectorSpaces } from './spaces';
import type { VectorStore } from './vector-types';
import type { AudioWindow } from './windows';

export interface IndexDeps {
  db: Db;
  spaces: VectorSpaces;
  /** Null when no CLAP pack is present: files get format, metadata and keywords only. */
  embedder: Embedder | null;
  settings: IndexSettings;
  /** Shown in the summary when there is no embedder. */
  noEmbedderNote: string;
  /** Accumulates time per stage (decode, resample, features, model, database) for benchmarks. */
  timings?: StageTimings;
  /** Where internal messages behind a file's failure go (the reason itself is a sentence for users). */
  log?: (line: string) => void;
  /** The reader worker's program; default the real one (tests substitute one that misbehaves). */
  readerWorker?: string;
}

/** One file the job has to read: new, changed, a retry of a failure, or only missing its embeddings. */
interface Work {
  entry: ScanEntry;
  folder: FolderRow;
  row: FileRow | undefined;
  /** 'embed': the stored metadata is current, only the vectors of this space are missing. */
  kind: 'new' | 'changed' | 'embed';
  fingerprint: string | null;
  meta: FileMeta | null;
  windows: { start: number; end: number }[];
  vectors: Float32Array[];
  error: string | null;
}

interface QueuedWindow {
  work: Work;
  index: number;
  samples: Float32Array;
}

const now = () => performance.now();

/**
 * Brings the index of the given folders up to date with the disk: new, modified, moved and deleted
 * files; failures recorded per file while the rest indexes. Work is committed every
 * `transactionFiles` files, and a file counts as done only once its row, keywords, windows and
 * vectors are committed together, so a run killed at any point resumes where it stopped with no
 * duplicates. Library files are only ever read.
 */
export async function runIndexJob(deps: IndexDeps, folders: FolderRow[], ctx: JobContext): Promise<IndexSummary> {
  const { db, embedder, settings } = deps;
  const timings = deps.timings ?? {};
  const files = new FileQueries(db);
  const store: VectorStore | null = embedder ? deps.spaces.open(embedder.space, embedder.dim) : null;
  const failures: IndexFailure[] = [];
  /** Records a failure and tells watchers at once (the summary lists them all at the end). */
  const failed = {
    push(f: IndexFailure) {
      failures.push(f);
      ctx.partial({ failure: f } satisfies IndexPartial);
    },
    get length() {
      return failures.length;
    },
  };
  const summary = { scanned: 0, added: 0, updated: 0, unchanged: 0, moved: 0, removed: 0, embedded: 0 };

  // 1. Scan. A root that cannot be read keeps its files in the index (an unplugged drive is not a deletion).
  ctx.progress({ fraction: null, stage: 'scan', detail: { found: 0 } });
  const found = new Map<string, { entry: ScanEntry; folder: FolderRow }>();
  const unreadableRoots = new Set<number>();
  for (const folder of folders) {
    const scan = await scanFolders([folder.path], {
      followSymlinks: settings.followSymlinks,
      signal: ctx.signal,
      onFound: (n) => ctx.progress({ fraction: null, stage: 'scan', detail: { found: found.size + n } }),
    });
    for (const p of scan.problems) {
      if (p.path === folder.path) unreadableRoots.add(folder.id);
      failed.push(p);
    }
    for (const entry of scan.files) if (!found.has(entry.realPath)) found.set(entry.realPath, { entry, folder });
  }
  summary.scanned = found.size;

  // 2. Compare with the database.
  const existing = files.inFolders(folders.map((f) => f.id));
  const byReal = new Map(existing.map((r) => [r.real_path, r]));
  const work: Work[] = [];
  const fresh: { entry: ScanEntry; folder: FolderRow }[] = [];
  const metaOnlyMoves: { row: FileRow; entry: ScanEntry; folder: FolderRow }[] = [];
  for (const item of found.values()) {
    const row = byReal.get(item.entry.realPath);
    if (!row) {
      fresh.push(item);
      continue;
    }
    byReal.delete(item.entry.realPath);
    const same = row.status === 'ok' && row.size === item.entry.size && row.mtime_ms === item.entry.mtimeMs;
    if (!same) work.push(newWork(item, row, 'changed'));
    else if (embedder && row.embed_space !== embedder.space) work.push(newWork(item, row, 'embed'));
    else summary.unchanged++;
    if (same && (row.path !== item.entry.path || row.folder_id !== item.folder.id)) metaOnlyMoves.push({ row, ...item });
  }
  // Rows not seen on disk: moved (same content found under a new name) or removed.
  const missing = [...byReal.values()].filter((r) => !unreadableRoots.has(r.folder_id));
  const missingByPrint = new Map<string, FileRow[]>();
  for (const r of missing) missingByPrint.set(r.fingerprint, [...(missingByPrint.get(r.fingerprint) ?? []), r]);
  for (const item of fresh) {
    ctx.signal.throwIfAborted();
    let print: string;
    try {
      print = await fingerprint(item.entry.realPath, item.entry.size);
    } catch (err) {
      const { reason, internal } = describeThrown(item.entry.path, null, err);
      if (internal) deps.log?.(`index: ${item.entry.path}: ${internal}`);
      failed.push({ path: item.entry.path, error: reason });
      continue;
    }
    const candidates = missingByPrint.get(print);
    const movedFrom = candidates?.find((r) => r.size === item.entry.size && r.status === 'ok');
    if (movedFrom) {
      candidates!.splice(candidates!.indexOf(movedFrom), 1);
      metaOnlyMoves.push({ row: movedFrom, ...item });
      summary.moved++;
      if (embedder && movedFrom.embed_space !== embedder.space) work.push(newWork(item, { ...movedFrom, path: item.entry.path }, 'embed'));
    } else {
      work.push({ ...newWork(item, undefined, 'new'), fingerprint: print });
    }
  }
  const removed = [...missingByPrint.values()].flat();

  const t0 = now();
  db.transaction(() => {
    for (const r of removed) {
      deps.spaces.removeWindows(files.windowsBySpace(r.id));
      files.delete(r.id);
    }
    // Renames can form chains (a→b while b→c); park every moved row first so no path is ever taken twice.
    for (const m of metaOnlyMoves) files.park(m.row.id);
    for (const m of metaOnlyMoves) files.move(m.row.id, moveTarget(m.entry, m.folder));
  })();
  timings.database = (timings.database ?? 0) + now() - t0;
  summary.removed = removed.length;

  // 3. Read, embed and write, in order, committing every `transactionFiles` files.
  const total = work.length;
  let done = 0;
  const started = Date.now();
  const queue: QueuedWindow[] = [];
  let ready: Work[] = [];

  const report = (current: string) => {
    const elapsed = (Date.now() - started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : null;
    ctx.progress({
      fraction: total ? done / total : 1,
      stage: 'index',
      detail: { done, total, currentFile: current, failed: failed.length, etaSeconds: eta },
    });
  };

  const embedQueued = async () => {
    if (!queue.length || !embedder) return;
    const batch = queue.splice(0, queue.length);
    const vectors = await embedder.embedAudio(
      batch.map((q) => q.samples),
      timings,
    );
    batch.forEach((q, i) => {
      // A vector with NaN or Infinity would score nothing in every search yet count as indexed.
      if (!allFinite(vectors[i])) q.work.error ??= NOT_FINITE_SENTENCE;
      q.work.vectors[q.index] = vectors[i];
    });
  };

  const commit = async () => {
    await embedQueued();
    if (!ready.length) return;
    const batch = ready;
    ready = [];
    const t = now();
    db.transaction(() => {
      for (const w of batch) writeWork(w);
    })();
    timings.database = (timings.database ?? 0) + now() - t;
    for (const w of batch) {
      if (w.error) failed.push({ path: w.entry.path, error: w.error });
      else if (w.kind === 'new') summary.added++;
      else if (w.kind === 'changed') summary.updated++;
      if (!w.error && embedder) summary.embedded++;
    }
  };

  const writeWork = (w: Work) => {
    const record = toRecord(w);
    let id = w.row?.id;
    if (w.kind !== 'embed' || w.error) {
      if (id === undefined) id = files.insert(record);
      else files.update(id, record);
    }
    if (id === undefined) return;
    if (w.error) {
      deps.spaces.removeWindows(files.windowsBySpace(id));
      files.deleteWindows(id);
      files.setFts(id, null);
      return;
    }
    if (w.kind !== 'embed') files.setFts(id, ftsDocument(w.entry.path, w.folder.path, w.meta));
    if (!embedder || !store) return;
    // Content changed: every space's windows are stale. Embed only: replace this space's windows.
    const stale = files.windowsBySpace(id);
    if (w.kind === 'embed') for (const space of [...stale.keys()]) if (space !== embedder.space) stale.delete(space);
    deps.spaces.removeWindows(stale);
    files.deleteWindows(id, w.kind === 'embed' ? embedder.space : undefined);
    const items = w.windows.map((win, i) => ({
      id: files.insertWindow(id!, embedder.space, win.start, win.end),
      vector: w.vectors[i],
    }));
    store.upsert(items);
    files.setEmbedSpace(id, embedder.space);
  };

  // Files are read in a worker under a budget of time and memory (file-reader.ts): one that hangs,
  // recurses too deep or grows without end fails alone and the job goes on.
  const reader = new FileReader(
    { seconds: settings.fileTimeoutSeconds, secondsPerMb: settings.fileSecondsPerMb, memoryMb: settings.fileMemoryMb },
    2 * Math.max(1, settings.embedBatchWindows),
    deps.readerWorker,
  );
  try {
    for (const w of work) {
      ctx.signal.throwIfAborted();
      report(w.entry.path);
      try {
        await readWork(w);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        if (toErrorValue(err).code === 'model_error' || err instanceof ReaderUnavailable) throw err;
        const { reason, internal } = err instanceof ReadFailure ? { reason: err.message, internal: err.internal } : describeThrown(w.entry.path, w.meta, err);
        if (internal) deps.log?.(`index: ${w.entry.path}: ${internal}`);
        w.error = reason;
        for (let i = queue.length - 1; i >= 0; i--) if (queue[i].work === w) queue.splice(i, 1);
      }
      ready.push(w);
      done++;
      if (queue.length >= settings.embedBatchWindows) await embedQueued();
      if (ready.length >= settings.transactionFiles) await commit();
    }
    await commit();
  } finally {
    await reader.close();
  }
  report('');

  return {
    ...summary,
    failed: failures,
    embeddingNote: embedder ? null : deps.noEmbedderNote,
  };

  async function readWork(w: Work): Promise<void> {
    w.fingerprint ??= await fingerprint(w.entry.realPath, w.entry.size);
    const spec: EmbedSpec | null = embedder
      ? { targetRate: embedder.sampleRate, passbandHz: embedder.maxFrequency, windowSeconds: embedder.windowSeconds, hopSeconds: settings.hopSeconds }
      : null;
    const enqueue = (win: AudioWindow) => {
      queue.push({ work: w, index: w.windows.length, samples: win.samples });
      w.windows.push({ start: win.start, end: win.end });
    };
    // The file is judged once the worker is done with it: stopping a read early costs a new worker.
    for await (const event of reader.read(w.entry.realPath, w.entry.size, spec, { timings, signal: ctx.signal })) {
      if (event.type === 'meta') w.meta = event.meta;
      else {
        for (const win of event.windows) enqueue(win);
        if (queue.length >= settings.embedBatchWindows) await embedQueued();
      }
    }
    // The reader always sends the metadata first; without it the read was not what it seemed.
    if (!w.meta) throw new CuebankError('corrupt_file', damagedSentence(formatLabel(w.entry.path, null)));
    checkMeta(w.meta);
    if (embedder && !w.windows.length) throw new CuebankError('corrupt_file', 'No audio samples in the file');
  }
}

function checkMeta(meta: FileMeta): void {
  const f = meta.format;
  // Stored as the file's columns: a non-finite number there would be a measure nobody can trust.
  if (![f.sampleRate, f.channels, f.frames, f.duration].every(Number.isFinite)) {
    throw new CuebankError('corrupt_file', 'Cuebank could not read this file: its header gives a length or sample rate that is not a number.');
  }
  if (f.frames <= 0) throw new CuebankError('corrupt_file', 'No audio samples in the file');
}

function allFinite(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return v.length > 0;
}

function newWork(item: { entry: ScanEntry; folder: FolderRow }, row: FileRow | undefined, kind: Work['kind']): Work {
  const print = kind === 'embed' && row ? row.fingerprint : null;
  return { entry: item.entry, folder: item.folder, row, kind, fingerprint: print, meta: null, windows: [], vectors: [], error: null };
}

function moveTarget(entry: ScanEntry, folder: FolderRow) {
  return {
    folderId: folder.id,
    path: entry.path,
    realPath: entry.realPath,
    name: path.basename(entry.path),
    ext: path.extname(entry.path).slice(1).toLowerCase(),
    mtimeMs: entry.mtimeMs,
  };
}

function toRecord(w: Work): FileRecord {
  const f = w.meta?.format;
  const ok = !w.error;
  return {
    ...moveTarget(w.entry, w.folder),
    size: w.entry.size,
    fingerprint: w.fingerprint ?? '',
    status: ok ? 'ok' : 'failed',
    error: w.error,
    codec: f?.codec ?? null,
    sampleRate: f?.sampleRate ?? null,
    channels: f?.channels ?? null,
    bitsPerSample: f?.bitsPerSample ?? null,
    frames: f?.frames ?? null,
    duration: f?.duration ?? null,
    metaJson: w.meta ? JSON.stringify(w.meta) : null,
    embedSpace: null,
  };
}
