/**
 * The "generator" section of cuebank.json: everything the text-to-audio runtime needs to run a pack,
 * so that a new export (Stable Audio Open Small, the fixture pack, ...) needs a manifest, not code.
 *
 * The pack is a small data-flow program over named values. The runtime provides some values itself
 * (RUNTIME_VALUES: token ids, seconds, the latent x, the timestep t, the audio-conditioning features
 * and strength); each graph maps its ONNX inputs to value names (or to a constant fill) and its ONNX
 * outputs to new value names; `values` derives more values from those (concatenation, reshape,
 * token masking), which is how Stable Audio's cross_attn_cond = [T5 states; seconds embedding] is
 * built without code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CuebankError } from '../../errors';
import { MANIFEST_FILE, type Manifest } from '../manifest';

/** Value of `format` for packs this runtime runs. */
export const GENERATOR_FORMAT = 'cuebank-onnx-t2a';

/**
 * Values the runtime provides, by stage:
 *  conditioning (once per prompt): token_ids, attention_mask (int64 [1, tokens]), seconds_total,
 *    seconds_start (float [1]);
 *  denoising (each step): x (latent [1, channels, frames]), t (float [1], scaled by timestepScale),
 *    audio_cond (reference features: the encoded reference audio placed on the take's timeline, or
 *    the referenceEncoder's output), audio_cond_strength (λ, float [1]; 0 without references);
 *  decoding: latent (the final latent); encoding: audio (float [1, channels, samples]).
 */
export const RUNTIME_VALUES = {
  conditioning: ['token_ids', 'attention_mask', 'seconds_total', 'seconds_start'],
  denoiser: ['x', 't', 'audio_cond', 'audio_cond_strength'],
  decoder: ['latent'],
  encoder: ['audio'],
} as const;

/** The output each graph must produce, by the value name the runtime reads. */
export const REQUIRED_OUTPUT = {
  denoiser: 'prediction',
  decoder: 'audio',
  encoder: 'latent',
  referenceEncoder: 'audio_cond',
} as const;

const PackPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !/^[a-zA-Z]:/.test(p) && !p.includes('\\'), 'must be a relative path with "/"')
  .refine((p) => p.split('/').every((part) => part !== '' && part !== '.' && part !== '..'), 'must stay inside the pack');

const ValueName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.:-]*$/, 'must be a value name (letters, digits, _ . : -)');

/** Symbolic dimensions a fill shape may use; the runtime knows them for each take. */
export const SYMBOLIC_DIMS = ['batch', 'frames', 'latentChannels', 'samples', 'channels', 'tokens'] as const;
export type SymbolicDim = (typeof SYMBOLIC_DIMS)[number];

/** A constant input, e.g. Stable Audio's padding_mask: `{ "fill": 1, "shape": ["batch", "frames"] }`. */
const Fill = z.strictObject({
  fill: z.number(),
  shape: z.array(z.union([z.number().int().nonnegative(), z.enum(SYMBOLIC_DIMS)])),
});
export type FillSpec = z.infer<typeof Fill>;

const Binding = z.union([ValueName, Fill]);
export type BindingSpec = z.infer<typeof Binding>;

const Graph = z.strictObject({
  /** The ONNX file, relative to the pack. */
  file: PackPath,
  /** ONNX input name -> the value (or constant) that feeds it. Every graph input must be bound. */
  inputs: z.record(z.string().min(1), Binding),
  /** ONNX output name -> the value name it becomes. Outputs not listed are not read. */
  outputs: z.record(z.string().min(1), ValueName),
  /** Load only when the file exists (e.g. an encoder some exports leave out); its capability follows. */
  optional: z.boolean().default(false),
});
export type GraphSpec = z.infer<typeof Graph>;

const Derived = z.union([
  /** Concatenation along an axis (negative counts from the end). */
  z.strictObject({ concat: z.array(ValueName).min(1), axis: z.number().int() }),
  /** ONNX Reshape semantics: 0 copies the input's dimension, -1 is inferred. */
  z.strictObject({ reshape: ValueName, shape: z.array(z.number().int().min(-1)).min(1) }),
  /** A [batch, tokens, dim] value with padded token rows zeroed by a [batch, tokens] mask (T5Conditioner does this). */
  z.strictObject({ maskTokens: ValueName, mask: ValueName }),
]);
export type DerivedSpec = z.infer<typeof Derived>;

export const SAMPLERS = ['euler', 'pingpong'] as const;

const Schedule = z.union([
  /** t evenly spaced from the start (1, or the audio-to-audio strength) to 0. */
  z.strictObject({ spacing: z.literal('linear') }),
  /** log-SNR evenly spaced from logsnrMin to logsnrMax (Stable Audio Open Small's ping-pong), then scaled to the start. */
  z.strictObject({ spacing: z.literal('logsnr'), logsnrMin: z.number(), logsnrMax: z.number() }),
]);

export const GeneratorSectionSchema = z.looseObject({
  /** Longest take one pass renders, seconds. */
  maxSeconds: z.number().positive(),
  tokenizer: z.strictObject({
    /** Folder with tokenizer.json and tokenizer_config.json, relative to the pack. */
    folder: PackPath,
    maxLength: z.number().int().positive(),
    /** "max_length" pads every prompt to maxLength (T5 exports are traced that way); "longest" does not pad. */
    padding: z.enum(['max_length', 'longest']).default('max_length'),
  }),
  latent: z.strictObject({
    channels: z.number().int().positive(),
    /** Audio samples per latent frame (the autoencoder's downsampling ratio). */
    samplesPerFrame: z.number().int().positive(),
    /** A fixed latent length (Stable Audio Open Small: 256); without it, frames = ceil(seconds · rate / samplesPerFrame). */
    frames: z.number().int().positive().optional(),
  }),
  /** How noise is mixed in: x_t = (1-t)·x0 + t·noise ("rectified-flow"), or cos/sin(πt/2) weights ("cosine", v-diffusion). */
  process: z.enum(['rectified-flow', 'cosine']).default('rectified-flow'),
  /** What the denoiser outputs: flow velocity (noise - x0), v (α·noise - σ·x0), the noise, or the clean latent. */
  prediction: z.enum(['velocity', 'v', 'eps', 'x0']),
  /** The t fed to the denoiser is t · timestepScale (1 for Stable Audio; 1000 for models trained on integer steps). */
  timestepScale: z.number().positive().default(1),
  schedule: Schedule.default({ spacing: 'linear' }),
  samplers: z.array(z.enum(SAMPLERS)).min(1).default(['euler', 'pingpong']),
  sampler: z.enum(SAMPLERS).default('euler'),
  steps: z.number().int().positive().default(8),
  cfgScale: z.number().nonnegative().default(1),
  /** Prompt of the unconditional pass when the request names none. */
  negativePrompt: z.string().default(''),
  graphs: z.strictObject({
    textEncoder: Graph,
    /** Run after the text encoder, in order (e.g. Stable Audio's number conditioner for seconds_total). */
    conditioners: z.array(Graph).default([]),
    denoiser: Graph,
    decoder: Graph,
    /** Latent encoder: audio -> latent (audio-to-audio; also the reference features unless referenceEncoder is given). */
    encoder: Graph.optional(),
    /** Audio -> features for the denoiser's audio_cond input, when they are not the latent (e.g. an AudioMAE). */
    referenceEncoder: Graph.optional(),
  }),
  values: z.record(ValueName, Derived).default({}),
});
export type GeneratorSection = z.infer<typeof GeneratorSectionSchema>;

/** Everything the runtime needs from cuebank.json, checked. */
export interface GeneratorSpec extends GeneratorSection {
  sampleRate: number;
  channels: number;
}

function derivedDeps(d: DerivedSpec): string[] {
  if ('concat' in d) return d.concat;
  if ('reshape' in d) return [d.reshape];
  return [d.maskTokens, d.mask];
}

const bindingNames = (g: GraphSpec) => Object.values(g.inputs).filter((b): b is string => typeof b === 'string');

/**
 * Checks that every name resolves, in the order the runtime computes values: conditioning graphs see
 * the conditioning values and earlier outputs; the denoiser also sees the step values; derived values
 * see whatever their stage sees. Returns one-line problems (empty when the data flow is sound).
 */
export function dataFlowProblems(s: GeneratorSection): string[] {
  const problems: string[] = [];
  const derived = s.values;
  const conditioning = new Set<string>(RUNTIME_VALUES.conditioning);
  const graphs = s.graphs;

  // A derived value is available in a stage when all its dependencies are (no cycles).
  const available = (name: string, base: Set<string>, seen: string[] = []): boolean => {
    if (base.has(name)) return true;
    const d = derived[name];
    if (!d || seen.includes(name)) return false;
    return derivedDeps(d).every((dep) => available(dep, base, [...seen, name]));
  };
  const check = (where: string, g: GraphSpec, base: Set<string>) => {
    for (const [input, b] of Object.entries(g.inputs)) {
      if (typeof b !== 'string' || available(b, base)) continue;
      const known = [...base, ...Object.keys(derived)].join(', ');
      problems.push(`generator.graphs.${where}.inputs.${input}: no value "${b}" at this point (known: ${known})`);
    }
  };
  const produce = (g: GraphSpec, into: Set<string>) => Object.values(g.outputs).forEach((v) => into.add(v));

  check('textEncoder', graphs.textEncoder, conditioning);
  produce(graphs.textEncoder, conditioning);
  graphs.conditioners.forEach((g, i) => {
    check(`conditioners.${i}`, g, conditioning);
    produce(g, conditioning);
  });
  const denoise = new Set<string>([...conditioning, ...RUNTIME_VALUES.denoiser]);
  check('denoiser', graphs.denoiser, denoise);
  check('decoder', graphs.decoder, new Set(RUNTIME_VALUES.decoder));
  if (graphs.encoder) check('encoder', graphs.encoder, new Set(RUNTIME_VALUES.encoder));
  if (graphs.referenceEncoder) check('referenceEncoder', graphs.referenceEncoder, new Set(RUNTIME_VALUES.encoder));

  const outputs: [string, GraphSpec | undefined, string][] = [
    ['denoiser', graphs.denoiser, REQUIRED_OUTPUT.denoiser],
    ['decoder', graphs.decoder, REQUIRED_OUTPUT.decoder],
    ['encoder', graphs.encoder, REQUIRED_OUTPUT.encoder],
    ['referenceEncoder', graphs.referenceEncoder, REQUIRED_OUTPUT.referenceEncoder],
  ];
  for (const [where, g, wanted] of outputs) {
    if (g && !Object.values(g.outputs).includes(wanted)) {
      problems.push(`generator.graphs.${where}.outputs: one output must map to "${wanted}"`);
    }
  }
  for (const [name, d] of Object.entries(derived)) {
    if (denoise.has(name)) {
      problems.push(`generator.values.${name}: "${name}" is already a runtime value or a graph output`);
    } else if (!available(name, denoise)) {
      problems.push(`generator.values.${name}: depends on unknown values or on itself (${derivedDeps(d).join(', ')})`);
    }
  }
  if (bindingNames(graphs.denoiser).includes('audio_cond') && !graphs.encoder && !graphs.referenceEncoder) {
    problems.push('generator.graphs.denoiser: takes audio_cond but the pack has neither an encoder nor a referenceEncoder to compute it');
  }
  if (bindingNames(graphs.denoiser).includes('audio_cond') !== bindingNames(graphs.denoiser).includes('audio_cond_strength')) {
    problems.push('generator.graphs.denoiser: audio_cond and audio_cond_strength go together (features and λ)');
  }
  if (s.prediction === 'velocity' && s.process !== 'rectified-flow') {
    problems.push('generator.prediction: "velocity" needs process "rectified-flow" (use "v" for v-diffusion)');
  }
  if (s.prediction === 'v' && s.process !== 'cosine') {
    problems.push('generator.prediction: "v" needs process "cosine" (use "velocity" for rectified flow)');
  }
  if (!s.samplers.includes(s.sampler)) problems.push(`generator.sampler: "${s.sampler}" is not in generator.samplers`);
  if (s.schedule.spacing === 'logsnr' && !(s.schedule.logsnrMax > s.schedule.logsnrMin)) {
    problems.push('generator.schedule: logsnrMax must be above logsnrMin');
  }
  return problems;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `generator.${i.path.join('.') || '(section)'}: ${i.message}`)
    .join('; ');
}

/**
 * The generator spec of a parsed cuebank.json; throws CuebankError with a one-line reason naming
 * the field, e.g. `generator.graphs.denoiser.file: Invalid input: expected string`.
 */
export function parseGeneratorSpec(manifest: Manifest): GeneratorSpec {
  if (manifest.role !== 'generator') throw new CuebankError('model_error', `${MANIFEST_FILE} has role "${manifest.role}", not "generator"`);
  if (manifest.format !== GENERATOR_FORMAT) {
    throw new CuebankError('model_error', `${MANIFEST_FILE} must have format "${GENERATOR_FORMAT}" for a generator pack (found ${manifest.format ? `"${manifest.format}"` : 'none'})`);
  }
  if (!manifest.audio?.channels) {
    throw new CuebankError('model_error', `${MANIFEST_FILE} must give audio.sampleRate and audio.channels (what the decoder produces)`);
  }
  if (!manifest.generator) throw new CuebankError('model_error', `${MANIFEST_FILE} has no "generator" section`);
  const parsed = GeneratorSectionSchema.safeParse(manifest.generator);
  if (!parsed.success) throw new CuebankError('model_error', `${MANIFEST_FILE} is invalid: ${describeIssues(parsed.error)}`);
  const problems = dataFlowProblems(parsed.data);
  if (problems.length) throw new CuebankError('model_error', `${MANIFEST_FILE} is invalid: ${problems.slice(0, 3).join('; ')}`);
  return { ...parsed.data, sampleRate: manifest.audio.sampleRate, channels: manifest.audio.channels };
}

/** Graphs of a spec with their role, optional ones included. */
export function graphEntries(spec: GeneratorSection): [string, GraphSpec][] {
  const g = spec.graphs;
  const list: [string, GraphSpec | undefined][] = [
    ['textEncoder', g.textEncoder],
    ...g.conditioners.map((c, i) => [`conditioners.${i}`, c] as [string, GraphSpec]),
    ['denoiser', g.denoiser],
    ['decoder', g.decoder],
    ['encoder', g.encoder],
    ['referenceEncoder', g.referenceEncoder],
  ];
  return list.filter((e): e is [string, GraphSpec] => !!e[1]);
}

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'];

/** Pack files the runtime reads, relative to the pack (optional graphs only when present). */
export function generatorFiles(packDir: string, spec: GeneratorSection): string[] {
  const files = TOKENIZER_FILES.map((f) => `${spec.tokenizer.folder}/${f}`);
  for (const [, g] of graphEntries(spec)) {
    if (g.optional && !fs.existsSync(path.join(packDir, ...g.file.split('/')))) continue;
    files.push(g.file);
  }
  return files;
}

/**
 * What discovery checks for a generator pack: the manifest's generator section and that every file
 * it needs is there. Returns the parsed spec; throws CuebankError with a one-line reason.
 */
export function inspectGeneratorPack(packDir: string, manifest: Manifest): GeneratorSpec {
  const spec = parseGeneratorSpec(manifest);
  const missing = generatorFiles(packDir, spec).filter((rel) => !fs.existsSync(path.join(packDir, ...rel.split('/'))));
  if (missing.length) {
    throw new CuebankError('model_error', `missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}, named in ${MANIFEST_FILE}`);
  }
  return spec;
}
