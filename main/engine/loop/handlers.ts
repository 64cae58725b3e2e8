/**
 * The generate.* channels: the engine's side of the loop. The generator, the critic's model and
 * the retriever load lazily on first use; every loop runs as a 'generate' job.
 */
import { randomInt } from 'node:crypto';
import type { ChannelOutput, ChannelParsed } from '../../../preload/contract';
import type { GeneratePacks, GenerateSettings, GenerateStart, Take } from '../../../preload/contract/generate';
import { decodeFile } from '../audio';
import type { DecodedAudio } from '../audio/types';
import type { ResolvedConfig } from '../config';
import type { Db } from '../db/open';
import type { EmbedderSlot } from '../embedder-slot';
import { CuebankError, toErrorValue } from '../errors';
import type { JobManager } from '../jobs/manager';
import type { SearchDeps } from '../library/search';
import type { VectorSpaces } from '../library/spaces';
import type { Generator } from '../models/generator/types';
import { probeCriticUrl } from './critic-probe';
import { decomposerChoice } from './decompose';
import { GeneratorSlot } from './generator-slot';
import { acceptDefaults, rankPerEvent, runLoop, type IterationTiming, type RetrieveFn } from './orchestrator';
import { loadReferenceSound } from './reference-sound';
import type { GenerateServices } from './services';
import { LoopStore } from './store';
import { defaultStrategy, strategyFor, supportedStrategies } from './strategies';
import type { Critic, EventPlan } from './types';

type GenerateChannel =
  | 'generate.start'
  | 'generate.list'
  | 'generate.get'
  | 'generate.setReference'
  | 'generate.retrieve'
  | 'generate.regenerate'
  | 'generate.delete'
  | 'generate.packs';

export type GenerateHandlers = { [N in GenerateChannel]: (input: ChannelParsed<N>) => Promise<ChannelOutput<N>> };

export interface GenerateDeps {
  db: Db;
  jobs: JobManager;
  config: ResolvedConfig;
  embedders: EmbedderSlot;
  spaces: VectorSpaces;
  services: GenerateServices;
  /** Receives each loop iteration's timings (bench:loop). */
  onTiming?: (t: IterationTiming) => void;
}

export interface GenerateFeature {
  handlers: GenerateHandlers;
  store: LoopStore;
  dispose(): Promise<void>;
}

const MAX_SEED = 2 ** 31 - 1;

/**
 * Builds the generate handlers. Loops a crashed process left running are marked interrupted (their
 * finished takes stay), takes whose file did not survive are dropped, and half-written or never
 * committed take files are swept, before any new loop can start.
 */
export function createGenerateFeature(deps: GenerateDeps): GenerateFeature {
  const { config, jobs, embedders, services } = deps;
  const store = new LoopStore(deps.db, config.dataDir);
  store.markInterrupted();
  store.verifyTakes();
  store.sweepOrphans();
  const generators = new GeneratorSlot(config.modelsDir, config.models, services.findGenerators, services.loadGenerator);
  const serviceContext = { config, db: deps.db, spaces: deps.spaces };

  const searchDeps = async (): Promise<SearchDeps> => ({
    db: deps.db,
    spaces: deps.spaces,
    embedder: await embedders.get(),
    settings: config.search,
    index: config.index,
    noEmbedderNote: embedders.noEmbedderNote,
  });

  // Critics are kept across loops: the CLAP critic embeds its calibration sounds once per embedder.
  const clapCritics = new WeakMap<object, Critic>();
  const lalmCritics = new Map<string, Critic>();
  const criticFor = async (s: Pick<GenerateSettings, 'critic' | 'criticUrl'>): Promise<Critic> => {
    if (s.critic === 'lalm') {
      if (!s.criticUrl) throw new CuebankError('invalid_input', 'The LALM critic needs the URL of an OpenAI-compatible endpoint with audio input (criticUrl, --critic-url)');
      let critic = lalmCritics.get(s.criticUrl);
      if (!critic) lalmCritics.set(s.criticUrl, (critic = services.lalmCritic(s.criticUrl, serviceContext)));
      return critic;
    }
    const embedder = await embedders.get();
    if (!embedder) throw new CuebankError('no_model', `The CLAP critic needs a CLAP model pack. ${embedders.noEmbedderNote}`);
    let critic = clapCritics.get(embedder);
    if (!critic) clapCritics.set(embedder, (critic = services.clapCritic(embedder, serviceContext)));
    return critic;
  };

  const retriever = async (): Promise<RetrieveFn> => services.retriever(await searchDeps(), serviceContext);

  const generatorFor = async (packId: string | null | undefined): Promise<Generator> => generators.get(await generators.pack(packId));

  const decodeTake = async (take: Take): Promise<DecodedAudio> => {
    try {
      return (await decodeFile(take.path)).audio;
    } catch (err) {
      throw new CuebankError('not_found', `The audio of take ${take.id} cannot be read (${take.path}): ${(err as Error).message}`);
    }
  };

  /**
   * Runs the loop as a job with the generator and critic its request was checked with (finding
   * packs again reads the models folder); the generation's state follows the job's end.
   */
  const startLoop = (
    generationId: string,
    plan: EventPlan,
    settings: GenerateSettings,
    iterations: number,
    { generator, critic }: { generator: Generator; critic: Critic },
    from?: Take,
  ) =>
    jobs.start('generate', { generationId, prompt: plan.prompt, fromTakeId: from?.id ?? null }, async (ctx) => {
      store.setState(generationId, 'running');
      try {
        const loopDeps = {
          store,
          generator,
          critic,
          retrieve: await retriever(),
          loadSound: loadReferenceSound,
          onTiming: deps.onTiming,
        };
        const start = from ? { take: from, audio: await decodeTake(from) } : undefined;
        const result = await runLoop(loopDeps, { generationId, plan, settings, iterations, from: start }, ctx);
        store.setState(generationId, 'done');
        return result;
      } catch (err) {
        const e = toErrorValue(err);
        const cancelled = ctx.signal.aborted || e.code === 'cancelled';
        store.setState(generationId, cancelled ? 'cancelled' : 'failed', cancelled ? null : e.message);
        throw err;
      }
    });

  const resolveSettings = (req: GenerateStart, packId: string, generator: Generator): GenerateSettings => {
    const d = config.generate;
    const caps = generator.capabilities;
    const settings: GenerateSettings = {
      packId,
      duration: Math.min(req.duration ?? d.duration, caps.maxSeconds),
      iterations: req.iterations ?? d.iterations,
      candidates: req.candidates ?? d.candidates,
      strategy: req.strategy ?? d.strategy ?? defaultStrategy(caps),
      critic: req.critic ?? d.critic,
      criticUrl: req.criticUrl ?? config.critic.lalm.url,
      seed: req.seed ?? d.seed ?? randomInt(MAX_SEED),
      steps: req.steps ?? d.steps,
      cfg: req.cfg ?? d.cfg,
      referenceStrength: req.referenceStrength ?? d.referenceStrength,
      initStrength: req.initStrength ?? d.initStrength,
      layerLevelDb: req.layerLevelDb ?? d.layerLevelDb,
      layerSource: req.layerSource ?? d.layerSource,
      referencesPerEvent: req.referencesPerEvent ?? d.referencesPerEvent,
    };
    strategyFor(settings.strategy, caps, settings, generator.id);
    return settings;
  };

  const handlers: GenerateHandlers = {
    'generate.start': async (req) => {
      // Everything that can be wrong is found now, as one clear error, before a generation exists.
      const pack = await generators.pack(req.packId);
      const generator = await generators.get(pack);
      const settings = resolveSettings(req, pack.id, generator);
      const critic = await criticFor(settings);
      if (settings.critic === 'lalm') await probeCriticUrl(settings.criticUrl!);
      const plan = await services.decomposer(decomposerChoice(config, req)).decompose(req.prompt, { duration: settings.duration });
      if (!plan.events.length) throw new CuebankError('invalid_input', `No sound event found in "${req.prompt}"`);
      const generationId = store.createGeneration(req.prompt, settings, plan);
      const { jobId } = startLoop(generationId, plan, settings, settings.iterations, { generator, critic });
      return { jobId, generationId };
    },
    'generate.list': async () => store.list(),
    'generate.get': async ({ generationId }) => store.detail(generationId),
    'generate.setReference': async ({ referenceId, state }) => store.setReferenceState(referenceId, state),
    'generate.retrieve': async ({ takeId }) => {
      const take = store.requireTake(takeId);
      const g = store.requireGeneration(take.generationId);
      const flagged = (take.critique?.events ?? []).filter((e) => e.verdict !== 'present');
      const stored = store.referencesOfTake(takeId);
      const missing = flagged.filter((e) => !stored.some((r) => r.eventId === e.eventId));
      if (missing.length) {
        const retrieve = await retriever();
        const found = await retrieve(missing, {
          plan: g.plan,
          take: await decodeTake(take),
          perEvent: g.settings.referencesPerEvent,
          signal: new AbortController().signal,
        });
        store.addReferences(g.id, takeId, take.iteration, rankPerEvent(found, g.settings.referencesPerEvent));
      }
      return acceptDefaults(store, takeId, flagged.map((e) => e.eventId));
    },
    'generate.regenerate': async (req) => {
      const take = store.requireTake(req.takeId);
      if (!take.critique) throw new CuebankError('invalid_input', `Take ${take.id} has no critique to regenerate from`);
      const g = store.requireGeneration(take.generationId);
      const generator = await generatorFor(g.settings.packId);
      const settings: GenerateSettings = {
        ...g.settings,
        strategy: req.strategy ?? g.settings.strategy,
        candidates: req.candidates ?? g.settings.candidates,
        // A branch gets new seeds unless asked: the same take regenerated twice should differ.
        seed: req.seed ?? randomInt(MAX_SEED),
        referenceStrength: req.referenceStrength ?? g.settings.referenceStrength,
        initStrength: req.initStrength ?? g.settings.initStrength,
        layerLevelDb: req.layerLevelDb ?? g.settings.layerLevelDb,
        layerSource: req.layerSource ?? g.settings.layerSource,
      };
      strategyFor(settings.strategy, generator.capabilities, settings, generator.id);
      const critic = await criticFor(settings);
      return startLoop(g.id, g.plan, settings, 1 + (req.moreIterations ?? 0), { generator, critic }, take);
    },
    'generate.delete': async ({ generationId }) => {
      const running = jobs
        .list()
        .some((j) => j.kind === 'generate' && (j.state === 'running' || j.state === 'queued') && (j.params as { generationId?: string })?.generationId === generationId);
      if (running) throw new CuebankError('invalid_input', 'This generation is still running: cancel it first');
      return { removedTakes: store.deleteGeneration(generationId) };
    },
    'generate.packs': async () => packsStatus(),
  };

  async function packsStatus(): Promise<GeneratePacks> {
    const { packs } = await generators.packs();
    const d = config.generate;
    const generatorsOut: GeneratePacks['generators'] = [];
    for (const pack of packs) {
      try {
        const caps = (await generators.get(pack)).capabilities;
        const probe = { ...d, packId: pack.id, seed: 0, strategy: defaultStrategy(caps), criticUrl: null };
        generatorsOut.push({
          id: pack.id,
          name: pack.name,
          dir: pack.dir,
          licence: pack.licence,
          capabilities: { ...caps, samplers: [...caps.samplers] },
          strategies: supportedStrategies(caps, probe),
          problem: null,
        });
      } catch (err) {
        generatorsOut.push({ id: pack.id, name: pack.name, dir: pack.dir, licence: pack.licence, capabilities: null, strategies: ['layer'], problem: (err as Error).message });
      }
    }
    const embedder = await embedders.get();
    return {
      generators: generatorsOut,
      critics: [
        { id: 'clap', available: !!embedder, needsUrl: false, note: embedder ? null : embedders.noEmbedderNote },
        {
          id: 'lalm',
          available: true,
          needsUrl: true,
          note: 'Needs the URL of an OpenAI-compatible endpoint that accepts audio input and returns log-probabilities (e.g. llama-server with an audio model)',
        },
      ],
      defaults: { ...d, criticUrl: config.critic.lalm.url, packId: (packs.find((p) => p.id === config.models.defaults.generator) ?? packs[0])?.id ?? null },
    };
  }

  return {
    handlers,
    store,
    dispose: async () => {
      await generators.dispose();
      await store.close();
    },
  };
}
