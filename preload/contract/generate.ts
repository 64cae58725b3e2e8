import { z } from 'zod';
import { channel, Empty } from './common';

/**
 * The generate -> critique -> retrieve -> regenerate loop (seed 000): start a loop, list and open
 * generations with their takes, critiques and references, accept or reject references, and
 * regenerate from any take (which branches). Long work runs as a 'generate' job; each finished take
 * arrives at once as a 'partial' job update (GeneratePartialSchema).
 */

export const RegenerationStrategySchema = z.enum(['adapter', 'audio2audio', 'layer']);
export type RegenerationStrategyName = z.infer<typeof RegenerationStrategySchema>;
/** How a take was made: 'initial' is plain text-to-audio, the rest regenerate from a parent take. */
export const TakeOriginSchema = z.enum(['initial', 'adapter', 'audio2audio', 'layer']);
export type TakeOrigin = z.infer<typeof TakeOriginSchema>;
export const CriticIdSchema = z.enum(['clap', 'lalm']);
export type CriticId = z.infer<typeof CriticIdSchema>;
export const VerdictSchema = z.enum(['present', 'weak', 'missing']);
/** Where layering takes the sound it places: the retrieved reference, or a focused generation of the event alone. */
export const LayerSourceSchema = z.enum(['reference', 'focused']);
export const ReferenceStateSchema = z.enum(['proposed', 'accepted', 'rejected']);
export type ReferenceState = z.infer<typeof ReferenceStateSchema>;
export const GenerationStateSchema = z.enum(['running', 'done', 'cancelled', 'failed', 'interrupted']);
export type GenerationState = z.infer<typeof GenerationStateSchema>;

export const SoundEventSchema = z.object({
  id: z.string(),
  text: z.string(),
  start: z.number(),
  end: z.number(),
  relation: z.enum(['start', 'sequence', 'overlap']),
  count: z.number().int(),
});

export const EventPlanSchema = z.object({
  prompt: z.string(),
  duration: z.number(),
  events: z.array(SoundEventSchema),
  /** Why the plan is not what was asked for: the language-model decomposer failed and the rules split the prompt. */
  note: z.string().optional(),
});

export const EventCritiqueSchema = z.object({
  eventId: z.string(),
  text: z.string(),
  start: z.number(),
  end: z.number(),
  score: z.number(),
  verdict: VerdictSchema,
  /** Presence over time: values[i] covers [i*hop, i*hop + window) seconds of the take. */
  curve: z.object({ hop: z.number(), window: z.number(), values: z.array(z.number()) }),
});

export const CritiqueSchema = z.object({
  critic: CriticIdSchema,
  events: z.array(EventCritiqueSchema),
  score: z.number(),
  answer: z.string().optional(),
});
export type CritiqueValue = z.infer<typeof CritiqueSchema>;

/** The settings one generation runs with (stored with it); every field has a default from settings. */
export const GenerateSettingsSchema = z.object({
  packId: z.string(),
  /** Take length, seconds. */
  duration: z.number(),
  /** Most iterations of the loop (the first generation counts as iteration 1). */
  iterations: z.number().int(),
  /** Candidates per iteration; the critic's score picks the best (best-of-N). */
  candidates: z.number().int(),
  strategy: RegenerationStrategySchema,
  critic: CriticIdSchema,
  criticUrl: z.string().nullable(),
  seed: z.number().int(),
  steps: z.number().int().nullable(),
  cfg: z.number().nullable(),
  /** λ: strength of reference features on the audio-conditioning input (adapter). */
  referenceStrength: z.number(),
  /** audio2audio: how much of the take the sampler re-noises (0 keeps it, 1 ignores it). */
  initStrength: z.number(),
  /** layer: the placed sound's loudness relative to the take's, dB (negative = quieter). */
  layerLevelDb: z.number(),
  layerSource: LayerSourceSchema,
  /** References retrieved per flagged event. */
  referencesPerEvent: z.number().int(),
});
export type GenerateSettings = z.infer<typeof GenerateSettingsSchema>;

const Seed = z.number().int().min(0).max(2 ** 31 - 1);

export const GenerateStartSchema = z
  .object({
    prompt: z.string().trim().min(1).max(1000),
    /** Generator pack; omitted: the first generator pack in the models folder. */
    packId: z.string().min(1).optional(),
    duration: z.number().positive().max(600).optional(),
    iterations: z.number().int().min(1).max(20).optional(),
    candidates: z.number().int().min(1).max(16).optional(),
    strategy: RegenerationStrategySchema.optional(),
    critic: CriticIdSchema.optional(),
    /** Base URL of an OpenAI-compatible endpoint with audio input (LALM critic). */
    criticUrl: z.string().url().optional(),
    seed: Seed.optional(),
    steps: z.number().int().min(1).max(1000).optional(),
    cfg: z.number().min(0).max(30).optional(),
    referenceStrength: z.number().min(0).max(4).optional(),
    initStrength: z.number().min(0).max(1).optional(),
    layerLevelDb: z.number().min(-60).max(12).optional(),
    layerSource: LayerSourceSchema.optional(),
    referencesPerEvent: z.number().int().min(1).max(20).optional(),
    /** How the prompt is split into timed events: 'rules', or 'lalm' (a language model, rules on failure). */
    decomposer: z.enum(['rules', 'lalm']).optional(),
  })
  .strict();
export type GenerateStart = z.infer<typeof GenerateStartSchema>;

/**
 * What a regeneration did differently from the iteration before it, and why (recovery): the first
 * regeneration of a take uses each flagged event's best reference ('reference'); when an iteration
 * raises no flagged event, the next changes one thing: the event's next reference, the placed
 * level or reference strength, a focused generation of the event alone, or the strategy. A
 * regeneration the user asked for from a chosen take is 'user'.
 */
export const TakeChangeKindSchema = z.enum(['reference', 'next-reference', 'level', 'focused', 'strategy', 'variation', 'user']);
export type TakeChangeKind = z.infer<typeof TakeChangeKindSchema>;
export const TakeChangeSchema = z.object({
  kind: TakeChangeKindSchema,
  /** One line for people: what changed ("steam hiss: next reference, rank 2 of 3"). */
  detail: z.string(),
  /** The take it regenerated from (the best so far, which need not be the last one made). */
  from: z.string(),
  /** Events the change is aimed at (flagged on `from`). */
  eventIds: z.array(z.string()),
});
export type TakeChange = z.infer<typeof TakeChangeSchema>;

export const TakeSchema = z.object({
  id: z.string(),
  generationId: z.string(),
  /** The take this one was regenerated from; null for first-iteration takes. */
  parentId: z.string().nullable(),
  iteration: z.number().int(),
  /** Index among the candidates generated together (0-based). */
  candidate: z.number().int(),
  seed: z.number().int(),
  origin: TakeOriginSchema,
  /** Absolute path of the take's WAV file. */
  path: z.string(),
  duration: z.number(),
  sampleRate: z.number().int(),
  channels: z.number().int(),
  critique: CritiqueSchema.nullable(),
  score: z.number().nullable(),
  /** The candidate best-of-N kept for the next iteration. */
  chosen: z.boolean(),
  /** References this take was made with (ids into GenerationDetail.references). */
  referenceIds: z.array(z.number().int()),
  createdAt: z.number(),
  /** What this take's regeneration changed and why; null for first-iteration takes and takes stored before it was recorded. */
  change: TakeChangeSchema.nullable().optional(),
});
export type Take = z.infer<typeof TakeSchema>;

export const LoopReferenceSchema = z.object({
  id: z.number().int(),
  generationId: z.string(),
  /** The take whose critique flagged the event. */
  takeId: z.string(),
  iteration: z.number().int(),
  eventId: z.string(),
  eventText: z.string(),
  /** Library file id, null when the file has since left the library. */
  fileId: z.number().int().nullable(),
  path: z.string(),
  score: z.number(),
  /** The matching window in the library file, seconds. */
  start: z.number(),
  end: z.number(),
  /** Rank among the references retrieved for this event (0 = best). */
  rank: z.number().int(),
  state: ReferenceStateSchema,
});
export type LoopReference = z.infer<typeof LoopReferenceSchema>;

export const GenerationSchema = z.object({
  id: z.string(),
  prompt: z.string(),
  settings: GenerateSettingsSchema,
  plan: EventPlanSchema,
  state: GenerationStateSchema,
  error: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  takeCount: z.number().int(),
  /** The highest-scoring take so far. */
  bestTakeId: z.string().nullable(),
  bestScore: z.number().nullable(),
  /**
   * How the last loop on it ended, when that needs saying: e.g. its last kept take is not the
   * best one (the best is bestTakeId). Null otherwise and for loops stored before it was recorded.
   */
  note: z.string().nullable().optional(),
});
export type Generation = z.infer<typeof GenerationSchema>;

export const GenerationDetailSchema = z.object({
  generation: GenerationSchema,
  /** In creation order. */
  takes: z.array(TakeSchema),
  references: z.array(LoopReferenceSchema),
});
export type GenerationDetail = z.infer<typeof GenerationDetailSchema>;

/** 'partial' job updates of generate jobs: each take as it is stored, each batch of references as retrieved. */
export const GeneratePartialSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('take'), generationId: z.string(), take: TakeSchema }),
  z.object({ kind: z.literal('chosen'), generationId: z.string(), iteration: z.number().int(), takeId: z.string() }),
  z.object({ kind: z.literal('references'), generationId: z.string(), takeId: z.string(), references: z.array(LoopReferenceSchema) }),
]);
export type GeneratePartial = z.infer<typeof GeneratePartialSchema>;

/** Progress detail of generate jobs (stage is generate | critique | retrieve | regenerate). */
export const GenerateProgressDetailSchema = z.object({
  generationId: z.string(),
  iteration: z.number().int(),
  iterations: z.number().int(),
  candidate: z.number().int(),
  candidates: z.number().int(),
  step: z.number().int(),
  steps: z.number().int(),
  /** "iteration 2/3, candidate 1/2, step 5/8" */
  text: z.string(),
});

/** What a generate job returns when it finishes. */
export const GenerateResultSchema = z.object({
  generationId: z.string(),
  /** Takes chosen per iteration, in order. */
  chosenTakeIds: z.array(z.string()),
  bestTakeId: z.string().nullable(),
  bestScore: z.number().nullable(),
  stopReason: z.enum(['all_present', 'max_iterations']),
  /** The take the last iteration kept; differs from bestTakeId when the loop ended on a worse take. */
  lastTakeId: z.string().nullable().optional(),
  /** Said when the loop did not end on its best take, or ended with events still flagged; null otherwise. */
  note: z.string().nullable().optional(),
});
export type GenerateResult = z.infer<typeof GenerateResultSchema>;

export const GeneratorCapabilitiesSchema = z.object({
  sampleRate: z.number().int(),
  channels: z.number().int(),
  maxSeconds: z.number(),
  audioConditioning: z.boolean(),
  audioToAudio: z.boolean(),
  samplers: z.array(z.string()),
  defaultSteps: z.number().int(),
  defaultCfgScale: z.number(),
});

export const GeneratorPackSchema = z.object({
  id: z.string(),
  name: z.string(),
  dir: z.string(),
  licence: z.string().nullable(),
  /** Null when the pack could not be loaded (then `problem` says why). */
  capabilities: GeneratorCapabilitiesSchema.nullable(),
  /** Strategies this pack can run; 'layer' needs no model feature. */
  strategies: z.array(RegenerationStrategySchema),
  problem: z.string().nullable(),
});

export const GeneratePacksSchema = z.object({
  generators: z.array(GeneratorPackSchema),
  critics: z.array(
    z.object({
      id: CriticIdSchema,
      available: z.boolean(),
      needsUrl: z.boolean(),
      /** Why it is unavailable, or what it needs. */
      note: z.string().nullable(),
    }),
  ),
  /** Settings a start request omitting a field gets. */
  defaults: GenerateSettingsSchema.omit({ packId: true, seed: true, strategy: true }).extend({
    /** The pack a request naming none gets. */
    packId: z.string().nullable(),
    /** Null: a new random seed per generation. */
    seed: z.number().int().nullable(),
    /** Null: the best strategy the pack can run. */
    strategy: RegenerationStrategySchema.nullable(),
  }),
});
export type GeneratePacks = z.infer<typeof GeneratePacksSchema>;

export const GenerationRefSchema = z.object({ generationId: z.string().min(1) }).strict();

export const SetReferenceSchema = z
  .object({ referenceId: z.number().int(), state: ReferenceStateSchema })
  .strict();

export const RegenerateSchema = z
  .object({
    takeId: z.string().min(1),
    /** Omitted: the generation's strategy. */
    strategy: RegenerationStrategySchema.optional(),
    candidates: z.number().int().min(1).max(16).optional(),
    /** Further loop iterations after this regeneration (default 0: regenerate once and critique). */
    moreIterations: z.number().int().min(0).max(20).optional(),
    seed: Seed.optional(),
    referenceStrength: z.number().min(0).max(4).optional(),
    initStrength: z.number().min(0).max(1).optional(),
    layerLevelDb: z.number().min(-60).max(12).optional(),
    layerSource: LayerSourceSchema.optional(),
  })
  .strict();
export type RegenerateRequest = z.infer<typeof RegenerateSchema>;

export const generateChannels = {
  /** Starts a loop: decompose, generate, critique, retrieve, regenerate until every event is present. */
  'generate.start': channel(GenerateStartSchema, z.object({ jobId: z.string(), generationId: z.string() })),
  /** Generations, newest first. */
  'generate.list': channel(Empty, z.array(GenerationSchema)),
  'generate.get': channel(GenerationRefSchema, GenerationDetailSchema),
  /** Accepts or rejects a reference; regeneration from its take uses the accepted ones. */
  'generate.setReference': channel(SetReferenceSchema, LoopReferenceSchema),
  /** Retrieves references for a take's flagged events now (kept if already retrieved). */
  'generate.retrieve': channel(z.object({ takeId: z.string().min(1) }).strict(), z.array(LoopReferenceSchema)),
  /** Regenerates from a take with its accepted references: new takes branch from it. */
  'generate.regenerate': channel(RegenerateSchema, z.object({ jobId: z.string() })),
  /** Removes a generation with its takes' files. */
  'generate.delete': channel(GenerationRefSchema, z.object({ removedTakes: z.number().int() })),
  /** Generator packs with their capabilities, critic options and default settings. */
  'generate.packs': channel(Empty, GeneratePacksSchema),
};
