/**
 * The production loader (main/engine/models) on the fixture CLAP pack: transformers.js, ONNX
 * Runtime, offline, with the pack's own files only.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { ClapFeatureExtractor, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CuebankError } from '../../../main/engine/errors';
import { discoverPacks, inspectPack, loadEmbedder, MANIFEST_FILE, type ClapEmbedder, type PackInfo } from '../../../main/engine/models';
import { PREPROCESSOR_CONFIG, writeFixturePack } from '../../fixtures/clap-pack';
import { Prng } from '../../fixtures/prng';
import { modelTextProfile, profileFromLogMel, project } from '../../fixtures/semantics';
import { renderConcept } from '../../fixtures/sounds';
import { copyDir, dot, norm, tempDir } from './helpers';

let root: string;
let models: string;
let pack: PackInfo;
let fp32: ClapEmbedder;
let q8: ClapEmbedder;

/** Every way this process could reach the network, counted. */
const network = {
  calls: [] as string[],
  restore: [] as (() => void)[],
};

function watchNetwork(): void {
  const record = (what: string) => (...args: unknown[]) => {
    network.calls.push(`${what} ${String(args[0]).slice(0, 80)}`);
    throw new Error(`network use in a test that must stay offline: ${what}`);
  };
  // Whatever transformers.js's env.fetch is set to, calls go through this wrapper.
  let inner = env.fetch;
  const desc = Object.getOwnPropertyDescriptor(env, 'fetch')!;
  Object.defineProperty(env, 'fetch', {
    configurable: true,
    enumerable: true,
    get: () => (input: string | URL, init?: unknown) => {
      network.calls.push(`env.fetch ${String(input)}`);
      return inner(input, init);
    },
    set: (f) => (inner = f),
  });
  network.restore.push(() => Object.defineProperty(env, 'fetch', { ...desc, value: inner }));
  const spies = [
    vi.spyOn(globalThis, 'fetch').mockImplementation(record('fetch') as never),
    vi.spyOn(http, 'request').mockImplementation(record('http.request') as never),
    vi.spyOn(https, 'request').mockImplementation(record('https.request') as never),
    vi.spyOn(net, 'connect').mockImplementation(record('net.connect') as never),
    vi.spyOn(net, 'createConnection').mockImplementation(record('net.createConnection') as never),
    vi.spyOn(tls, 'connect').mockImplementation(record('tls.connect') as never),
  ];
  network.restore.push(() => spies.forEach((s) => s.mockRestore()));
}

function noise(n: number, seed: number): Float32Array {
  const rng = new Prng(seed);
  return Float32Array.from({ length: n }, () => rng.signed() * 0.2);
}

function normalised(v: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(v);
  const n = norm(out);
  return out.map((x) => x / n);
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

beforeAll(async () => {
  root = tempDir('clap-loader');
  models = path.join(root, 'models');
  writeFixturePack(models);
  // A remote host nothing can reach: if anything tried the Hub, it would hang or fail, not pass.
  env.remoteHost = 'http://10.255.255.1/';
  watchNetwork();
  const found = await discoverPacks(models);
  expect(found.problems).toEqual([]);
  pack = found.packs[0];
  fp32 = await loadEmbedder(pack, { dtype: 'fp32' });
  q8 = await loadEmbedder(pack, { dtype: 'q8' });
});

afterAll(async () => {
  await fp32?.dispose();
  await q8?.dispose();
  network.restore.forEach((r) => r());
  fs.rmSync(root, { recursive: true, force: true });
});

describe('loading the fixture CLAP pack through transformers.js', () => {
  it('loads offline from the models folder and describes itself', () => {
    expect(env.allowRemoteModels).toBe(false);
    expect(env.allowLocalModels).toBe(true);
    expect(env.localModelPath).toBe(models);
    expect(env.useFSCache).toBe(false);
    expect(fp32).toMatchObject({
      space: 'clap-fixture@fp32',
      packId: 'clap-fixture',
      dim: 512,
      sampleRate: 48_000,
      windowSeconds: 10,
      dtype: 'fp32',
      featurePath: 'fast',
    });
    expect(q8.space).toBe('clap-fixture@q8');
    expect(['cpu', 'cuda']).toContain(fp32.provider);
  });

  it('embeds text and audio as L2-normalised 512-d vectors, batching windows in one model call', async () => {
    const texts = await fp32.embedText(['low rumble', 'high beep', 'zzz unknown words']);
    expect(texts).toHaveLength(3);
    for (const v of texts) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(512);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    const windows = [noise(480_000, 1), noise(48_000, 2), renderConcept('beep', { sampleRate: 48_000, seconds: 0.3 })];
    const batch = await fp32.embedAudio(windows);
    expect(batch).toHaveLength(3);
    for (let i = 0; i < windows.length; i++) {
      const [single] = await fp32.embedAudio([windows[i]]);
      expect(norm(single)).toBeCloseTo(1, 5);
      expect(maxAbsDiff(single, batch[i])).toBeLessThan(1e-5);
    }
    expect(await fp32.embedText([])).toEqual([]);
    expect(await fp32.embedAudio([])).toEqual([]);
  });

  it('computes exactly what the fixture semantics define (graph = reference), text and audio', async () => {
    const fe = new ClapFeatureExtractor(PREPROCESSOR_CONFIG) as unknown as (w: Float32Array) => Promise<{ input_features: { data: Float32Array; dims: number[] } }>;
    for (const w of [renderConcept('hum', { sampleRate: 48_000, seconds: 2.2 }), noise(480_000, 3)]) {
      const { input_features } = await fe(w);
      const expected = normalised(project(profileFromLogMel(input_features.data, input_features.dims[2])));
      const [got] = await fp32.embedAudio([w]);
      expect(maxAbsDiff(got, expected)).toBeLessThan(1e-4);
    }
    for (const text of ['low rumble', 'Steam HISS!', 'a sound nobody knows']) {
      const [got] = await fp32.embedText([text]);
      expect(maxAbsDiff(got, normalised(project(modelTextProfile(text))))).toBeLessThan(1e-5);
    }
  });

  it('adds feature and model time to the timings it is given', async () => {
    const timings: Record<string, number> = { decode: 5 };
    await fp32.embedAudio([noise(480_000, 4), noise(480_000, 5)], timings);
    expect(timings.decode).toBe(5);
    expect(timings.features).toBeGreaterThan(0);
    expect(timings.model).toBeGreaterThan(0);
    const before = timings.features;
    await fp32.embedAudio([noise(480_000, 6)], timings);
    expect(timings.features).toBeGreaterThan(before);
  });

  it('refuses windows it would have to crop at random, and empty ones', async () => {
    const err = await fp32.embedAudio([noise(480_001, 7)]).catch((e) => e);
    expect(err).toBeInstanceOf(CuebankError);
    expect(err.code).toBe('invalid_input');
    expect(err.message).toMatch(/at most 10 s per window/);
    await expect(fp32.embedAudio([new Float32Array(0)])).rejects.toThrow(/empty/);
  });

  it('reads onnx/*_quantized.onnx for q8 and onnx/*.onnx for fp32', async () => {
    // Different weights: close, never identical.
    const [a] = await fp32.embedText(['whistle']);
    const [b] = await q8.embedText(['whistle']);
    expect(dot(a, b)).toBeGreaterThan(0.999);
    expect(maxAbsDiff(a, b)).toBeGreaterThan(0);
    const w = renderConcept('hiss', { sampleRate: 48_000, seconds: 1 });
    const [x] = await fp32.embedAudio([w]);
    const [y] = await q8.embedAudio([w]);
    expect(dot(x, y)).toBeGreaterThan(0.999);
    expect(maxAbsDiff(x, y)).toBeGreaterThan(0);

    // And only those files: break one variant's audio graph and only that variant fails.
    for (const [broken, works, fails] of [
      ['audio_model_quantized.onnx', 'fp32', 'q8'],
      ['audio_model.onnx', 'q8', 'fp32'],
    ] as const) {
      const dir = path.join(root, `xenova-${fails}`);
      copyDir(pack.dir, dir);
      fs.rmSync(path.join(dir, MANIFEST_FILE)); // a bare Xenova folder: no checksums to catch it first
      fs.writeFileSync(path.join(dir, 'onnx', broken), 'not an onnx graph');
      const p = inspectPack(dir, root);
      const ok = await loadEmbedder(p, { dtype: works });
      expect(ok.space).toBe(`xenova-${fails}@${works}`);
      await ok.dispose();
      await expect(loadEmbedder(p, { dtype: fails })).rejects.toThrow(/could not start/);
    }
  });

  it('says which weight variants a pack has when asked for one it lacks', async () => {
    await expect(loadEmbedder(pack, { dtype: 'fp16' })).rejects.toThrow(
      'Model pack "clap-fixture" has no fp16 weights (onnx/text_model_fp16.onnx and onnx/audio_model_fp16.onnx); it has fp32, q8',
    );
    await expect(loadEmbedder(pack, { dtype: 'fp64' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('checks the checksums of the files it loads and names the one that changed', async () => {
    const dir = path.join(root, 'tampered');
    copyDir(pack.dir, dir);
    const p = inspectPack(dir, root);
    const file = path.join(dir, 'onnx', 'audio_model_quantized.onnx');
    const bytes = fs.readFileSync(file);
    bytes[100] ^= 1;
    fs.writeFileSync(file, bytes);
    const err = await loadEmbedder(p, { dtype: 'q8' }).catch((e) => e);
    expect(err).toBeInstanceOf(CuebankError);
    expect(err.message).toMatch(/^Model pack "tampered": onnx\/audio_model_quantized\.onnx does not match its checksum in cuebank\.json/);
    // The fp32 files are intact, and they are all an fp32 load reads.
    const ok = await loadEmbedder(p, { dtype: 'fp32' });
    await ok.dispose();
  });

  it('fails with a local-file error, not a download, when a file is missing', async () => {
    const dir = path.join(root, 'no-tokenizer-json');
    copyDir(pack.dir, dir);
    fs.rmSync(path.join(dir, MANIFEST_FILE));
    const p = inspectPack(dir, root);
    fs.rmSync(path.join(dir, 'tokenizer.json'));
    const err = await loadEmbedder(p).catch((e) => e);
    expect(err).toBeInstanceOf(CuebankError);
    expect(err.message).toMatch(/cannot read its tokenizer or preprocessor/);
    expect(err.message).toMatch(/not found locally/);
  });

  it('loads a pack whose folder name is not a Hub-style id, by its path', async () => {
    const odd = path.join(root, 'odd models');
    for (const name of ['Xenova--clap-htsat-unfused', 'clap (copy)']) {
      copyDir(pack.dir, path.join(odd, name));
    }
    const { packs, problems } = await discoverPacks(odd);
    expect(problems).toEqual([]);
    for (const p of packs) {
      const e = await loadEmbedder(p);
      expect(e.space).toBe(`${p.id}@fp32`);
      const [a] = await e.embedText(['hum']);
      const [b] = await fp32.embedText(['hum']);
      expect(maxAbsDiff(a, b)).toBe(0);
      await e.dispose();
    }
  });

  it('tries a provider the user asks for and falls back to CPU with a notice when it cannot start', async () => {
    const e = await loadEmbedder(pack, { executionProviders: ['cuda'] });
    try {
      if (e.provider === 'cpu') {
        expect(e.notices).toEqual([expect.stringMatching(/^CUDA could not be used \(.+\); using CPU instead\.$/)]);
      } else {
        expect(e.provider).toBe('cuda');
        expect(e.notices).toEqual([]);
      }
      const [v] = await e.embedText(['hiss']);
      expect(norm(v)).toBeCloseTo(1, 5);
    } finally {
      await e.dispose();
    }
  });

  it('refuses to work after dispose', async () => {
    const e = await loadEmbedder(pack);
    await e.dispose();
    await e.dispose();
    await expect(e.embedText(['hum'])).rejects.toThrow(/was closed/);
  });

  it('never touched the network', () => {
    expect(network.calls).toEqual([]);
  });
});
