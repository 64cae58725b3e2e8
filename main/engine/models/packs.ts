import fs from 'node:fs';
import path from 'node:path';
import { CuebankError } from '../errors';
import { MANIFEST_FILE, readManifest, type Manifest } from './manifest';
import { GENERATOR_FORMAT, inspectGeneratorPack } from './generator/manifest';
import type { PackRole } from './types';

/**
 * Weight variants and the file suffix each selects (onnx/<graph><suffix>.onnx), as
 * transformers.js's DEFAULT_DTYPE_SUFFIX_MAPPING names them.
 */
export const DTYPE_SUFFIX: Readonly<Record<string, string>> = {
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/** Layout of CLAP packs: the published Xenova one (config.json model_type "clap"). */
export const CLAP_FORMAT = 'xenova-clap';

/** What a CLAP pack's preprocessor_config.json says about the audio it takes. */
export interface ClapPackAudio {
  sampleRate: number;
  /** max_length_s: the longest window one embedding covers. */
  windowSeconds: number;
  /** nb_max_samples: windowSeconds at sampleRate, in samples. */
  maxSamples: number;
  /** projection_dim from config.json. */
  dim: number;
  /** frequency_max: the highest frequency the model's features see (Hz). */
  maxFrequency: number;
}

export interface PackInfo {
  /** Folder name inside the models folder; the model id transformers.js loads. */
  id: string;
  /** Absolute path of the pack folder. */
  dir: string;
  modelsDir: string;
  role: PackRole;
  /** How the files are laid out and run: "xenova-clap", or what cuebank.json says for other roles. */
  format: string;
  name: string;
  licence: string | null;
  /** cuebank.json when the pack has one. */
  manifest: Manifest | null;
  /** Weight variants with every graph present, e.g. ['fp32', 'q8']. */
  dtypes: string[];
  /** The variant used when none is asked for: the manifest's, else fp32 when present, else the first. */
  defaultDtype: string | null;
  /** For CLAP packs. */
  clap: ClapPackAudio | null;
}

export interface PackProblem {
  dir: string;
  error: string;
}

/** The plain-language note shown wherever meaning-based search is unavailable. */
export const NO_CLAP_PACK_MESSAGE =
  'Meaning-based search needs a CLAP model pack. Download one on the Models screen ' +
  '(or `cuebank models download clap-htsat-unfused --models <models folder>`), or copy a Xenova CLAP folder such as ' +
  'Xenova/clap-htsat-unfused (config.json, tokenizer files and its onnx/ folder) into <models folder>, ' +
  'then look for packs again. Search by name and metadata works without it.';

/** NO_CLAP_PACK_MESSAGE with the actual models folder. */
export function noClapPackMessage(modelsDir: string): string {
  return NO_CLAP_PACK_MESSAGE.replaceAll('<models folder>', modelsDir);
}

const isFile = (p: string) => {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};
const isDir = (p: string) => {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
};

function readJson(dir: string, file: string): Record<string, unknown> {
  const p = path.join(dir, file);
  if (!isFile(p)) throw new CuebankError('model_error', `${file} is missing`);
  try {
    const v = JSON.parse(fs.readFileSync(p, 'utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new CuebankError('model_error', `${file} is not valid JSON (${(err as Error).message})`);
  }
}

/** Does the folder look like it holds a model at all (ours, Xenova's, or a broken one)? */
function looksLikeModel(dir: string): boolean {
  if (isFile(path.join(dir, MANIFEST_FILE)) || isFile(path.join(dir, 'config.json'))) return true;
  if (isDir(path.join(dir, 'onnx'))) return true;
  try {
    return fs.readdirSync(dir).some((f) => f.toLowerCase().endsWith('.onnx'));
  } catch {
    return false;
  }
}

/** Dtypes for which every named graph exists as onnx/<graph><suffix>.onnx. */
export function availableDtypes(dir: string, graphs: string[]): string[] {
  return Object.entries(DTYPE_SUFFIX)
    .filter(([, suffix]) => graphs.every((g) => isFile(path.join(dir, 'onnx', `${g}${suffix}.onnx`))))
    .map(([dtype]) => dtype);
}

function inspectClap(dir: string, manifest: Manifest | null): Pick<PackInfo, 'dtypes' | 'clap'> {
  const config = readJson(dir, 'config.json');
  if (config.model_type !== 'clap') {
    const found = typeof config.model_type === 'string' ? `"${config.model_type}"` : 'none';
    throw new CuebankError(
      'model_error',
      manifest
        ? `an embedder pack must be a CLAP model (config.json model_type "clap"); found ${found}`
        : `config.json has model_type ${found}; Cuebank uses CLAP packs (model_type "clap") for search`,
    );
  }
  const pre = readJson(dir, 'preprocessor_config.json');
  const sampleRate = Number(pre.sampling_rate);
  if (!(sampleRate > 0)) throw new CuebankError('model_error', 'preprocessor_config.json has no sampling_rate');
  if (pre.truncation === 'fusion') {
    throw new CuebankError('model_error', 'preprocessor_config.json asks for "fusion" truncation, which transformers.js cannot run; use an unfused CLAP pack');
  }
  const maxSamples = Number(pre.nb_max_samples ?? Number(pre.max_length_s) * sampleRate);
  if (!(maxSamples > 0)) throw new CuebankError('model_error', 'preprocessor_config.json has neither nb_max_samples nor max_length_s');
  const windowSeconds = Number(pre.max_length_s ?? maxSamples / sampleRate);
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) {
    if (!isFile(path.join(dir, f))) throw new CuebankError('model_error', `${f} is missing`);
  }
  const dtypes = availableDtypes(dir, ['text_model', 'audio_model']);
  if (dtypes.length === 0) {
    const text = availableDtypes(dir, ['text_model']);
    const audio = availableDtypes(dir, ['audio_model']);
    const detail =
      text.length && !audio.length
        ? 'onnx/audio_model*.onnx is missing'
        : audio.length && !text.length
          ? 'onnx/text_model*.onnx is missing'
          : text.length && audio.length
            ? `the text and audio graphs have no weight variant in common (text: ${text.join(', ')}; audio: ${audio.join(', ')})`
            : 'expected onnx/text_model.onnx and onnx/audio_model.onnx (or their _quantized / _fp16 variants)';
    throw new CuebankError('model_error', `no usable ONNX graphs: ${detail}`);
  }
  const dim = Number(config.projection_dim ?? 512);
  // The mel filter bank ignores everything above frequency_max: resampling need not preserve it.
  const maxFrequency = Math.min(sampleRate / 2, Number(pre.frequency_max ?? sampleRate / 2) || sampleRate / 2);
  return { dtypes, clap: { sampleRate, windowSeconds, maxSamples, dim, maxFrequency } };
}

/** Inspects one folder that looks like a model; throws CuebankError when it is not usable. */
export function inspectPack(dir: string, modelsDir = path.dirname(dir)): PackInfo {
  const id = path.basename(dir);
  const manifest = isFile(path.join(dir, MANIFEST_FILE)) ? readManifest(dir) : null;
  const role: PackRole = manifest?.role ?? 'embedder';

  let format: string;
  let dtypes: string[] = [];
  let clap: ClapPackAudio | null = null;
  if (role === 'embedder') {
    if (!manifest && !isFile(path.join(dir, 'config.json'))) {
      throw new CuebankError('model_error', `has ONNX files but neither config.json nor ${MANIFEST_FILE}`);
    }
    if (manifest?.format && manifest.format !== CLAP_FORMAT) {
      throw new CuebankError('model_error', `embedder format "${manifest.format}" is not supported (only "${CLAP_FORMAT}")`);
    }
    ({ dtypes, clap } = inspectClap(dir, manifest));
    format = CLAP_FORMAT;
  } else if (role === 'generator' && manifest?.format === GENERATOR_FORMAT) {
    // Its generator section names every graph and tokenizer file: the pack is checked here in full,
    // so discovery lists only packs that can load. One weight variant: the files the manifest names.
    inspectGeneratorPack(dir, manifest);
    format = GENERATOR_FORMAT;
    dtypes = [manifest.dtype ?? 'fp32'];
  } else {
    // Other generator formats, critics and captioners are listed from their manifest; their loaders check the rest.
    if (!manifest?.format) throw new CuebankError('model_error', `${MANIFEST_FILE} must name the pack's format for role "${role}"`);
    format = manifest.format;
    dtypes = availableDtypes(dir, ['model']);
  }

  if (manifest) {
    const missing = Object.keys(manifest.sha256).filter((rel) => !isFile(path.join(dir, ...rel.split('/'))));
    if (missing.length) {
      throw new CuebankError('model_error', `missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}, listed in ${MANIFEST_FILE}`);
    }
    if (manifest.dtype && dtypes.length && !dtypes.includes(manifest.dtype)) {
      throw new CuebankError('model_error', `${MANIFEST_FILE} asks for dtype "${manifest.dtype}", but the pack has ${dtypes.join(', ')}`);
    }
  }
  const defaultDtype = manifest?.dtype ?? (dtypes.includes('fp32') ? 'fp32' : (dtypes[0] ?? null));
  return {
    id,
    dir,
    modelsDir,
    role,
    format,
    name: manifest?.name ?? id,
    licence: manifest?.licence ?? null,
    manifest,
    dtypes,
    defaultDtype,
    clap,
  };
}

/**
 * Lists the model packs in a models folder: one pack per sub-folder. Folders that hold no model
 * (a library of sounds, notes) are skipped silently; a folder that looks like a model but cannot
 * be used (bad JSON, missing tokenizer or graphs, an unsupported model type, an invalid
 * cuebank.json) is reported in `problems` with a one-line reason, never thrown. A missing models
 * folder gives no packs and no problems.
 */
export async function discoverPacks(modelsDir: string): Promise<{ packs: PackInfo[]; problems: PackProblem[] }> {
  const root = path.resolve(modelsDir);
  const packs: PackInfo[] = [];
  const problems: PackProblem[] = [];
  let names: string[];
  try {
    names = (await fs.promises.readdir(root)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { packs, problems };
    return { packs, problems: [{ dir: root, error: `Cannot read the models folder: ${(err as Error).message}` }] };
  }
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const dir = path.join(root, name);
    if (!isDir(dir) || !looksLikeModel(dir)) continue;
    try {
      packs.push(inspectPack(dir, root));
    } catch (err) {
      problems.push({ dir, error: `Model pack "${name}": ${(err as Error).message}` });
    }
  }
  return { packs, problems };
}

/**
 * The embedder pack to use: the one with `preferredId` when given and present, else the first CLAP
 * embedder in folder-name order. Null when there is none (show NO_CLAP_PACK_MESSAGE).
 */
export function findEmbedderPack(packs: PackInfo[], preferredId?: string | null): PackInfo | null {
  const embedders = packs.filter((p) => p.role === 'embedder' && p.format === CLAP_FORMAT && p.dtypes.length > 0);
  if (preferredId) {
    const preferred = embedders.find((p) => p.id === preferredId);
    if (preferred) return preferred;
  }
  return embedders[0] ?? null;
}
