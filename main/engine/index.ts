import fs from 'node:fs';
import path from 'node:path';
import {
  channels,
  type ChannelInput,
  type ChannelName,
  type ChannelOutput,
  type ChannelParsed,
  type EngineChannelName,
  type EventName,
  type EventPayload,
} from '../../preload/contract';
import type { JobInfo } from '../../preload/contract/jobs';
import type { IndexFailure, LibraryStats } from '../../preload/contract/library';
import { readMeta } from './audio';
import { resolveConfig, type EngineConfig, type ResolvedConfig } from './config';
import { openDatabase, type Db } from './db/open';
import { FileQueries } from './db/queries/files';
import { FolderQueries, type FolderRow } from './db/queries/folders';
import { EmbedderSlot } from './embedder-slot';
import { CuebankError } from './errors';
import { JobManager } from './jobs/manager';
import { runIndexJob } from './library/index-job';
import { search } from './library/search';
import { VectorSpaces } from './library/spaces';
import { WaveformCache } from './library/waveform';
import { resolveMedia } from './library/media-access';
import { getUiState, setUiState } from './ui-state';
import { projectHandlers } from './projects/handlers';
import { tagWriteHandlers } from './tagging/write/handlers';
import type { StageTimings } from './models/types';
import { defaultGenerateServices } from './loop/default-services';
import { createGenerateFeature } from './loop/handlers';
import type { IterationTiming } from './loop/orchestrator';
import type { GenerateServices } from './loop/services';

export type { EngineConfig } from './config';

export interface EngineOptions {
  /**
   * Background work a long-running host wants: resume jobs a crash interrupted and embed files
   * indexed before a CLAP pack was added. The CLI runs one command and turns it off.
   */
  background?: boolean;
  /** Stage timings of index jobs accumulate here (benchmarks). */
  timings?: StageTimings;
  /** The loop's generator, critics, decomposer and retriever; default: the real ones. */
  generateServices?: GenerateServices;
  /** Receives each generate-loop iteration's timings (bench:loop). */
  onLoopTiming?: (t: IterationTiming) => void;
}

/** The engine's one public surface. Every host routes contract channels to `call`. */
export interface Engine {
  readonly config: ResolvedConfig;
  /** Validates the input against the channel's schema, then runs it. Throws CuebankError. */
  call<N extends EngineChannelName>(name: N, input: ChannelInput<N>): Promise<ChannelOutput<N>>;
  /** Subscribes to engine events; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Resolves when the job has ended. */
  waitForJob(jobId: string): Promise<JobInfo>;
  close(): Promise<void>;
}

type Handlers = { [N in EngineChannelName]: (input: ChannelParsed<N>) => Promise<ChannelOutput<N>> };

export async function createEngine(config: EngineConfig, options: EngineOptions = {}): Promise<Engine> {
  const cfg = resolveConfig(config);
  const db = openDatabase(cfg.dbPath);
  const spaces = new VectorSpaces(db);
  const folders = new FolderQueries(db);
  const jobs = new JobManager(db);
  const models = new EmbedderSlot(cfg.modelsDir, cfg.models);
  const interrupted = jobs.recoverInterrupted();
  const waveforms = new WaveformCache();
  const generate = createGenerateFeature({
    db,
    jobs,
    config: cfg,
    embedders: models,
    spaces,
    services: options.generateServices ?? defaultGenerateServices,
    onTiming: options.onLoopTiming,
  });

  const startIndex = (rows: FolderRow[], kind: 'index' | 'embed') =>
    jobs.start(kind, { folders: rows.map((r) => r.path) }, async (ctx) => {
      const embedder = await models.get();
      return runIndexJob(
        { db, spaces, embedder, settings: cfg.index, noEmbedderNote: models.noEmbedderNote, timings: options.timings },
        rows,
        ctx,
      );
    });

  /** Starts an embed job when a CLAP pack is present and some indexed files lack its vectors. */
  const embedMissing = async (): Promise<string | null> => {
    const embedder = await models.get();
    if (!embedder || new FileQueries(db).countUnembedded(embedder.space) === 0) return null;
    return startIndex(folders.rows(), 'embed').jobId;
  };

  const handlers: Handlers = {
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
        { db, spaces, embedder: await models.get(), settings: cfg.search, index: cfg.index, noEmbedderNote: models.noEmbedderNote },
        q,
      ),
    'jobs.list': async () => jobs.list(),
    'jobs.cancel': async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'models.status': async () => models.status(),
    'ui.getState': async () => getUiState(db),
    'ui.setState': async (state) => {
      setUiState(db, state);
      return {};
    },
    'models.rescan': async () => {
      await models.rescan();
      const embedJobId = await embedMissing();
      return { ...(await models.status()), embedJobId };
    },
    ...generate.handlers,
    ...projectHandlers(db, cfg, jobs),
    ...tagWriteHandlers(db),
  };

  if (options.background) {
    const resume = interrupted.filter((j) => j.kind === 'index' || j.kind === 'embed');
    if (resume.length) startIndex(folders.rows(), 'index');
    else void embedMissing().catch(() => undefined);
  }

  let closed = false;
  return {
    config: cfg,
    async call(name, input) {
      if (closed) throw new CuebankError('internal', 'The engine is closed');
      if (!(name in handlers)) throw new CuebankError('invalid_input', `Unknown channel: ${String(name)}`);
      const schema = channels[name].input;
      const parsed = schema.safeParse(input === undefined ? {} : input);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        throw new CuebankError('invalid_input', `Invalid ${name} request: ${where}${issue?.message ?? 'malformed'}`);
      }
      return (handlers[name] as (i: unknown) => Promise<ChannelOutput<typeof name>>)(parsed.data);
    },
    on(event, listener) {
      if (event === 'jobs.update') return jobs.on(listener as Parameters<JobManager['on']>[0]);
      return () => undefined;
    },
    waitForJob: (jobId) => jobs.wait(jobId),
    async close() {
      if (closed) return;
      closed = true;
      await jobs.shutdown();
      await generate.dispose();
      await models.dispose();
      db.close();
    },
  };
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
