import path from 'node:path';
import {
  AutoTokenizer,
  ClapAudioModelWithProjection,
  ClapFeatureExtractor,
  ClapTextModelWithProjection,
  env,
  Tensor,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import { CuebankError } from '../errors';
import { FastClapFeatures } from './clap-features';
import { f16ToF32, f32ToF16 } from './float16';
import { verifyPackFiles } from './manifest';
import { CLAP_FORMAT, DTYPE_SUFFIX, type PackInfo } from './packs';
import { providerPlan, startWithFallback } from './providers';
import type { Embedder, StageTimings } from './types';

export interface LoadEmbedderOptions {
  /** Weight variant: fp32, fp16, q8, ... (onnx/<graph><suffix>.onnx). Default: the pack's default. */
  dtype?: string;
  /** Providers to prefer, best first; CPU is always tried last. Default: per platform. */
  executionProviders?: string[] | null;
  /**
   * Log-mel implementation: 'fast' (FastClapFeatures, same numbers as ClapFeatureExtractor) or
   * 'reference' (transformers.js's ClapFeatureExtractor). 'fast' falls back to 'reference' for a
   * preprocessor configuration it does not reproduce.
   */
  features?: 'fast' | 'reference';
}

/** A loaded CLAP pack. Beyond Embedder it says which pack, weights and provider it runs on. */
export interface ClapEmbedder extends Embedder {
  readonly packId: string;
  readonly dtype: string;
  readonly provider: string;
  /** Plain-language notes from loading, e.g. a preferred provider that failed. */
  readonly notices: readonly string[];
  readonly featurePath: 'fast' | 'reference';
}

/**
 * ONNX Runtime's intra-op threads spin-wait after each run by default. The engine computes the next
 * batch's features on the JS thread right after a model call, so on a 2-core machine the spinning
 * threads steal the core it needs (measured: features of a 10 s window 28-32 ms right after a
 * model call with spinning, 16-17 ms without). Idle threads sleep instead.
 */
const SESSION_OPTIONS = {
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
};

// ---- transformers.js environment: local files only, never the network ----

/** Stands in for fetch while Cuebank loads models: any network request is a bug, and says so. */
async function refuseNetwork(input: string | URL): Promise<never> {
  throw new CuebankError('model_error', `Cuebank loads models from disk only; refused a network request to ${String(input)}`);
}

/**
 * Points transformers.js at the models folder and shuts every door to the network: no remote
 * models, no caches that could shadow the pack's own files (a cached download of the same id
 * would otherwise win over the folder), and a fetch that refuses.
 */
function useLocalModelsOnly(modelsDir: string): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelsDir;
  env.useFSCache = false;
  env.useBrowserCache = false;
  env.useCustomCache = false;
  env.experimental_useCrossOriginStorage = false;
  env.fetch = refuseNetwork;
}

/**
 * transformers.js's isValidHfModelId for a single path segment: only such ids are looked up under
 * env.localModelPath. Any other folder name ("clap (copy)", "Xenova--clap") is loaded by its
 * absolute path, which transformers.js reads as a local path and never as a Hub id.
 */
function isPlainModelId(id: string): boolean {
  return /^\b[\w\-.]{1,96}\b$/.test(id) && !id.includes('..') && !id.includes('--') && !id.endsWith('.git') && !id.endsWith('.ipynb');
}

/** env is process-wide: loads run one at a time so each sees its own models folder. */
let loadChain: Promise<unknown> = Promise.resolve();
function serially<T>(fn: () => Promise<T>): Promise<T> {
  const run = loadChain.then(fn, fn);
  loadChain = run.catch(() => undefined);
  return run;
}

function rowsOf(t: Tensor, expectedRows: number): Float32Array[] {
  const data = t.type === 'float16' && !(t.data instanceof Float32Array) ? Float32Array.from(t.data as Uint16Array, f16ToF32) : (t.data as Float32Array);
  const dims = t.dims as number[];
  const dim = dims[dims.length - 1];
  if (dims.length !== 2 || dims[0] !== expectedRows) {
    throw new CuebankError('model_error', `The model gave an output of shape [${dims.join(', ')}], expected [${expectedRows}, ${dim}]`);
  }
  const rows: Float32Array[] = [];
  for (let r = 0; r < expectedRows; r++) {
    const v = Float32Array.from(data.subarray(r * dim, (r + 1) * dim));
    let n = 0;
    for (let i = 0; i < dim; i++) n += v[i] * v[i];
    n = Math.sqrt(n);
    if (n > 0) for (let i = 0; i < dim; i++) v[i] /= n;
    rows.push(v);
  }
  return rows;
}

type Session = {
  inputNames: string[];
  outputNames: string[];
  inputMetadata?: readonly { name: string; isTensor: boolean; type?: string; shape?: ReadonlyArray<number | string> }[];
};
const sessionOf = (m: PreTrainedModel) => (m as unknown as { sessions: Record<string, Session> }).sessions.model;

const add = (timings: StageTimings | undefined, stage: string, ms: number) => {
  if (timings) timings[stage] = (timings[stage] ?? 0) + ms;
};

class TransformersClapEmbedder implements ClapEmbedder {
  readonly space: string;
  readonly dim: number;
  readonly sampleRate: number;
  readonly windowSeconds: number;
  readonly maxFrequency: number;
  readonly packId: string;
  readonly featurePath: 'fast' | 'reference';
  private readonly maxSamples: number;
  private readonly frames: number;
  private readonly nMels: number;
  private readonly batchable: boolean;
  private readonly audioInputFp16: boolean;
  private disposed = false;

  constructor(
    pack: PackInfo,
    readonly dtype: string,
    readonly provider: string,
    readonly notices: readonly string[],
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly extractor: ClapFeatureExtractor,
    private readonly fast: FastClapFeatures | null,
    private readonly textModel: PreTrainedModel,
    private readonly audioModel: PreTrainedModel,
    frames: number,
  ) {
    const clap = pack.clap!;
    this.packId = pack.id;
    this.space = `${pack.id}@${dtype}`;
    this.dim = clap.dim;
    this.sampleRate = clap.sampleRate;
    this.windowSeconds = clap.windowSeconds;
    this.maxFrequency = clap.maxFrequency;
    this.maxSamples = clap.maxSamples;
    this.featurePath = fast ? 'fast' : 'reference';
    this.frames = frames;
    this.nMels = Number((extractor as unknown as { config: { feature_size: number } }).config.feature_size);
    const meta = sessionOf(audioModel).inputMetadata?.find((m) => m.name === 'input_features');
    const batchDim = meta?.shape?.[0];
    this.batchable = batchDim === undefined || typeof batchDim === 'string' || batchDim < 0;
    this.audioInputFp16 = meta?.type === 'float16';
  }

  async embedText(texts: string[]): Promise<Float32Array[]> {
    this.checkOpen();
    if (texts.length === 0) return [];
    const inputs = this.tokenizer(texts, { padding: true, truncation: true });
    const out = (await this.textModel(inputs)) as { text_embeds?: Tensor };
    if (!out.text_embeds) throw new CuebankError('model_error', 'The text model has no text_embeds output');
    return rowsOf(out.text_embeds, texts.length);
  }

  /**
   * No random crop. Windows arrive already cut by Cuebank (at most windowSeconds each), and in
   * transformers.js 4.3.1 (src/models/clap/feature_extraction_clap.js, ClapFeatureExtractor
   * ._get_input_mel) the only random step is the `diff > 0 && truncation === "rand_trunc"` branch,
   * taken when a window is LONGER than nb_max_samples. A window of at most nb_max_samples is padded
   * deterministically: with "repeatpad" it is copied at offsets len, 2·len, ... while
   * `i < max_length - len`, the rest left zero (so a window dividing max_length exactly, e.g. 5 s,
   * gets one copy fewer than Python's np.tile would give); then log-mel over exactly nb_max_samples.
   * Longer windows are refused here rather than cropped at random.
   */
  async embedAudio(windows: Float32Array[], timings?: StageTimings): Promise<Float32Array[]> {
    this.checkOpen();
    if (windows.length === 0) return [];
    windows.forEach((w, i) => {
      if (w.length === 0) throw new CuebankError('invalid_input', `Window ${i} is empty`);
      if (w.length > this.maxSamples) {
        throw new CuebankError(
          'invalid_input',
          `Window ${i} is ${(w.length / this.sampleRate).toFixed(2)} s; this model takes at most ${this.windowSeconds} s per window`,
        );
      }
    });
    const size = this.frames * this.nMels;
    const t0 = performance.now();
    const features = new Float32Array(windows.length * size);
    for (let i = 0; i < windows.length; i++) {
      const slot = features.subarray(i * size, (i + 1) * size);
      if (this.fast) {
        this.fast.extract(windows[i], slot);
      } else {
        const { input_features } = (await this.extractor(windows[i])) as { input_features: Tensor };
        slot.set(input_features.data as Float32Array);
      }
    }
    const t1 = performance.now();
    add(timings, 'features', t1 - t0);

    const run = async (data: Float32Array, n: number): Promise<Float32Array[]> => {
      const dims = [n, 1, this.frames, this.nMels];
      const input = this.audioInputFp16 ? new Tensor('float16', Uint16Array.from(data, f32ToF16), dims) : new Tensor('float32', data, dims);
      const out = (await this.audioModel({ input_features: input })) as { audio_embeds?: Tensor };
      if (!out.audio_embeds) throw new CuebankError('model_error', 'The audio model has no audio_embeds output');
      return rowsOf(out.audio_embeds, n);
    };
    let result: Float32Array[];
    if (this.batchable) {
      result = await run(features, windows.length);
    } else {
      result = [];
      for (let i = 0; i < windows.length; i++) result.push(...(await run(features.subarray(i * size, (i + 1) * size), 1)));
    }
    add(timings, 'model', performance.now() - t1);
    return result;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([this.textModel.dispose(), this.audioModel.dispose()]);
  }

  private checkOpen(): void {
    if (this.disposed) throw new CuebankError('model_error', `The model ${this.space} was closed`);
  }
}

function checkIo(pack: PackInfo, graph: 'text_model' | 'audio_model', session: Session): void {
  const want =
    pack.manifest?.io?.[graph] ??
    (graph === 'text_model' ? { inputs: ['input_ids'], outputs: ['text_embeds'] } : { inputs: ['input_features'], outputs: ['audio_embeds'] });
  const missing = [
    ...want.inputs.filter((n) => !session.inputNames.includes(n)).map((n) => `input "${n}"`),
    ...want.outputs.filter((n) => !session.outputNames.includes(n)).map((n) => `output "${n}"`),
  ];
  if (missing.length) {
    throw new CuebankError(
      'model_error',
      `Model pack "${pack.id}": onnx/${graph} has no ${missing.join(', ')} ` +
        `(it has inputs ${session.inputNames.join(', ')}; outputs ${session.outputNames.join(', ')})`,
    );
  }
}

/**
 * Loads a CLAP pack through transformers.js, from the pack's folder only. Verifies the SHA-256 of
 * the files it reads when the pack has a cuebank.json, picks the weights for `dtype`, and starts
 * the ONNX sessions on the best execution provider that works, falling back to CPU with a notice.
 */
export function loadEmbedder(pack: PackInfo, options: LoadEmbedderOptions = {}): Promise<ClapEmbedder> {
  return serially(() => load(pack, options));
}

async function load(pack: PackInfo, options: LoadEmbedderOptions): Promise<ClapEmbedder> {
  if (pack.role !== 'embedder' || pack.format !== CLAP_FORMAT || !pack.clap) {
    throw new CuebankError('model_error', `Model pack "${pack.id}" is not a CLAP embedder (role ${pack.role}, format ${pack.format})`);
  }
  const dtype = !options.dtype || options.dtype === 'auto' ? pack.defaultDtype : options.dtype;
  if (!dtype || !(dtype in DTYPE_SUFFIX)) {
    throw new CuebankError('invalid_input', `Unknown weight variant "${options.dtype}"; use one of ${Object.keys(DTYPE_SUFFIX).join(', ')}`);
  }
  if (!pack.dtypes.includes(dtype)) {
    const suffix = DTYPE_SUFFIX[dtype];
    throw new CuebankError(
      'model_error',
      `Model pack "${pack.id}" has no ${dtype} weights (onnx/text_model${suffix}.onnx and onnx/audio_model${suffix}.onnx); ` +
        `it has ${pack.dtypes.join(', ')}`,
    );
  }
  const suffix = DTYPE_SUFFIX[dtype];
  if (pack.manifest) {
    await verifyPackFiles(pack.dir, pack.manifest, [
      'config.json',
      'preprocessor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      `onnx/text_model${suffix}.onnx`,
      `onnx/audio_model${suffix}.onnx`,
    ]);
  }

  useLocalModelsOnly(pack.modelsDir);
  const modelId = isPlainModelId(pack.id) && path.resolve(pack.modelsDir, pack.id) === path.resolve(pack.dir) ? pack.id : pack.dir;
  const common = { local_files_only: true } as const;

  let tokenizer: PreTrainedTokenizer;
  let extractor: ClapFeatureExtractor;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(modelId, common);
    extractor = (await ClapFeatureExtractor.from_pretrained(modelId, common)) as ClapFeatureExtractor;
  } catch (err) {
    throw new CuebankError('model_error', `Model pack "${pack.id}": cannot read its tokenizer or preprocessor (${(err as Error).message})`, {
      cause: err,
    });
  }
  const fast = options.features === 'reference' ? null : FastClapFeatures.from(extractor as never);
  const frames = fast?.frames ?? 1 + Math.floor(pack.clap.maxSamples / Number((extractor as never as { config: { hop_length: number } }).config.hop_length));

  const plan = providerPlan(options.executionProviders);
  let started: Awaited<ReturnType<typeof startWithFallback<{ text: PreTrainedModel; audio: PreTrainedModel }>>>;
  try {
    started = await startWithFallback(plan, async (_provider, executionProviders) => {
      const session_options = { executionProviders, ...SESSION_OPTIONS };
      const text = await ClapTextModelWithProjection.from_pretrained(modelId, { ...common, dtype: dtype as never, session_options });
      try {
        const audio = await ClapAudioModelWithProjection.from_pretrained(modelId, { ...common, dtype: dtype as never, session_options });
        return { text, audio };
      } catch (err) {
        await text.dispose().catch(() => undefined);
        throw err;
      }
    });
  } catch (err) {
    throw new CuebankError('model_error', `Model pack "${pack.id}" could not start: ${(err as Error).message}`, { cause: err });
  }
  const { text, audio } = started.value;
  try {
    checkIo(pack, 'text_model', sessionOf(text));
    checkIo(pack, 'audio_model', sessionOf(audio));
    const shape = sessionOf(audio).inputMetadata?.find((m) => m.name === 'input_features')?.shape;
    const graphFrames = shape?.[2];
    if (typeof graphFrames === 'number' && graphFrames > 0 && graphFrames !== frames) {
      throw new CuebankError(
        'model_error',
        `Model pack "${pack.id}": the audio graph takes ${graphFrames} frames but preprocessor_config.json gives ${frames}`,
      );
    }
  } catch (err) {
    await Promise.all([text.dispose(), audio.dispose()]).catch(() => undefined);
    throw err;
  }
  return new TransformersClapEmbedder(pack, dtype, started.provider, started.notices, tokenizer, extractor, fast, text, audio, frames);
}
