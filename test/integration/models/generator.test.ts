/**
 * The text-to-audio runtime (main/engine/models/generator) on the fixture generator pack: real ONNX
 * graphs, the pack's tokenizer, both samplers. What the takes contain is measured twice, with a plain
 * spectrum meter and with the fixture CLAP pack through the production embedder, so a test passes
 * only when the audio really holds (or lacks) the concept.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resample } from '../../../main/engine/audio';
import type { DecodedAudio } from '../../../main/engine/audio/types';
import { CuebankError } from '../../../main/engine/errors';
import { discoverPacks, findEmbedderPack, loadEmbedder, type ClapEmbedder } from '../../../main/engine/models';
import { findGeneratorPacks, loadGenerator, type OnnxGenerator } from '../../../main/engine/models/generator';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { GENERATOR_PACK_ID } from '../../fixtures/generator-pack';
import { LEVEL } from '../../fixtures/generator-graphs';
import { conceptById, type ConceptId } from '../../fixtures/semantics';
import { LIBRARY, renderSound } from '../../fixtures/sounds';
import { bandRms } from '../../fixtures/spectrum';
import { dot, tempDir } from './helpers';

let root: string;
let fixtures: FixtureSet;
let generator: OnnxGenerator;
let clap: ClapEmbedder;

beforeAll(async () => {
  root = tempDir('generator');
  fixtures = writeFixtures(root);
  const { packs, problems } = await findGeneratorPacks(fixtures.modelsDir);
  expect(problems).toEqual([]);
  expect(packs.map((p) => p.id)).toEqual([GENERATOR_PACK_ID]);
  generator = await loadGenerator(packs[0], { executionProviders: ['cpu'] });
  clap = await loadEmbedder(findEmbedderPack((await discoverPacks(fixtures.modelsDir)).packs)!);
});

afterAll(async () => {
  await generator?.dispose();
  await clap?.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

const mono = (a: DecodedAudio) => {
  const out = new Float32Array(a.channels[0].length);
  for (const c of a.channels) for (let i = 0; i < out.length; i++) out[i] += c[i] / a.channels.length;
  return out;
};

/** Band RMS of the concept in the take (or in [from, to) seconds of it), power-averaged over channels. */
function level(a: DecodedAudio, concept: ConceptId, from = 0, to = Infinity): number {
  const [start, end] = [Math.round(from * a.sampleRate), Math.min(a.channels[0].length, Math.round(to * a.sampleRate))];
  const powers = a.channels.map((c) => bandRms(c.subarray(start, end), a.sampleRate, conceptById(concept).band) ** 2);
  return Math.sqrt(powers.reduce((x, y) => x + y, 0) / powers.length);
}

/** Cosine between the CLAP embedding of the take (or a part of it) and a text. */
async function similarity(a: DecodedAudio, text: string, from = 0, to = Infinity): Promise<number> {
  const x = mono(a).subarray(Math.round(from * a.sampleRate), Math.min(a.channels[0].length, Math.round(to * a.sampleRate)));
  const [audio] = await clap.embedAudio([resample(x, a.sampleRate, clap.sampleRate)]);
  const [t] = await clap.embedText([text]);
  return dot(audio, t);
}

/** A library sound of the concept, as the loop would hand it over (mono, its own rate). */
function librarySound(text: string): DecodedAudio {
  const spec = LIBRARY.find((s) => s.text === text)!;
  return renderSound(spec, { mono: true });
}

describe('fixture generator pack', () => {
  it('says what it can do', () => {
    expect(generator.capabilities).toEqual({
      sampleRate: 44_100,
      channels: 2,
      maxSeconds: 12,
      audioConditioning: true,
      audioToAudio: true,
      samplers: ['euler', 'pingpong'],
      defaultSteps: 8,
      defaultCfgScale: 1,
    });
    expect(generator.id).toBe(GENERATOR_PACK_ID);
  });

  it('renders the concept it is asked for, at 44.1 kHz stereo, the same for the same seed', async () => {
    const a = await generator.generate({ prompt: 'a kettle whistle', seconds: 5, seed: 7 });
    expect(a.sampleRate).toBe(44_100);
    expect(a.channels).toHaveLength(2);
    expect(a.channels[0].length).toBe(5 * 44_100);
    expect(level(a, 'whistle')).toBeGreaterThan(0.7 * LEVEL);
    expect(level(a, 'whistle')).toBeLessThan(1.3 * LEVEL);
    for (const other of ['rumble', 'hum', 'whoosh', 'beep', 'hiss'] as const) expect(level(a, other), other).toBeLessThan(0.05 * LEVEL);
    // Decorrelated stereo, as the library's noises are.
    expect(Array.from(a.channels[0].subarray(0, 100))).not.toEqual(Array.from(a.channels[1].subarray(0, 100)));

    const again = await generator.generate({ prompt: 'a kettle whistle', seconds: 5, seed: 7 });
    expect(again.channels.map((c, i) => Buffer.from(c.buffer).equals(Buffer.from(a.channels[i].buffer)))).toEqual([true, true]);
  });

  it('renders "low rumble" so that the fixture CLAP recognises it', async () => {
    const a = await generator.generate({ prompt: 'low rumble', seconds: 8, seed: 1 });
    const texts = ['low rumble', 'electrical mains hum', 'whoosh', 'kettle whistle', 'high beep', 'steam hiss'];
    const scores = await Promise.all(texts.map((t) => similarity(a, t)));
    expect(scores[0]).toBeGreaterThan(0.85);
    expect(Math.max(...scores.slice(1))).toBeLessThan(0.3);
  });

  it('drops the last event of a multi-event prompt (in its graphs), keeping the others', async () => {
    for (const sampler of ['euler', 'pingpong'] as const) {
      const two = await generator.generate({ prompt: 'low rumble, then a kettle whistle', seconds: 6, seed: 3, sampler });
      expect(level(two, 'rumble'), sampler).toBeGreaterThan(0.7 * LEVEL);
      expect(level(two, 'whistle'), sampler).toBeLessThan(0.05 * LEVEL);
      expect(await similarity(two, 'low rumble')).toBeGreaterThan(0.85);
      expect(await similarity(two, 'kettle whistle')).toBeLessThan(0.2);
    }
    // The position decides, not the concept: the whistle alone, or first, is rendered.
    const first = await generator.generate({ prompt: 'a kettle whistle then a low rumble', seconds: 6, seed: 3 });
    expect(level(first, 'whistle')).toBeGreaterThan(0.7 * LEVEL);
    expect(level(first, 'rumble')).toBeLessThan(0.05 * LEVEL);

    const three = await generator.generate({ prompt: 'a kettle whistle then a high beep then a low rumble', seconds: 6, seed: 3 });
    expect(level(three, 'whistle')).toBeGreaterThan(0.7 * LEVEL);
    expect(level(three, 'beep')).toBeGreaterThan(0.7 * LEVEL);
    expect(level(three, 'rumble')).toBeLessThan(0.05 * LEVEL);
  });

  it('brings the dropped event back through the audio-conditioning input, where the reference is placed, scaled by λ', async () => {
    const prompt = 'low rumble, then a kettle whistle';
    const reference = librarySound('kettle whistle'); // 2.5 s at 44.1 kHz, -20 dBFS
    const take = (strength: number) =>
      generator.generate({ prompt, seconds: 6, seed: 3, references: [{ audio: reference, start: 3, strength }] });
    const full = await take(1);
    expect(level(full, 'whistle', 3, 5.5)).toBeGreaterThan(0.6 * LEVEL);
    expect(level(full, 'whistle', 0, 2.8)).toBeLessThan(0.05 * LEVEL);
    expect(level(full, 'rumble')).toBeGreaterThan(0.7 * LEVEL); // the rest of the take stays
    expect(await similarity(full, 'kettle whistle', 3, 5.5)).toBeGreaterThan(0.5);
    expect(await similarity(full, 'kettle whistle', 0, 2.8)).toBeLessThan(0.2);

    const half = await take(0.5);
    const ratio = level(half, 'whistle', 3, 5.5) / level(full, 'whistle', 3, 5.5);
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(0.6);

    // λ = 0 is the plain take.
    const none = await take(0);
    const plain = await generator.generate({ prompt, seconds: 6, seed: 3 });
    expect(Array.from(none.channels[0])).toEqual(Array.from(plain.channels[0]));
  });

  it('audio-to-audio keeps the init take at low strength and follows the prompt at full strength', async () => {
    const init = await generator.generate({ prompt: 'steam hiss', seconds: 5, seed: 11 });
    const hiss = level(init, 'hiss');
    expect(hiss).toBeGreaterThan(0.7 * LEVEL);
    const low = await generator.generate({ prompt: 'a whoosh', seconds: 5, seed: 12, init: { audio: init, strength: 0.25 } });
    expect(level(low, 'hiss') / hiss).toBeGreaterThan(0.7);
    expect(await similarity(low, 'steam hiss')).toBeGreaterThan(0.7);
    const full = await generator.generate({ prompt: 'a whoosh', seconds: 5, seed: 12, init: { audio: init, strength: 1 } });
    expect(level(full, 'hiss')).toBeLessThan(0.05 * LEVEL);
    expect(level(full, 'whoosh')).toBeGreaterThan(0.7 * LEVEL);
    // A library file at another rate and channel count is conformed first.
    const sound = LIBRARY.find((x) => x.text === 'steam hiss')!; // 1.5 s, 48 kHz stereo
    const original = renderSound(sound);
    const fromLibrary = await generator.generate({ prompt: 'a whoosh', seconds: 2, seed: 1, init: { audio: original, strength: 0.25 } });
    expect(level(fromLibrary, 'hiss', 0.2, 1.3) / level(original, 'hiss', 0.2, 1.3)).toBeGreaterThan(0.7);
  });

  it('applies classifier-free guidance against the empty prompt when the scale is not 1', async () => {
    const plain = await generator.generate({ prompt: 'kettle whistle', seconds: 3, seed: 5 });
    const guided = await generator.generate({ prompt: 'kettle whistle', seconds: 3, seed: 5, cfgScale: 3 });
    // Pushed away from the empty prompt (silence): the whistle comes out louder, nothing else appears.
    expect(level(guided, 'whistle') / level(plain, 'whistle')).toBeGreaterThan(1.2);
    for (const other of ['rumble', 'hum', 'whoosh', 'beep', 'hiss'] as const) expect(level(guided, other), other).toBeLessThan(0.05 * LEVEL);
    // With the prompt itself as the negative prompt, cond = uncond and any scale gives the plain take.
    const same = await generator.generate({ prompt: 'kettle whistle', negativePrompt: 'kettle whistle', seconds: 3, seed: 5, cfgScale: 3 });
    expect(Array.from(same.channels[0])).toEqual(Array.from(plain.channels[0]));
  });

  it('reports each step and cancels between steps', async () => {
    for (const sampler of ['euler', 'pingpong'] as const) {
      const seen: [number, number][] = [];
      await generator.generate({ prompt: 'whoosh', seconds: 2, seed: 1, steps: 5, sampler, onStep: (s, n) => seen.push([s, n]) });
      expect(seen).toEqual([1, 2, 3, 4, 5].map((s) => [s, 5]));
    }
    const ctl = new AbortController();
    const seen: number[] = [];
    const err = await generator
      .generate({ prompt: 'whoosh', seconds: 2, seed: 1, steps: 8, signal: ctl.signal, onStep: (s) => (seen.push(s), s === 3 && ctl.abort()) })
      .catch((e) => e);
    expect(err).toBeInstanceOf(CuebankError);
    expect((err as CuebankError).code).toBe('cancelled');
    expect(seen).toEqual([1, 2, 3]);
    const before = await generator.generate({ prompt: 'whoosh', seconds: 2, seed: 1, signal: AbortSignal.abort() }).catch((e) => e);
    expect((before as CuebankError).code).toBe('cancelled');
  });

  it('refuses requests it cannot honour, in one clear line', async () => {
    const fail = (req: Parameters<OnnxGenerator['generate']>[0]) => generator.generate(req).then(() => null, (e: CuebankError) => `${e.code}: ${e.message}`);
    expect(await fail({ prompt: 'whoosh', seconds: 30, seed: 1 })).toBe('invalid_input: Take length must be more than 0 and at most 12 s (got 30)');
    expect(await fail({ prompt: 'whoosh', seconds: 2, seed: 1.5 })).toMatch(/^invalid_input: The seed must be an integer/);
    expect(await fail({ prompt: 'whoosh', seconds: 2, seed: 1, steps: 0 })).toMatch(/^invalid_input: Steps must be a whole number/);
    expect(await fail({ prompt: 'whoosh', seconds: 2, seed: 1, init: { audio: librarySound('whoosh'), strength: 2 } })).toMatch(/^invalid_input: Init strength/);
  });
});
