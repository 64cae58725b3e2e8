/**
 * The library's channels: folders, indexing, failures, stats, waveforms, metadata, media grants and
 * search. Index and embed jobs start here; the engine also asks this area to resume an interrupted
 * index and to embed files indexed before a CLAP pack was added.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChannelOutput, ChannelParsed } from '../../../preload/contract';
import type { JobRef } from '../../../preload/contract/jobs';
import type { IndexFailure, LibraryStats } from '../../../preload/contract/library';
import { readMeta } from '../audio';
import type { ResolvedConfig } from '../config';
import type { Db } from '../db/open';
import { FileQueries } from '../db/queries/files';
import { FolderQueries, type FolderRow } from '../db/queries/folders';
import { engineLog } from '../log';
import type { EmbedderSlot } from '../embedder-slot';
import { CuebankError } from '../errors';
import type { JobManager } from '../jobs/manager';
import type { StageTimings } from '../models/types';
import { runIndexJob } from './index-job';
import { resolveMedia } from './media-access';
import { search } from './search';
import type { VectorSpaces } from './spaces';
import { WaveformCache } from './waveform';

type LibraryChannel =
  | 'library.folders'
  | 'library.addFolders'
  | 'library.removeFolder'
  | 'library.index'
  | 'library.failures'
  | 'library.stats'
  | 'library.waveform'
  | 'library.meta'
  | 'media.resolve'
  | 'search.query';

export type LibraryHandlers = { [N in LibraryChannel]: (input: ChannelParsed<N>) => Promise<ChannelOutput<N>> };

export interface LibraryDeps {
  db: Db;
  spaces: VectorSpaces;
  jobs: JobManager;
  config: ResolvedConfig;
  embedders: EmbedderSlot;
  /** Stage timings of index jobs accumulate here (benchmarks). */
  timings?: StageTimings;
  /** The index job's reader worker program (EngineOptions.readerWorker). */
  readerWorker?: string;
}

export interface LibraryFeature {
  handlers: LibraryHandlers;
  /** Re-indexes every library folder (resuming a job a crash interrupted). */
  resumeIndex(): JobRef;
  /** Starts an embed job when a CLAP pack is present and some indexed files lack its vectors; its id or null. */
  embedMissing(): Promise<string | null>;
}

export function createLibraryFeature(deps: LibraryDeps): LibraryFeature {
  const { db, spaces, jobs, config: cfg, embedders } = deps;
  const folders = new FolderQueries(db);
  const waveforms = new WaveformCache();
  const log = engineLog(cfg.dataDir);

  const startIndex = (rows: FolderRow[], kind: 'index' | 'embed'): JobRef =>
    jobs.start(kind, { folders: rows.map((r) => r.path) }, async (ctx) => {
      const embedder = await embedders.get();
      return runIndexJob(
        { db, spaces, embedder, settings: cfg.index, noEmbedderNote: embedders.noEmbedderNote, timings: deps.timings, log, readerWorker: deps.readerWorker },
        rows,
        ctx,
      );
    });

  const embedMissing = async (): Promise<string | null> => {
    const embedder = await embedders.get();
    if (!embedder || new FileQueries(db).countUnembedded(embedder.space) === 0) return null;
    return startIndex(folders.rows(), 'embed').jobId;
  };

  const handlers: LibraryHandlers = {
    'library.folders': async () => folders.list(),
    'library.addFolders': async ({ paths }) => {
      folders.add(paths.map(requireFolder));
      return folders.list();
    },
    'library.removeFolder': async ({ path: p }) => removeFolder(db, spaces, folders, p),
    'library.index': async ({ folders: given }) => {
      const rows = given?.length ? folders.add(given.map(requireFolder)) : folders.rows();
      if (!rows.length) throw new CuebankError('invalid_input', 'No library folders yet: add a folder to index.');
      return startIndex(rows, 'index');
    },
    'library.failures': async () => failures(db),
    'library.stats': async () => stats(db),
    'library.waveform': async ({ path: p, points }) => waveforms.get(p, points),
    // The app's own files (generated takes, project audio) stream too; nothing else outside the library.
    'media.resolve': async ({ path: p }) => resolveMedia(db, p, [cfg.dataDir]),
    'library.meta': async ({ path: p }) => {
      if (!fs.existsSync(p)) throw new CuebankError('not_found', `File not found: ${p}`);
      return readMeta(p);
    },
    'search.query': async (q) =>
      search(
        { db, spaces, embedder: await embedders.get(), settings: cfg.search, index: cfg.index, noEmbedderNote: embedders.noEmbedderNote },
        q,
      ),
  };

  return { handlers, resumeIndex: () => startIndex(folders.rows(), 'index'), embedMissing };
}

function requireFolder(p: string): string {
  const abs = path.resolve(p);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new CuebankError('not_found', `Folder not found: ${p}`);
  }
  if (!st.isDirectory()) throw new CuebankError('invalid_input', `Not a folder: ${p}`);
  return abs;
}

function removeFolder(db: Db, spaces: VectorSpaces, folders: FolderQueries, p: string): { removedFiles: number } {
  const folder = folders.byPath(p);
  if (!folder) throw new CuebankError('not_found', `Not a library folder: ${p}`);
  const files = new FileQueries(db);
  const ids = (db.prepare(`SELECT id FROM files WHERE folder_id = ?`).all(folder.id) as { id: number }[]).map((r) => r.id);
  db.transaction(() => {
    for (const id of ids) {
      spaces.removeWindows(files.windowsBySpace(id));
      files.delete(id);
    }
    folders.delete(folder.id);
  })();
  return { removedFiles: ids.length };
}

function failures(db: Db): IndexFailure[] {
  return db.prepare(`SELECT path, error FROM files WHERE status = 'failed' ORDER BY path`).all() as IndexFailure[];
}

function stats(db: Db): LibraryStats {
  const row = db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM folders) AS folders,
              COUNT(*) AS files,
              COALESCE(SUM(status = 'failed'), 0) AS failed,
              COALESCE(SUM(embed_space IS NOT NULL AND status = 'ok'), 0) AS embedded,
              (SELECT COUNT(*) FROM windows) AS windows,
              COALESCE(SUM(CASE WHEN status = 'ok' THEN duration END), 0) AS totalSeconds
         FROM files`,
    )
    .get() as LibraryStats;
  return row;
}
