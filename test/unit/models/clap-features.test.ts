import { ClapFeatureExtractor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { FastClapFeatures } from '../../../main/engine/models';
import { PREPROCESSOR_CONFIG } from '../../fixtures/clap-pack';
import { Prng } from '../../fixtures/prng';
import { renderConcept } from '../../fixtures/sounds';

type Extractor = ClapFeatureExtractor & ((audio: Float32Array) => Promise<{ input_features: { data: Float32Array; dims: number[] } }>);
const extractor = (config: object) => new ClapFeatureExtractor(config) as Extractor;

function noise(n: number, seed: number, gain = 0.3): Float32Array {
  const rng = new Prng(seed);
  return Float32Array.from({ length: n }, () => rng.signed() * gain);
}

/** Largest difference in dB between the fast path and ClapFeatureExtractor for one window. */
async function maxDiff(fe: Extractor, fast: FastClapFeatures, w: Float32Array): Promise<number> {
  const ref = (await fe(w)).input_features;
  expect(ref.dims).toEqual([1, 1, fast.frames, fast.nMels]);
  const got = fast.extract(w);
  expect(got.length).toBe(ref.data.length);
  let d = 0;
  for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i] - ref.data[i]));
  return d;
}

describe('FastClapFeatures', () => {
  const fe = extractor(PREPROCESSOR_CONFIG);
  const fast = FastClapFeatures.from(fe as never)!;

  it('gives ClapFeatureExtractor’s 1001 x 64 log-mel frames for a 10 s window at 48 kHz', () => {
    expect(fast).not.toBeNull();
    expect([fast.frames, fast.nMels, fast.maxSamples]).toEqual([1001, 64, 480_000]);
  });

  it('equals ClapFeatureExtractor (within float32 rounding) for full, short, tiny, silent and loud windows', async () => {
    const windows: [string, Float32Array][] = [
      ['full 10 s noise', noise(480_000, 1)],
      ['full 10 s hum', renderConcept('hum', { sampleRate: 48_000, seconds: 10 })],
      ['3.3 s hiss (repeatpad)', renderConcept('hiss', { sampleRate: 48_000, seconds: 3.3 })],
      ['odd length', noise(123_457, 2)],
      ['just under half (two copies fit)', noise(239_999, 3)],
      ['one sample short of full', noise(479_999, 4)],
      ['shorter than one hop', noise(300, 5)],
      ['silence', new Float32Array(48_000)],
      ['very quiet beep', renderConcept('beep', { sampleRate: 48_000, seconds: 0.4, levelDb: -80 })],
      ['clipped full scale', noise(96_000, 6, 1)],
    ];
    for (const [name, w] of windows) {
      const d = await maxDiff(fe, fast, w);
      expect(d, name).toBeLessThan(1e-3);
    }
  });

  it('follows the pack’s padding mode (repeat, zero pad)', async () => {
    for (const padding of ['repeat', 'pad']) {
      const feX = extractor({ ...PREPROCESSOR_CONFIG, padding });
      const fastX = FastClapFeatures.from(feX as never)!;
      expect(await maxDiff(feX, fastX, noise(100_001, 7))).toBeLessThan(1e-3);
    }
  });

  it('refuses windows it would have to crop, and configurations it does not reproduce', () => {
    expect(() => fast.extract(new Float32Array(480_001))).toThrow(/longer than 480000/);
    expect(() => fast.extract(new Float32Array(0))).toThrow(/empty/);
    expect(FastClapFeatures.from(extractor({ ...PREPROCESSOR_CONFIG, truncation: 'fusion' }) as never)).toBeNull();
    expect(FastClapFeatures.from(extractor({ ...PREPROCESSOR_CONFIG, fft_window_size: 1000, n_fft: 1000, nb_frequency_bins: 501 }) as never)).toBeNull();
  });

  it('reports its speed against ClapFeatureExtractor (figures only, never a pass/fail on time)', async () => {
    const w = noise(480_000, 8);
    for (let i = 0; i < 3; i++) {
      await fe(w);
      fast.extract(w);
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
    // Measured in separate runs: the reference's ONNX matmul threads spin after each call and
    // would slow whatever runs right after them.
    const ref: number[] = [];
    const own: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      await fe(w);
      ref.push(performance.now() - t);
    }
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      fast.extract(w);
      own.push(performance.now() - t);
    }
    console.log(`log-mel of one 10 s window at 48 kHz: ClapFeatureExtractor ${median(ref).toFixed(1)} ms, FastClapFeatures ${median(own).toFixed(1)} ms (median of 7)`);
    expect(own.length).toBe(7);
  });
});
