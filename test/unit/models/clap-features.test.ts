import { ClapFeatureExtractor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { FastClapFeatures } from '../../../main/engine/models';
import { PREPROCESSOR_CONFIG } from '../../fixtures/clap-pack';
import { Prng } from '../../fixtures/prng';
import { renderConcept } from '../../fixtures/sounds';

type Extractor = ClapFeatureExtractor & ((audio: Float32Array | Float64Array) => Promise<{ input_features: { data: Float32Array; dims: number[] } }>);
const extractor = (config: object) => new ClapFeatureExtractor(config) as Extractor;

/**
 * Largest allowed difference from ClapFeatureExtractor, in dB. Both compute the spectrum in float64
 * and round the mel power to float32, so they differ by the reference's float32 matmul: observed
 * at most 7.6e-6 dB (1 float32 ulp of values in 64..128 dB). A float32 FFT would miss this by ~0.02
 * dB on pure tones (the far sidelobes of the window drown in its rounding noise).
 */
const TOLERANCE_DB = 5e-5;

function noise(n: number, seed: number, gain = 0.3): Float32Array {
  const rng = new Prng(seed);
  return Float32Array.from({ length: n }, () => rng.signed() * gain);
}

function sine(n: number, hz: number, gain = 0.5, rate = 48_000): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => gain * Math.sin((2 * Math.PI * hz * i) / rate));
}

/** Largest difference in dB between the fast path and ClapFeatureExtractor for one window. */
async function maxDiff(fe: Extractor, fast: FastClapFeatures, w: Float32Array | Float64Array): Promise<number> {
  const ref = (await fe(w)).input_features;
  expect(ref.dims).toEqual([1, 1, fast.frames, fast.nMels]);
  const got = fast.extract(w);
  expect(got.length).toBe(ref.data.length);
  let d = 0;
  for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i] - ref.data[i]));
  return d;
}

/** Both implementations for one configuration (the WebAssembly one where this host has SIMD). */
function kernels(fe: Extractor): FastClapFeatures[] {
  const wasm = FastClapFeatures.from(fe as never)!;
  const js = FastClapFeatures.from(fe as never, { simd: false })!;
  return wasm.kernel === 'js' ? [js] : [wasm, js];
}

/** Windows whose spectra span white, tonal (high dynamic range), quiet, loud and repeat-padded. */
const WINDOWS: [string, Float32Array | Float64Array][] = [
  ['full 10 s noise', noise(480_000, 1)],
  ['full 10 s hum', renderConcept('hum', { sampleRate: 48_000, seconds: 10 })],
  ['full 10 s 440 Hz sine', sine(480_000, 440)],
  ['3.3 s hiss (repeatpad)', renderConcept('hiss', { sampleRate: 48_000, seconds: 3.3 })],
  ['odd length', noise(123_457, 2)],
  ['just under half (two copies fit)', noise(239_999, 3)],
  ['one sample short of full', noise(479_999, 4)],
  ['shorter than one hop', noise(300, 5)],
  ['silence', new Float32Array(48_000)],
  ['very quiet beep', renderConcept('beep', { sampleRate: 48_000, seconds: 0.4, levelDb: -80 })],
  ['clipped full scale', noise(96_000, 6, 1)],
  ['Float64Array input (not float32 values)', Float64Array.from(noise(50_000, 9), (v) => v + 1e-12)],
];

describe('FastClapFeatures', () => {
  const fe = extractor(PREPROCESSOR_CONFIG);
  const fast = FastClapFeatures.from(fe as never)!;

  it('gives ClapFeatureExtractor’s 1001 x 64 log-mel frames for a 10 s window at 48 kHz', () => {
    expect(fast).not.toBeNull();
    expect([fast.frames, fast.nMels, fast.maxSamples]).toEqual([1001, 64, 480_000]);
  });

  it('runs the WebAssembly SIMD kernel where the host has it (Node 20 does), plain JS on request', () => {
    expect(fast.kernel).toBe('wasm-simd');
    expect(FastClapFeatures.from(fe as never, { simd: false })!.kernel).toBe('js');
  });

  for (const f of kernels(fe)) {
    it(`${f.kernel}: equals ClapFeatureExtractor (within float32 rounding) for full, short, tiny, tonal, silent and loud windows`, async () => {
      for (const [name, w] of WINDOWS) {
        const d = await maxDiff(fe, f, w);
        expect(d, name).toBeLessThan(TOLERANCE_DB);
      }
    });

    it(`${f.kernel}: writes into a caller's view and gives the same numbers on every call`, () => {
      const w = noise(200_000, 10);
      const batch = new Float32Array(3 * f.frames * f.nMels).fill(7);
      const slot = batch.subarray(f.frames * f.nMels, 2 * f.frames * f.nMels);
      expect(f.extract(w, slot)).toBe(slot);
      expect(batch[0]).toBe(7);
      expect(batch[2 * f.frames * f.nMels]).toBe(7);
      f.extract(noise(480_000, 11)); // leaves nothing behind for the next window
      expect(Array.from(f.extract(w))).toEqual(Array.from(slot));
    });
  }

  it('follows the pack’s padding mode (repeat, zero pad)', async () => {
    for (const padding of ['repeat', 'pad']) {
      const feX = extractor({ ...PREPROCESSOR_CONFIG, padding });
      for (const f of kernels(feX)) {
        for (const n of [100_001, 300, 240_000]) expect(await maxDiff(feX, f, noise(n, 7)), `${padding} ${f.kernel} ${n}`).toBeLessThan(TOLERANCE_DB);
      }
    }
  });

  it('equals ClapFeatureExtractor for other FFT sizes, hops and mel counts (both FFT plans, odd and even frame counts)', async () => {
    // 512 and 2048 points: an even count of radix-2 stages (4-point first pass); 16, 32, 1024, 4096: odd (8-point)
    const configs = [
      { n: 16, hop: 5, samples: 100, mels: 4, fmax: 8_000 },
      { n: 32, hop: 8, samples: 1_000, mels: 8, fmax: 14_000 },
      { n: 512, hop: 160, samples: 48_000, mels: 64, fmax: 14_000 },
      { n: 1024, hop: 333, samples: 77_777, mels: 64, fmax: 14_000 },
      { n: 2048, hop: 480, samples: 96_000, mels: 64, fmax: 14_000 },
      { n: 4096, hop: 1000, samples: 96_000, mels: 128, fmax: 24_000 },
    ];
    const frameCounts = new Set<number>();
    for (const c of configs) {
      const feX = extractor({
        ...PREPROCESSOR_CONFIG,
        fft_window_size: c.n,
        n_fft: c.n,
        nb_frequency_bins: c.n / 2 + 1,
        hop_length: c.hop,
        nb_max_samples: c.samples,
        feature_size: c.mels,
        frequency_max: c.fmax,
      });
      for (const f of kernels(feX)) {
        frameCounts.add(f.frames % 2);
        for (const w of [noise(c.samples, 1), noise(Math.floor(c.samples / 3) + 1, 2), sine(c.samples, 440)]) {
          expect(await maxDiff(feX, f, w), `${c.n}-point FFT, ${f.kernel}, ${w.length} samples`).toBeLessThan(TOLERANCE_DB);
        }
      }
    }
    expect([...frameCounts].sort()).toEqual([0, 1]);
  });

  it('gives the same numbers from the WebAssembly kernel and the plain-JS fallback (at most 1 float32 ulp apart)', () => {
    const [wasm, js] = kernels(fe);
    expect(js?.kernel).toBe('js');
    const windows: (Float32Array | Float64Array)[] = [
      ...WINDOWS.map(([, w]) => w),
      sine(480_000, 13_999, 0.9),
      Float32Array.from({ length: 480_000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * (50 + (i / 480_000) * 20_000) * i) / 48_000)),
      new Float32Array(1000).fill(0.25), // DC
    ];
    const ulp = (v: number) => 2 ** (Math.floor(Math.log2(Math.max(Math.abs(v), 2 ** -126))) - 23);
    let compared = 0;
    for (const w of windows) {
      const a = Float32Array.from(wasm.extract(w));
      const b = js!.extract(w);
      for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i] && !(Math.abs(a[i] - b[i]) <= ulp(b[i]))) expect.fail(`value ${i} of a ${w.length}-sample window: ${a[i]} vs ${b[i]}`);
      }
      compared += a.length;
    }
    expect(compared).toBe(windows.length * 1001 * 64);
  });

  it('floors mel power at float32(1e-10) like the reference, and keeps non-finite power non-finite', () => {
    for (const f of kernels(fe)) {
      const silent = f.extract(new Float32Array(1000));
      expect(silent.every((v) => v === Math.fround(10 * Math.log10(Math.fround(1e-10)))), f.kernel).toBe(true);
      const huge = new Float32Array(1000);
      huge[500] = 3e38;
      expect(f.extract(huge).some((v) => v === Infinity), f.kernel).toBe(true);
    }
  });

  it('refuses windows it would have to crop, and configurations it does not reproduce', () => {
    expect(() => fast.extract(new Float32Array(480_001))).toThrow(/longer than 480000/);
    expect(() => fast.extract(new Float32Array(0))).toThrow(/empty/);
    expect(() => fast.extract(new Float32Array(10), new Float32Array(10))).toThrow(/too small/);
    expect(FastClapFeatures.from(extractor({ ...PREPROCESSOR_CONFIG, truncation: 'fusion' }) as never)).toBeNull();
    expect(FastClapFeatures.from(extractor({ ...PREPROCESSOR_CONFIG, fft_window_size: 1000, n_fft: 1000, nb_frequency_bins: 501 }) as never)).toBeNull();
  });

  it('reports its speed against ClapFeatureExtractor (figures only, never a pass/fail on time)', async () => {
    const w = noise(480_000, 8);
    const [wasm, js] = kernels(fe);
    for (let i = 0; i < 3; i++) await fe(w);
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
    // Measured in separate runs: the reference's ONNX matmul threads spin after each call and
    // would slow whatever runs right after them.
    const ref: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      await fe(w);
      ref.push(performance.now() - t);
    }
    await new Promise((r) => setTimeout(r, 300));
    const own = (f: FastClapFeatures) => {
      for (let i = 0; i < 5; i++) f.extract(w); // the WebAssembly tier-up happens after the first calls
      const ts: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t = performance.now();
        f.extract(w);
        ts.push(performance.now() - t);
      }
      return `${f.kernel} ${median(ts).toFixed(1)} ms`;
    };
    const figures = [wasm, js].filter(Boolean).map((f) => own(f!));
    console.log(`log-mel of one 10 s window at 48 kHz: ClapFeatureExtractor ${median(ref).toFixed(1)} ms, FastClapFeatures ${figures.join(', ')} (median of 7)`);
    expect(ref.length).toBe(7);
  });
});
