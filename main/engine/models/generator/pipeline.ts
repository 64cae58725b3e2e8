/**
 * The text-to-audio pipeline of a loaded generator pack: tokenize → text encoder → conditioners →
 * sampler over the denoiser (with classifier-free guidance and the optional audio-conditioning input)
 * → latent decoder. Audio-to-audio starts the sampler from the encoded init audio.
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type { DecodedAudio } from '../../audio/types';
import { CuebankError } from '../../errors';
import { conform, addAt, referenceTimeline, timeline } from './audio-io';
import { guided } from './cfg';
import type { DimValues, LoadedGraph } from './graph';
import type { GeneratorSpec } from './manifest';
import { mix, processByName, timesteps, type DiffusionProcess } from './process';
import { GaussianNoise } from './rng';
import { sample, throwIfCancelled, type DenoiseFn } from './samplers';
import { Scope } from './scope';
import { float32, float32Of, int64, type Value } from './tensors';
import type { GenerateRequest, Generator, GeneratorCapabilities, SamplerName } from './types';

export interface GeneratorGraphs {
  textEncoder: LoadedGraph;
  conditioners: LoadedGraph[];
  denoiser: LoadedGraph;
  decoder: LoadedGraph;
  encoder: LoadedGraph | null;
  referenceEncoder: LoadedGraph | null;
}

/** Reference features and their λ for one denoiser pass. */
interface AudioCond {
  features: Value;
  strength: number;
}

const MAX_STEPS = 1000;

export class OnnxGenerator implements Generator {
  readonly capabilities: GeneratorCapabilities;
  private readonly process: DiffusionProcess;
  private disposed = false;

  constructor(
    readonly id: string,
    readonly spec: GeneratorSpec,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly graphs: GeneratorGraphs,
    /** Execution provider the sessions run on. */
    readonly provider: string,
    /** Plain-language notes from loading (a preferred provider that failed). */
    readonly notices: readonly string[],
  ) {
    const { latent, sampleRate } = spec;
    const fixedSeconds = latent.frames ? (latent.frames * latent.samplesPerFrame) / sampleRate : Infinity;
    this.capabilities = {
      sampleRate,
      channels: spec.channels,
      maxSeconds: Math.min(spec.maxSeconds, fixedSeconds),
      audioConditioning: graphs.denoiser.reads('audio_cond') && !!(graphs.encoder || graphs.referenceEncoder),
      audioToAudio: !!graphs.encoder,
      samplers: [...spec.samplers],
      defaultSteps: spec.steps,
      defaultCfgScale: spec.cfgScale,
    };
    this.process = processByName(spec.process);
  }

  async generate(req: GenerateRequest): Promise<DecodedAudio> {
    if (this.disposed) throw new CuebankError('model_error', `The generator ${this.id} was closed`);
    const { steps, cfgScale, sampler, seconds } = this.check(req);
    throwIfCancelled(req.signal);
    const { spec } = this;
    const frames = spec.latent.frames ?? Math.max(1, Math.ceil((seconds * spec.sampleRate) / spec.latent.samplesPerFrame));
    const dims: DimValues = {
      batch: 1,
      frames,
      latentChannels: spec.latent.channels,
      samples: frames * spec.latent.samplesPerFrame,
      channels: spec.channels,
      tokens: spec.tokenizer.maxLength,
    };

    const cond = await this.condition(req.prompt, seconds, dims);
    const uncond = cfgScale !== 1 ? await this.condition(req.negativePrompt ?? spec.negativePrompt, seconds, dims) : null;
    const audioCond = this.graphs.denoiser.reads('audio_cond') ? await this.referenceFeatures(req, dims) : null;
    throwIfCancelled(req.signal);

    const noise = new GaussianNoise(req.seed);
    let x = noise.fill(new Float32Array(dims.latentChannels * frames));
    let start = 1;
    if (req.init) {
      const encoded = await this.encode(conform(req.init.audio, spec.sampleRate, spec.channels), dims);
      start = req.init.strength;
      x = mix(this.process, start, encoded, x, new Float32Array(x.length));
    }
    const denoise = guided(
      this.denoiser(cond, audioCond, dims),
      uncond && this.denoiser(uncond, audioCond && { features: zerosLike(audioCond.features), strength: 0 }, dims),
      cfgScale,
    );
    const latent =
      start > 0
        ? await sample(x, {
            sampler,
            process: this.process,
            prediction: spec.prediction,
            timesteps: timesteps(steps, start, spec.schedule, this.process),
            denoise,
            noise,
            signal: req.signal,
            onStep: req.onStep,
          })
        : x;
    throwIfCancelled(req.signal);
    return this.decode(latent, dims, seconds);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const g = this.graphs;
    const all = [g.textEncoder, ...g.conditioners, g.denoiser, g.decoder, g.encoder, g.referenceEncoder].filter((x): x is LoadedGraph => !!x);
    await Promise.all(all.map((x) => x.release().catch(() => undefined)));
  }

  /** Request defaults and limits; throws CuebankError('invalid_input' | 'unsupported'). */
  private check(req: GenerateRequest): { steps: number; cfgScale: number; sampler: SamplerName; seconds: number } {
    const caps = this.capabilities;
    const bad = (msg: string) => new CuebankError('invalid_input', msg);
    if (typeof req.prompt !== 'string') throw bad('The prompt must be text');
    const seconds = req.seconds;
    // A hair over the limit is rounding in the caller's arithmetic, not a longer take.
    if (!(seconds > 0) || seconds > caps.maxSeconds + 1e-6) throw bad(`Take length must be more than 0 and at most ${caps.maxSeconds} s (got ${seconds})`);
    if (!Number.isSafeInteger(req.seed)) throw bad(`The seed must be an integer (got ${req.seed})`);
    const steps = req.steps ?? caps.defaultSteps;
    if (!Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS) throw bad(`Steps must be a whole number from 1 to ${MAX_STEPS} (got ${steps})`);
    const cfgScale = req.cfgScale ?? caps.defaultCfgScale;
    if (!Number.isFinite(cfgScale) || cfgScale < 0) throw bad(`The guidance scale must be 0 or more (got ${cfgScale})`);
    const sampler = req.sampler ?? this.spec.sampler;
    if (!caps.samplers.includes(sampler)) throw bad(`Sampler "${sampler}" is not available for ${this.id} (${caps.samplers.join(', ')})`);
    if (req.references?.length) {
      if (!caps.audioConditioning) throw new CuebankError('unsupported', `Generator pack "${this.id}" has no audio-conditioning input`);
      for (const r of req.references) {
        if (!(r.strength >= 0) || !Number.isFinite(r.strength)) throw bad(`Reference strength must be 0 or more (got ${r.strength})`);
        if (!(r.start >= 0) || !Number.isFinite(r.start)) throw bad(`Reference start must be 0 s or later (got ${r.start})`);
      }
    }
    if (req.init) {
      if (!caps.audioToAudio) throw new CuebankError('unsupported', `Generator pack "${this.id}" has no latent encoder (audio-to-audio)`);
      if (!(req.init.strength >= 0 && req.init.strength <= 1)) throw bad(`Init strength must be from 0 to 1 (got ${req.init.strength})`);
    }
    return { steps, cfgScale, sampler, seconds };
  }

  /** Conditioning values of one prompt: tokens, seconds, text encoder and conditioner outputs. */
  private async condition(prompt: string, seconds: number, dims: DimValues): Promise<Scope> {
    const { tokenizer: tk } = this.spec;
    const encoded = this.tokenizer(prompt, {
      padding: tk.padding === 'max_length' ? 'max_length' : true,
      truncation: true,
      max_length: tk.maxLength,
    }) as unknown as { input_ids: { data: ArrayLike<bigint | number>; dims: number[] }; attention_mask: { data: ArrayLike<bigint | number>; dims: number[] } };
    const ids = Array.from(encoded.input_ids.data, Number);
    const mask = Array.from(encoded.attention_mask.data, Number);
    const scope = new Scope(this.spec.values)
      .set('token_ids', int64(ids, [1, ids.length]))
      .set('attention_mask', int64(mask, [1, mask.length]))
      .set('seconds_total', float32(Float32Array.of(seconds), [1]))
      .set('seconds_start', float32(Float32Array.of(0), [1]));
    const stageDims = { ...dims, tokens: ids.length };
    for (const g of [this.graphs.textEncoder, ...this.graphs.conditioners]) {
      for (const [name, value] of await g.run(scope.get, stageDims)) scope.set(name, value);
    }
    return scope;
  }

  private denoiser(cond: Scope, audioCond: AudioCond | null, dims: DimValues): DenoiseFn {
    const shape = [1, dims.latentChannels, dims.frames];
    return async (x, t) => {
      const step = new Map<string, Value>([
        ['x', float32(x, shape)],
        ['t', float32(Float32Array.of(t * this.spec.timestepScale), [1])],
      ]);
      if (audioCond) {
        step.set('audio_cond', audioCond.features);
        step.set('audio_cond_strength', float32(Float32Array.of(audioCond.strength), [1]));
      }
      const out = await this.graphs.denoiser.run(cond.child(step).get, dims);
      return float32Of(out.get('prediction')!);
    };
  }

  /**
   * Features for the audio-conditioning input: the references placed on the take's timeline, encoded
   * (by the referenceEncoder, else the latent encoder). Without references: zero features, λ = 0.
   */
  private async referenceFeatures(req: GenerateRequest, dims: DimValues): Promise<AudioCond> {
    const refs = req.references ?? [];
    const { buffer, strength } = referenceTimeline(refs, this.spec.sampleRate, this.spec.channels, dims.samples);
    const ref = this.graphs.referenceEncoder;
    if (ref) {
      const out = await ref.run(new Scope({}).set('audio', float32(buffer, [1, dims.channels, dims.samples])).get, dims);
      return { features: out.get('audio_cond')!, strength };
    }
    const shape = [1, dims.latentChannels, dims.frames];
    if (strength === 0) return { features: float32(new Float32Array(shape[1] * shape[2]), shape), strength: 0 };
    return { features: float32(await this.encodeBuffer(buffer, dims), shape), strength };
  }

  private async encode(audio: Float32Array[], dims: DimValues): Promise<Float32Array> {
    const buffer = timeline(dims.channels, dims.samples);
    addAt(buffer, dims.samples, audio, 0);
    return this.encodeBuffer(buffer, dims);
  }

  private async encodeBuffer(buffer: Float32Array, dims: DimValues): Promise<Float32Array> {
    const out = await this.graphs.encoder!.run(new Scope({}).set('audio', float32(buffer, [1, dims.channels, dims.samples])).get, dims);
    const latent = out.get('latent')!;
    const want = dims.latentChannels * dims.frames;
    const size = latent.dims.reduce((a, b) => a * b, 1);
    if (size !== want) {
      throw new CuebankError(
        'model_error',
        `Generator pack "${this.id}": the encoder gave a latent of [${latent.dims.join(', ')}], expected [1, ${dims.latentChannels}, ${dims.frames}]`,
      );
    }
    return Float32Array.from(float32Of(latent));
  }

  private async decode(latent: Float32Array, dims: DimValues, seconds: number): Promise<DecodedAudio> {
    const scope = new Scope({}).set('latent', float32(latent, [1, dims.latentChannels, dims.frames]));
    const out = (await this.graphs.decoder.run(scope.get, dims)).get('audio')!;
    const d = out.dims;
    const channels = d.length === 3 ? d[1] : d.length === 2 ? d[0] : 1;
    const length = d[d.length - 1];
    const wanted = Math.round(seconds * this.spec.sampleRate);
    if ((d.length === 3 && d[0] !== 1) || d.length > 3 || channels !== this.spec.channels || length < wanted) {
      throw new CuebankError(
        'model_error',
        `Generator pack "${this.id}": the decoder gave audio of [${d.join(', ')}], expected [1, ${this.spec.channels}, ≥${wanted}] for ${seconds} s`,
      );
    }
    const data = float32Of(out);
    return {
      sampleRate: this.spec.sampleRate,
      channels: Array.from({ length: channels }, (_, c) => data.slice(c * length, c * length + wanted)),
    };
  }
}

function zerosLike(v: Value): Value {
  return float32(new Float32Array(v.dims.reduce((a, b) => a * b, 1)), [...v.dims]);
}
