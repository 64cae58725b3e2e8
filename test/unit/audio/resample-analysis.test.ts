/**
 * The analysis-grade resampler (createResampler(from, to, { passbandHz })): flat to passbandHz,
 * everything that would alias or image below passbandHz at least 80 dB down, the same length,
 * alignment and streaming guarantees as the strict one, and the strict one unchanged without it.
 */
import { describe, expect, it } from 'vitest';
import { createResampler, resample } from '../../../main/engine/audio';
import { createJsResampler } from '../../../main/engine/audio/resample';
import { designFilter, filterBands } from '../../../main/engine/audio/resample-filter';
import { fft } from '../../fixtures/spectrum';

const P = 14000; // CLAP's frequency_max at 48 kHz
const db = (x: number) => 20 * Math.log10(x);
const sine = (f: number, rate: number, n: number) => {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * f * i) / rate);
  return x;
};

/** [from, to, passbandHz]: the analysis design applies to all of these. */
const ANALYSIS: [number, number, number][] = [
  [44100, 48000, P],
  [96000, 48000, P],
  [88200, 48000, P],
  [192000, 48000, P],
  [32000, 48000, P], // the image of DC at 32 kHz lies in the transition band (see the filter's gain note)
  [44056, 48000, P], // L = 6000: the interpolated-table path
  [48000, 44100, P],
  [48000, 16000, 6000],
];

/**
 * Complex amplitude of the integer-Hz component f in y[from, from + rate): over exactly one second
 * every integer-Hz component is orthogonal to every other, and with integer rates every alias and
 * image of an integer-Hz tone is at an integer Hz, so none of them leaks into this bin.
 * Returned relative to the ideal tone sin(2*pi*f*n/rate), so 1 + 0i means exact gain and no delay.
 */
function relativeTone(y: Float32Array, f: number, rate: number, from: number): { re: number; im: number } {
  let re = 0;
  let im = 0;
  const w = (2 * Math.PI * f) / rate;
  for (let i = from; i < from + rate; i++) {
    re += y[i] * Math.cos(w * i);
    im -= y[i] * Math.sin(w * i);
  }
  // The ideal sin(w n) gives re = 0, im = -rate/2 over whole periods; divide by that (-i * rate/2).
  return { re: (-im * 2) / rate, im: (re * 2) / rate };
}

// ---- spectrum: Kaiser-windowed FFT (sidelobes far below -150 dB, main lobe about +-7 bins) ------------

const N = 1 << 16;
function besselI0(x: number): number {
  let s = 1;
  let t = 1;
  for (let k = 1; k < 300; k++) {
    t *= (x * x) / 4 / (k * k);
    s += t;
    if (t < s * 1e-17) break;
  }
  return s;
}
const WINDOW = (() => {
  const w = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const u = (2 * i) / (N - 1) - 1;
    w[i] = besselI0(20 * Math.sqrt(1 - u * u)) / besselI0(20);
  }
  return w;
})();
const WINDOW_SUM = WINDOW.reduce((a, b) => a + b, 0);

/** Level in dB (a full-scale sine reads 0 dB) of each FFT bin of N samples of y from `at`. */
function spectrumDb(y: Float32Array, at: number): Float64Array {
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  for (let i = 0; i < N; i++) re[i] = y[at + i] * WINDOW[i];
  fft(re, im);
  const out = new Float64Array(N / 2);
  for (let k = 0; k < N / 2; k++) out[k] = db(Math.hypot(re[k], im[k]) / (WINDOW_SUM / 2) + 1e-300);
  return out;
}

/** Bins this close to a component are its main lobe (7 bins) plus margin. */
const GUARD_BINS = 16;

/**
 * Highest level below passbandHz in the output for an input tone at f, other than the tone itself:
 * every alias and image that lands there. Bins within GUARD_BINS (about 12 Hz at 48 kHz) of
 * passbandHz are left out: the main lobe of an (unspecified) component just above it reaches there.
 */
function worstBelowPassband(from: number, to: number, p: number, f: number): { level: number; at: number } {
  const edge = Math.round(to * 0.05);
  const len = Math.ceil(((N + 2 * edge) * from) / to) + 64;
  const y = resample(sine(f, from, len), from, to, { passbandHz: p });
  const s = spectrumDb(y, edge);
  const binHz = to / N;
  const toneBin = f / binHz;
  let level = -Infinity;
  let at = 0;
  for (let k = 1; k < p / binHz - GUARD_BINS; k++) {
    if (f < to / 2 && Math.abs(k - toneBin) < GUARD_BINS) continue; // the tone itself
    if (s[k] > level) {
      level = s[k];
      at = k * binHz;
    }
  }
  return { level, at };
}

/** Tones across the input band, plus those whose aliases or images land just below passbandHz. */
function probeTones(from: number, to: number, p: number): number[] {
  const tones = new Set<number>();
  const top = from / 2 - 25;
  for (let i = 0; i < 24; i++) tones.add(Math.round(30 + ((top - 30) * i) / 23));
  // Components at |k*from +- f| in the upsampled domain land at distance d from a multiple of `to`;
  // those at d just under p are the hardest: just past the stopband edge `to - p`.
  for (let k = 0; k <= Math.ceil((2 * to) / from) + 1; k++) {
    for (const sign of [1, -1]) {
      for (const j of [1, 2]) {
        for (const d of [p - 40, p - 400]) {
          for (const g of [j * to - d, j * to + d]) {
            const f = sign * (g - k * from);
            if (f > 20 && f < top && Math.abs(f - p) > 40) tones.add(Math.round(f));
          }
        }
      }
    }
  }
  return [...tones].sort((a, b) => a - b);
}

describe('analysis resampler design', () => {
  it('stopband from the target rate minus the passband: 16 taps for 44.1k -> 48k, 32 for 96k -> 48k', () => {
    expect(filterBands(44100, 48000, P)).toEqual({ passHz: 14000, stopHz: 34000, analysis: true });
    expect(designFilter(44100, 48000, P)).toMatchObject({ L: 160, M: 147, taps: 16, interpolated: false });
    expect(designFilter(96000, 48000, P)).toMatchObject({ L: 1, M: 2, taps: 32 });
    expect(designFilter(88200, 48000, P)).toMatchObject({ taps: 32 });
    expect(designFilter(192000, 48000, P)).toMatchObject({ taps: 64 });
    expect(designFilter(44056, 48000, P)).toMatchObject({ taps: 16, interpolated: true });
    // The strict filters they replace.
    expect(designFilter(44100, 48000).taps).toBe(112);
    expect(designFilter(96000, 48000).taps).toBe(224);
  });

  it('falls back to the strict filter where nothing can be relaxed (passband at or above 0.9 of the lower Nyquist)', () => {
    // 22.05k input has nothing above 11.025 kHz, and its images from there up would land below 14 kHz.
    expect(filterBands(22050, 48000, P)).toEqual({ passHz: 9922.5, stopHz: 11025, analysis: false });
    expect(designFilter(22050, 48000, P)).toBe(designFilter(22050, 48000));
    expect(designFilter(48000, 16000, P)).toBe(designFilter(48000, 16000));
    expect(designFilter(8000, 48000, P)).toBe(designFilter(8000, 48000));
    // No option: exactly the strict filter, and the same output sample for sample.
    expect(designFilter(44100, 48000, undefined)).toBe(designFilter(44100, 48000));
    const x = sine(997, 44100, 20000);
    expect(Array.from(resample(x, 44100, 48000, {}))).toEqual(Array.from(resample(x, 44100, 48000)));
    expect(Array.from(resample(x, 22050, 48000, { passbandHz: P }))).toEqual(Array.from(resample(x, 22050, 48000)));
  });

  it('rejects a passband that is not a positive number of Hz, also for equal rates', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createResampler(44100, 48000, { passbandHz: bad })).toThrow(RangeError);
      expect(() => createResampler(48000, 48000, { passbandHz: bad })).toThrow(RangeError);
      expect(() => resample(new Float32Array(4), 48000, 48000, { passbandHz: bad })).toThrow(RangeError);
    }
  });

  it('equal rates pass blocks through unchanged with or without a passband', () => {
    const b = new Float32Array([1, 2, 3]);
    expect(createResampler(48000, 48000, { passbandHz: P }).process(b)).toBe(b);
    expect(resample(b, 48000, 48000, { passbandHz: P })).toBe(b);
  });
});

describe('analysis resampler quality', () => {
  for (const [from, to, p] of ANALYSIS) {
    it(`${from} -> ${to} at ${p} Hz: flat to the passband edge (< 0.1 dB; measured < 0.01 dB) with no delay`, () => {
      const edge = Math.round(to * 0.05);
      const n = Math.ceil(((to + 2 * edge) * from) / to) + 64;
      let worstDb = 0;
      let worstPhase = 0;
      for (let i = 0; i <= 40; i++) {
        const f = Math.round(20 + ((p - 20) * i) / 40);
        const y = resample(sine(f, from, n), from, to, { passbandHz: p });
        const { re, im } = relativeTone(y, f, to, edge);
        worstDb = Math.max(worstDb, Math.abs(db(Math.hypot(re, im))));
        worstPhase = Math.max(worstPhase, Math.abs(Math.atan2(im, re)));
      }
      expect(worstDb).toBeLessThan(0.01);
      // A one-sample delay at 14 kHz would be a phase error of 1.8 rad, a tenth of a sample 0.18.
      expect(worstPhase).toBeLessThan(1e-3);
    });

    it(`${from} -> ${to} at ${p} Hz: whatever would alias or image below the passband is >= 80 dB down`, () => {
      let worst = { level: -Infinity, at: 0, tone: 0 };
      for (const f of probeTones(from, to, p)) {
        const r = worstBelowPassband(from, to, p, f);
        if (r.level > worst.level) worst = { ...r, tone: f };
      }
      expect(worst.level, `worst: a ${worst.tone} Hz tone gives ${worst.level.toFixed(1)} dB at ${worst.at.toFixed(0)} Hz`).toBeLessThan(-80);
    });
  }

  it('96 kHz input: a 40 kHz tone, whose alias is at 8 kHz, is >= 80 dB down there (strict: also)', () => {
    const y = resample(sine(40000, 96000, 96000 * 1.2), 96000, 48000, { passbandHz: P });
    const { re, im } = relativeTone(y, 8000, 48000, 2400);
    expect(db(Math.hypot(re, im))).toBeLessThan(-80);
    expect(worstBelowPassband(96000, 48000, P, 40000).level).toBeLessThan(-80);
    // Just past the stopband edge: 34.1 kHz folds to 13.9 kHz.
    const edge = resample(sine(34100, 96000, 96000 * 1.2), 96000, 48000, { passbandHz: P });
    const e = relativeTone(edge, 13900, 48000, 2400);
    expect(db(Math.hypot(e.re, e.im))).toBeLessThan(-80);
  });

  it('44.1 kHz input near its Nyquist frequency and the images of its lower tones stay out of the passband', () => {
    for (const f of [21000, 21900, 22000]) expect(worstBelowPassband(44100, 48000, P, f).level, `${f} Hz`).toBeLessThan(-80);
    // A 10 kHz tone's image at 44.1k + 10k = 54.1 kHz would fold to 6.1 kHz, its image at 34.1 kHz to 13.9 kHz.
    const y = resample(sine(10000, 44100, 44100 * 1.2), 44100, 48000, { passbandHz: P });
    for (const at of [6100, 13900]) {
      const { re, im } = relativeTone(y, at, 48000, 2400);
      expect(db(Math.hypot(re, im)), `${at} Hz`).toBeLessThan(-80);
    }
  });

  it('passes DC with unit gain', () => {
    for (const [from, to, p] of ANALYSIS) {
      const y = resample(new Float32Array(from).fill(0.5), from, to, { passbandHz: p });
      const mid = y.subarray(Math.round(to * 0.1), Math.round(to * 0.9));
      let mean = 0;
      let worst = 0;
      for (const v of mid) {
        mean += v / mid.length;
        worst = Math.max(worst, Math.abs(v - 0.5));
      }
      expect(Math.abs(mean - 0.5), `${from}->${to}`).toBeLessThan(1e-5);
      // DC's image at the input rate folds to |to - from|: below the passband only where it is in
      // the stopband, and then the output is flat sample for sample.
      if (Math.abs(to - from) < p || from >= to - p) expect(worst, `${from}->${to}`).toBeLessThan(1e-4);
    }
  });
});

describe('analysis resampler length, alignment and streaming', () => {
  it('returns round(n * to / from) samples for any n', () => {
    for (const [from, to, p] of ANALYSIS) {
      for (const n of [0, 1, 2, 10, 55, 56, 57, 113, 1000, 44099, 44100, 44101]) {
        expect(resample(new Float32Array(n).fill(0.1), from, to, { passbandHz: p }).length, `${from}->${to} n=${n}`).toBe(Math.round((n * to) / from));
      }
    }
  });

  it('a click lands on the output sample at the same instant, with a symmetric response', () => {
    for (const [from, to, at, expected] of [
      [44100, 48000, 147 * 20, 160 * 20],
      [96000, 48000, 2000, 1000],
      [32000, 48000, 2000, 3000],
      [44056, 48000, 5507, 6000],
    ]) {
      const x = new Float32Array(from);
      x[at] = 1;
      const y = resample(x, from, to, { passbandHz: P });
      let peak = 0;
      for (let i = 1; i < y.length; i++) if (y[i] > y[peak]) peak = i;
      expect(peak, `${from}->${to}`).toBe(expected);
      for (let k = 1; k < 20; k++) expect(Math.abs(y[peak - k] - y[peak + k])).toBeLessThan(1e-6);
    }
  });

  for (const [from, to, p] of ANALYSIS) {
    it(`${from} -> ${to}: blocks of any size give exactly the one-shot result; the JS kernel agrees`, () => {
      const n = 30011;
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.05) * 0.5 + Math.sin(i * 0.31) * 0.3;
      const whole = resample(x, from, to, { passbandHz: p });
      const r = createResampler(from, to, { passbandHz: p });
      for (const sizes of [[1], [7, 0, 1, 4096], [100000], [37, 5000, 2]]) {
        const parts: Float32Array[] = [];
        let i = 0;
        for (let k = 0; i < n; k++) {
          const len = sizes[k % sizes.length];
          parts.push(r.process(x.subarray(i, i + len)));
          i += len;
        }
        parts.push(r.flush());
        const streamed = new Float32Array(parts.reduce((s, q) => s + q.length, 0));
        let o = 0;
        for (const q of parts) {
          streamed.set(q, o);
          o += q.length;
        }
        expect(streamed.length).toBe(whole.length);
        let same = true;
        for (let j = 0; j < whole.length && same; j++) same = Object.is(streamed[j], whole[j]);
        expect(same, `blocks ${sizes.join(',')}`).toBe(true);
      }
      const js = createJsResampler(from, to, { passbandHz: p });
      const a = js.process(x);
      const b = js.flush();
      let max = 0;
      for (let j = 0; j < whole.length; j++) max = Math.max(max, Math.abs(whole[j] - (j < a.length ? a[j] : b[j - a.length])));
      expect(a.length + b.length).toBe(whole.length);
      expect(max).toBeLessThan(1e-6);
    });
  }
});
