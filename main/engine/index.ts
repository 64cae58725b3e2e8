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
import { resolveConfig, type EngineConfig, type ResolvedConfig } from './config';
import { openDatabase } from './db/open';
import { EmbedderSlot } from './embedder-slot';
import { invalidRequestMessage } from '../../preload/contract/validation';
import { CuebankError } from './errors';
import { JobManager } from './jobs/manager';
import { createLibraryFeature } from './library/handlers';
import { VectorSpaces } from './library/spaces';
import { createModelsHandlers } from './models/handlers';
import { MemorySecretStore, type SecretStore } from './models/manager/secrets';
import { applyStoredSettings, readStoredSettings } from './models/manager/settings-store';
import { getUiState, setUiState } from './ui-state';
import { projectHandlers } from './projects/handlers';
import { ucsHandlers } from './ucs/handlers';
import { tagWriteHandlers } from './tagging/write/handlers';
import { createTaggingFeature } from './tagging/handlers';
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
  /** Keeps the hub access token (the app: Electron safeStorage); default: in memory for this process. */
  secrets?: SecretStore;
  /** The index job's reader worker program; default the real one. Tests pass one that hangs, crashes or balloons on purpose. */
  readerWorker?: string;
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
  // What the Models screen chose (default packs, hub, language-model endpoint) is laid over the config.
  applyStoredSettings(cfg, readStoredSettings(db));
  const spaces = new VectorSpaces(db);
  const jobs = new JobManager(db);
  const models = new EmbedderSlot(cfg.modelsDir, cfg.models);
  const interrupted = jobs.recoverInterrupted();
  const library = createLibraryFeature({ db, spaces, jobs, config: cfg, embedders: models, timings: options.timings, readerWorker: options.readerWorker });
  const tagging = createTaggingFeature({ db, spaces, jobs, config: cfg, embedders: models });
  const generate = createGenerateFeature({
    db,
    jobs,
    config: cfg,
    embedders: models,
    spaces,
    services: options.generateServices ?? defaultGenerateServices,
    onTiming: options.onLoopTiming,
  });

  const handlers: Handlers = {
    ...library.handlers,
    'jobs.list': async () => jobs.list(),
    'jobs.cancel': async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'ui.getState': async () => getUiState(db),
    'ui.setState': async (state) => {
      setUiState(db, state);
      return {};
    },
    ...createModelsHandlers({
      db,
      jobs,
      config: cfg,
      embedders: models,
      secrets: options.secrets ?? new MemorySecretStore(),
      unloadGenerators: () => generate.dispose(),
      embedMissing: () => library.embedMissing(),
      embedOnArrival: !!options.background,
    }),
    ...generate.handlers,
    ...projectHandlers(db, cfg, jobs),
    ...ucsHandlers(),
    ...tagWriteHandlers(db),
    ...tagging.handlers,
  };

  if (options.background) {
    const resume = interrupted.filter((j) => j.kind === 'index' || j.kind === 'embed');
    if (resume.length) library.resumeIndex();
    else void library.embedMissing().catch(() => undefined);
    // A tag job a crash interrupted goes on (it skips the files it had already tagged).
    for (const j of interrupted.filter((i) => i.kind === 'tag')) void tagging.resume(j.params).catch(() => undefined);
  }

  let closed = false;
  return {
    config: cfg,
    async call(name, input) {
      if (closed) throw new CuebankError('internal', 'The engine is closed');
      // Own keys only: 'constructor' or '__proto__' are "in" every object.
      if (typeof name !== 'string' || !Object.hasOwn(handlers, name)) {
        throw new CuebankError('invalid_input', `Unknown channel: ${String(name).slice(0, 80)}`);
      }
      const schema = channels[name].input;
      const parsed = schema.safeParse(input === undefined ? {} : input);
      if (!parsed.success) throw new CuebankError('invalid_input', invalidRequestMessage(name, parsed.error));
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
