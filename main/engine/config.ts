import path from 'node:path';
import defaults from '../../resources/default-settings.json';

/**
 * The engine's one configuration surface. Hosts (Electron app, web bridge, CLI, tests) build an
 * EngineConfig; everything not given comes from resources/default-settings.json. README.md
 * ("Configuration") documents every field.
 */
export interface EngineConfig {
  /** The workspace database file (created if missing). */
  dbPath: string;
  /** Folder holding model packs, one folder per pack. */
  modelsDir: string;
  /**
   * Folder for files the app itself writes (generated takes, project audio); default: next to the
   * database, `<db name>-files/`. Never inside a library folder.
   */
  dataDir?: string;
  index?: Partial<IndexSettings>;
  search?: Partial<SearchSettings>;
  models?: Partial<ModelSettings>;
  generate?: Partial<GenerateDefaults>;
  export?: Partial<ExportDefaults>;
  critic?: CriticSettingsInput;
  retrieve?: Partial<RetrieveSettings>;
  tagging?: TaggingSettingsInput;
  team?: Partial<TeamSettings>;
}

export interface IndexSettings {
  /** Seconds between embedding windows of long sounds; null means back-to-back windows of the model's length. */
  hopSeconds: number | null;
  /** Files per database transaction: a crash loses at most this many files' work. */
  transactionFiles: number;
  /** Windows per model call. */
  embedBatchWindows: number;
  /** Follow symbolic links to folders (each real folder is visited once). */
  followSymlinks: boolean;
  /**
   * Seconds one file may take to read (parse, decode, resample, window) before it is reported as
   * failed ("Reading this file took longer than 10 s; it was skipped.") and the job goes on. Time
   * the reader waits for the embedder does not count. Files are read in a worker thread, which is
   * stopped when a file overruns: JavaScript on the job's own thread could not be interrupted.
   */
  fileTimeoutSeconds: number;
  /**
   * Seconds added to that budget per megabyte of the file, so a long recording (an hour of MP3
   * decodes in about 12 s here) is not taken for a hang; small pathological files keep about the
   * base budget.
   */
  fileSecondsPerMb: number;
  /**
   * Megabytes one file may take while it is read: the reader worker's JavaScript heap limit, and
   * separately its memory outside the heap (decoded audio, WebAssembly decoders). Past it the file
   * fails ("… needed more than N MB of memory; it was skipped."). As a backstop, the file also fails
   * when the whole process grows by twice this during it.
   */
  fileMemoryMb: number;
}

export interface SearchSettings {
  defaultLimit: number;
  /** W in S = W·S_audio + (1−W)·S_text when a query has both a sound and text. */
  pairWeight: number;
  /** Weight of name/metadata keyword matches added to the text similarity. */
  keywordWeight: number;
  /** Vector candidates fetched per requested result before grouping windows by file and filtering. */
  candidateFactor: number;
  /**
   * Weight of the text-to-text similarity of the query and a file's caption (its description or
   * accepted tag, the knowledge base's caption vectors; seed 001 eq. 3) added to S_text.
   */
  captionWeight: number;
}

/** The team library on PostgreSQL (README "Team library"). */
export interface TeamSettings {
  /** Longest one statement may run on the server before it is cancelled with a clear message, ms. */
  statementTimeoutMs: number;
  /** Connections one client holds at most. */
  connections: number;
}

export interface ModelSettings {
  /** ONNX weight variant: fp32, fp16, q8, ... (picks onnx/<model><suffix>.onnx); null: the pack's default. */
  dtype: string | null;
  /** Preferred execution providers in order; null picks per platform with CPU last. */
  executionProviders: string[] | null;
  /**
   * The pack (folder name) used for each role when several are installed; null: the first in
   * folder-name order. The Models screen's choice is kept in the workspace and overrides this.
   * Index, search, tagging and the CLAP critic use `embedder`; generation uses `generator`.
   */
  defaults: PackDefaults;
  /** Hub the model manager downloads from; null: the HF_ENDPOINT variable, else https://huggingface.co. */
  hubEndpoint: string | null;
  /** A download request that receives no data for this long fails (it resumes when run again). */
  downloadTimeoutSeconds: number;
  /** Catalog of downloadable packs; null: resources/model-catalog.json. */
  catalogPath: string | null;
}

export interface PackDefaults {
  embedder: string | null;
  generator: string | null;
}

/** Defaults of the generate loop; a generate.start request overrides any of them. README documents each. */
export interface GenerateDefaults {
  /** Take length, seconds (capped at the pack's maximum). */
  duration: number;
  /** Most loop iterations; the first generation is iteration 1. */
  iterations: number;
  /** Candidates per iteration; the critic's score keeps the best (best-of-N). */
  candidates: number;
  /** Regeneration strategy; null: the best the pack can run (adapter, else audio2audio, else layer). */
  strategy: 'adapter' | 'audio2audio' | 'layer' | null;
  /** Which critic scores takes; the LALM critic's endpoint is `critic.lalm.url` unless a request names one. */
  critic: 'clap' | 'lalm';
  /** Seed of a generation's first candidate; null: a new random seed per generation. */
  seed: number | null;
  /** Sampler steps; null: the pack's default. */
  steps: number | null;
  /** Classifier-free guidance scale; null: the pack's default. */
  cfg: number | null;
  /** λ: strength of reference features on the audio-conditioning input (adapter). */
  referenceStrength: number;
  /** audio2audio: how much of the take is re-noised (0 keeps it, 1 ignores it). */
  initStrength: number;
  /** Loudness of a placed sound relative to the take's gated loudness, dB (layer, audio2audio). */
  layerLevelDb: number;
  /** What layering places: the retrieved reference, or a focused generation of the event alone. */
  layerSource: 'reference' | 'focused';
  /** References retrieved per flagged event. */
  referencesPerEvent: number;
  /**
   * How a prompt is split into timed events: 'rules' (offline, predictable), or 'lalm': a language
   * model over an OpenAI-compatible endpoint, falling back to the rules with a note when it fails.
   */
  decomposer: 'rules' | 'lalm';
  /** Base URL of that language model; null: the LALM critic's (`critic.lalm.url`, or the request's criticUrl). */
  decomposerUrl: string | null;
}

/**
 * Defaults of a project's export settings (a project's own settings, a preset or an export request
 * override them). README documents each.
 */
export interface ExportDefaults {
  format: 'wav' | 'flac' | 'ogg';
  /** WAV sample format. */
  wavSample: 'pcm16' | 'pcm24' | 'float32';
  flacBits: 16 | 24;
  /** Vorbis VBR quality 0..1. */
  oggQuality: number;
  sampleRate: 44100 | 48000 | 96000;
  channels: 'mono' | 'stereo' | 'keep';
  /** Trim head and tail quieter than silenceThresholdDb. */
  trimSilence: boolean;
  silenceThresholdDb: number;
  /** Fades on every exported file, seconds. */
  fadeIn: number;
  fadeOut: number;
  normalize: 'none' | 'peak' | 'loudness';
  /** Peak normalisation target, dBFS. */
  peakDb: number;
  /** Loudness normalisation target, LUFS (integrated, gated). */
  lufs: number;
  /** True-peak ceiling of loudness normalisation, dBTP. */
  truePeakDb: number;
  /** Largest speed change of a variation (0.04 = ±4%). */
  variationAmount: number;
  fxNameMaxLength: number;
  /** UCS CreatorID / SourceID for items that have none (NONE when null). */
  creatorId: string | null;
  sourceId: string | null;
}

export interface ResolvedConfig {
  dbPath: string;
  modelsDir: string;
  dataDir: string;
  index: IndexSettings;
  search: SearchSettings;
  models: ModelSettings;
  generate: GenerateDefaults;
  export: ExportDefaults;
  critic: CriticSettings;
  retrieve: RetrieveSettings;
  tagging: TaggingSettings;
  team: TeamSettings;
}

/** Both critics: the time grid of the per-event curves (README "Critics"). */
export interface CriticSettings {
  /** Length of one critic window over the take, seconds. */
  windowSeconds: number;
  /** Seconds between window starts: the curves' time resolution. */
  hopSeconds: number;
  clap: ClapCriticSettings;
  lalm: LalmCriticSettings;
}

/** CLAP event critic: presence is calibrated against the same text's similarity to sounds without its event. */
export interface ClapCriticSettings {
  /** z (standard deviations above the text's chance level on sounds without its event) at which an event is present; presence 0.5 there. */
  presentZ: number;
  /** z from which an event below presentZ is weak rather than missing. */
  weakZ: number;
  /** Steepness of presence = 1 / (1 + exp(-slope·(z − presentZ))). */
  slope: number;
  /** Floor of the reference spread (cosine units), so a text every reference scores alike cannot divide by ~0. */
  minSpread: number;
  /** Windows quieter than this (RMS dBFS) hold no event: their z is capped at 0 (chance). */
  silenceDb: number;
  /** Contrast texts at least this similar (cosine) to an event's text describe the event and are left out of its bank. */
  contrastMaxSimilarity: number;
  /**
   * A reference sound is the event, and no measure of chance for it, when fewer than this share of
   * the event's contrast texts (at least one) describe it better than the event's text does.
   */
  describedRank: number;
  /** Chance is the mean and spread of the event score (cosine less the sound's typical cosine to other descriptions) over this many remaining references that score highest: the near misses. */
  nearestReferences: number;
  /** Judge each window with the other plan events expected in it removed (their text directions projected out, references alike): overlaps and beds. */
  explainOthers: boolean;
  /** Share of a window's embedding length that must remain once the other events are removed; less, and the window holds nothing but them (z capped at 0). */
  minUnexplained: number;
  /**
   * Explaining away also removes, per other event, this many of the reference sounds the model
   * describes as that event (its audio side, which its text direction reaches only in part); 0: text only.
   */
  otherExemplars: number;
  /** Windows per embedding call (cancel is checked between calls). */
  batchWindows: number;
}

/** Audio-language-model critic over an OpenAI-compatible endpoint (llama.cpp llama-server style). */
export interface LalmCriticSettings {
  /** Base URL, e.g. http://127.0.0.1:8080 (POSTs {url}/v1/chat/completions); null: none configured. */
  url: string | null;
  /** "model" field of requests; null leaves it out (llama-server serves its one model). */
  model: string | null;
  /** Per request, seconds. */
  timeoutSeconds: number;
  /** top_logprobs asked for on the yes/no questions. */
  topLogprobs: number;
  /** max_tokens of the free "What sound events are missing …?" answer. */
  answerTokens: number;
  /** The take is sent as mono 16-bit WAV at this rate (audio LLMs listen at 16 kHz). */
  sampleRate: number;
  /** P(yes)/(P(yes)+P(no)) at or above which an event is present. */
  presentAt: number;
  /** … and at or above which it is weak rather than missing. */
  weakAt: number;
}

export interface CriticSettingsInput {
  windowSeconds?: number;
  hopSeconds?: number;
  clap?: Partial<ClapCriticSettings>;
  lalm?: Partial<LalmCriticSettings>;
}

/** Retrieval of library references for flagged events (README "Critics"). */
export interface RetrieveSettings {
  /** Search hits considered per event before re-ranking and deduplication. */
  candidatesPerEvent: number;
  /** Score lost per unit of |ln(available seconds / expected seconds)|, beyond a factor of 2 either way. */
  durationWeight: number;
  /** Score lost per octave a source's sample rate is below the take's. */
  rateWeight: number;
}

/** Tagging: captions by pair-to-pair retrieval over the library's own knowledge base (README "Tagging"). */
export interface TaggingSettings {
  /** W in S = W·S_audio + (1−W)·S_text when retrieving knowledge-base pairs (seed 001, eq. 4). */
  w: number;
  /** Knowledge-base pairs retrieved per file. */
  k: number;
  /** OpenAI-compatible endpoint of an audio-language model that captions; null: captions without one. */
  lalmUrl: string | null;
  /** Files captioned at once by a tag job (language-model calls in flight at most). */
  concurrency: number;
  /**
   * Softmax temperature over the CatID scores (README "Tagging", confidence): used as it is until the
   * library holds `fitTemperatureMinFiles` files that carry their own CatID, then fitted on them.
   */
  temperature: number;
  fitTemperatureMinFiles: number;
  /** Logit added per file word (name, folders, metadata) that matches a CatID's UCS name or synonyms. */
  wordWeight: number;
  /** Most prompts per CatID in the zero-shot ensemble (name prompts, explanation, synonym groups). */
  promptsPerCategory: number;
  kb: TaggingKbSettings;
}

/** The knowledge base and its captions (README "Knowledge base", "Captions"). */
export interface TaggingKbSettings {
  /**
   * Refinement: a pair stays when its caption picks its own sound out of the library by at least
   * this many robust spreads (z of the caption's similarity to its own audio against reference sounds).
   */
  agreementZ: number;
  /** Library sounds (a fixed, spread-out sample) that z is measured against. */
  referenceFiles: number;
  /** Floor of the reference spread (cosine units), so a near-constant reference set cannot divide by ~0. */
  minSpread: number;
  /** A caption whose text vector is at least this similar to the empty text's tells the model nothing: excluded. */
  emptyTextSimilarity: number;
  /**
   * Without a language model, the best retrieved caption is used when it agrees with the file's
   * audio by at least this z (the refinement test, applied to the file and the retrieved caption).
   */
  captionZ: number;
  /** A UCS synonym becomes a keyword when the audio supports it by this z (against the reference sounds). */
  keywordZ: number;
  /** A word becomes a keyword when at least this many retrieved captions share it. */
  sharedWordMin: number;
  /** max_tokens of a language-model caption. */
  captionTokens: number;
  /** Captions per text-embedding call (cancel is checked between calls). */
  embedBatch: number;
}

export interface TaggingSettingsInput {
  w?: number;
  k?: number;
  lalmUrl?: string | null;
  concurrency?: number;
  temperature?: number;
  fitTemperatureMinFiles?: number;
  wordWeight?: number;
  promptsPerCategory?: number;
  kb?: Partial<TaggingKbSettings>;
}

export function resolveTaggingSettings(input: TaggingSettingsInput = {}): TaggingSettings {
  const d = defaults.tagging as unknown as TaggingSettings;
  return {
    w: input.w ?? d.w,
    k: input.k ?? d.k,
    lalmUrl: input.lalmUrl === undefined ? d.lalmUrl : input.lalmUrl,
    concurrency: Math.max(1, Math.floor(input.concurrency ?? d.concurrency)),
    temperature: input.temperature ?? d.temperature,
    fitTemperatureMinFiles: input.fitTemperatureMinFiles ?? d.fitTemperatureMinFiles,
    wordWeight: input.wordWeight ?? d.wordWeight,
    promptsPerCategory: Math.max(1, Math.floor(input.promptsPerCategory ?? d.promptsPerCategory)),
    kb: { ...d.kb, ...input.kb },
  };
}

export function resolveCriticSettings(input: CriticSettingsInput = {}): CriticSettings {
  const d = defaults.critic as unknown as CriticSettings;
  return {
    windowSeconds: input.windowSeconds ?? d.windowSeconds,
    hopSeconds: input.hopSeconds ?? d.hopSeconds,
    clap: { ...d.clap, ...input.clap },
    lalm: { ...d.lalm, ...input.lalm },
  };
}

export function resolveConfig(config: EngineConfig): ResolvedConfig {
  return {
    dbPath: config.dbPath,
    modelsDir: config.modelsDir,
    dataDir: config.dataDir ?? defaultDataDir(config.dbPath),
    index: { ...(defaults.index as IndexSettings), ...config.index },
    search: { ...(defaults.search as SearchSettings), ...config.search },
    models: {
      ...(defaults.models as ModelSettings),
      ...config.models,
      defaults: { ...(defaults.models.defaults as PackDefaults), ...config.models?.defaults },
    },
    generate: { ...(defaults.generate as GenerateDefaults), ...config.generate },
    export: { ...(defaults.export as ExportDefaults), ...config.export },
    critic: resolveCriticSettings(config.critic),
    retrieve: { ...(defaults.retrieve as RetrieveSettings), ...config.retrieve },
    tagging: resolveTaggingSettings(config.tagging),
    team: { ...(defaults.team as TeamSettings), ...config.team },
  };
}

function defaultDataDir(dbPath: string): string {
  const abs = path.resolve(dbPath);
  return path.join(path.dirname(abs), `${path.basename(abs, path.extname(abs))}-files`);
}
