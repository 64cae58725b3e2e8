/**
 * Loading generator packs: find them in a models folder, check their manifest and files, and start
 * their ONNX sessions on the best execution provider that works.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { CuebankError } from '../../errors';
import { MANIFEST_FILE, readManifest, verifyPackFiles } from '../manifest';
import { discoverPacks, type PackInfo, type PackProblem } from '../packs';
import { providerPlan, startWithFallback } from '../providers';
import { LoadedGraph } from './graph';
import { GENERATOR_FORMAT, generatorFiles, inspectGeneratorPack, type GeneratorSpec } from './manifest';
import { OnnxGenerator, type GeneratorGraphs } from './pipeline';

export interface LoadGeneratorOptions {
  /** Providers to prefer, best first; CPU is always tried last. Default: per platform. */
  executionProviders?: string[] | null;
}

/**
 * The generator packs this runtime can load in a models folder (role "generator", format
 * GENERATOR_FORMAT in cuebank.json), in folder-name order, and a one-line problem for each folder
 * whose cuebank.json says "generator" but cannot be used here.
 */
export async function findGeneratorPacks(modelsDir: string): Promise<{ packs: PackInfo[]; problems: PackProblem[] }> {
  const { packs, problems } = await discoverPacks(modelsDir);
  const saysGenerator = (dir: string) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'))?.role === 'generator';
    } catch {
      return false;
    }
  };
  const generators = packs.filter((p) => p.role === 'generator');
  const foreign = generators
    .filter((p) => p.format !== GENERATOR_FORMAT)
    .map((p) => ({ dir: p.dir, error: `Model pack "${p.id}": generator format "${p.format}" is not supported (only "${GENERATOR_FORMAT}")` }));
  return {
    packs: generators.filter((p) => p.format === GENERATOR_FORMAT),
    problems: [...problems.filter((p) => saysGenerator(p.dir)), ...foreign],
  };
}

/** transformers.js reads the tokenizer from the pack folder only, never the network or a cache. */
function localFilesOnly(): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useFSCache = false;
  env.useBrowserCache = false;
  env.useCustomCache = false;
}

async function loadTokenizer(dir: string, packId: string, folder: string): Promise<PreTrainedTokenizer> {
  localFilesOnly();
  try {
    // An absolute path is never read as a Hub id (transformers.js isValidHfModelId), so no localModelPath is involved.
    return await AutoTokenizer.from_pretrained(path.resolve(dir, ...folder.split('/')), { local_files_only: true });
  } catch (err) {
    throw new CuebankError('model_error', `Generator pack "${packId}": cannot read its tokenizer in ${folder}/ (${(err as Error).message})`, { cause: err });
  }
}

async function loadGraphs(dir: string, packId: string, spec: GeneratorSpec, executionProviders: string[]): Promise<GeneratorGraphs> {
  const loaded: LoadedGraph[] = [];
  const load = async (role: string, g: GeneratorSpec['graphs']['denoiser'] | undefined): Promise<LoadedGraph | null> => {
    if (!g) return null;
    if (g.optional && !fs.existsSync(path.join(dir, ...g.file.split('/')))) return null;
    const graph = await LoadedGraph.load(dir, packId, role, g, executionProviders);
    loaded.push(graph);
    return graph;
  };
  try {
    const g = spec.graphs;
    const conditioners: LoadedGraph[] = [];
    for (let i = 0; i < g.conditioners.length; i++) {
      const c = await load(`conditioner ${i + 1}`, g.conditioners[i]);
      if (c) conditioners.push(c);
    }
    return {
      textEncoder: (await load('text encoder', g.textEncoder))!,
      conditioners,
      denoiser: (await load('denoiser', g.denoiser))!,
      decoder: (await load('decoder', g.decoder))!,
      encoder: await load('encoder', g.encoder),
      referenceEncoder: await load('reference encoder', g.referenceEncoder),
    };
  } catch (err) {
    await Promise.all(loaded.map((x) => x.release().catch(() => undefined)));
    throw err;
  }
}

/**
 * Loads the generator pack in `pack` (a folder or a discovered PackInfo): validates cuebank.json,
 * verifies the SHA-256 of every file it reads that the manifest lists, loads the tokenizer from the
 * pack's folder and starts the graphs, falling back from a failing accelerator to CPU with a notice.
 */
export async function loadGenerator(pack: string | PackInfo, options: LoadGeneratorOptions = {}): Promise<OnnxGenerator> {
  const dir = path.resolve(typeof pack === 'string' ? pack : pack.dir);
  const id = typeof pack === 'string' ? path.basename(dir) : pack.id;
  if (!fs.existsSync(path.join(dir, MANIFEST_FILE))) {
    throw new CuebankError('model_error', `Generator pack "${id}" has no ${MANIFEST_FILE} (${dir})`);
  }
  let spec: GeneratorSpec;
  try {
    const manifest = readManifest(dir);
    spec = inspectGeneratorPack(dir, manifest);
    await verifyPackFiles(dir, manifest, generatorFiles(dir, spec));
  } catch (err) {
    if (err instanceof CuebankError && !err.message.startsWith('Model pack')) {
      throw new CuebankError(err.code, `Generator pack "${id}": ${err.message}`, { cause: err });
    }
    throw err;
  }
  const tokenizer = await loadTokenizer(dir, id, spec.tokenizer.folder);
  let started: Awaited<ReturnType<typeof startWithFallback<GeneratorGraphs>>>;
  try {
    started = await startWithFallback(providerPlan(options.executionProviders), (_p, eps) => loadGraphs(dir, id, spec, eps));
  } catch (err) {
    if (err instanceof CuebankError) throw err;
    throw new CuebankError('model_error', `Generator pack "${id}" could not start: ${(err as Error).message}`, { cause: err });
  }
  return new OnnxGenerator(id, spec, tokenizer, started.value, started.provider, started.notices);
}
