import { describe, expect, it } from 'vitest';
import { createResampler, resample } from '../../../main/engine/audio';
import { createJsResampler } from '../../../main/engine/audio/resample';
import { designFilter, PASSBAND } from '../../../main/engine/audio/resample-filter';
import { simdModule } from '../../../main/engine/audio/resample-kernel';

const sine = (f: number, rate: number, n: number, amp = 1) => {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * f * i) / rate);
  return x;
};
const db = (x: number) => 20 * Math.log10(x);

/** Amplitude of the component at f (single-bin DFT over whole periods of the middle part). */
function amplitude(y: Float32Array, f: number, rate: number, from: number, to: number): number {
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i++) {
    re += y[i] * Math.cos((2 * Math.PI * f * i) / rate);
    im += y[i] * Math.sin((2 * Math.PI * f * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

/** RMS of what is not the ideal tone sin(2*pi*f*n/rate): wrong amplitude, frequency, phase or delay, images, noise. */
function residualDb(y: Float32Array, f: number, rate: number, from: number, to: number): number {
  let e = 0;
  for (let i = from; i < to; i++) e += (y[i] - Math.sin((2 * Math.PI * f * i) / rate)) ** 2;
  return db(Math.sqrt(e / (to - from)) * Math.SQRT2);
}

/** Index of the first differing sample (bit-exact comparison), or -1; -2 when lengths differ. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const concat = (parts: Float32Array[]) => {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

const RATIOS: [number, number][] = [
  [44100, 48000],
  [48000, 44100],
  [96000, 48000],
  [22050, 48000],
  [8000, 48000],
  [48000, 16000],
  [44056, 48000], // L = 6000: the interpolated-table path
];

describe('resampler quality', () => {
  it('uses an exact table for common ratios and the interpolated one for large L', () => {
    expect(designFilter(44100, 48000)).toMatchObject({ L: 160, M: 147, interpolated: false });
    expect(designFilter(96000, 48000)).toMatchObject({ L: 1, M: 2, interpolated: false });
    expect(designFilter(44056, 48000)).toMatchObject({ L: 6000, M: 5507, interpolated: true });
  });

  for (const [from, to] of RATIOS) {
    it(`${from} -> ${to}: passband sines keep amplitude (< 0.01 dB), frequency and phase (no delay)`, () => {
      const nyq = Math.min(from, to) / 2;
      const n = Math.round(from * 0.5);
      for (const frac of [0.02, 0.3, 0.6, PASSBAND]) {
        const f = frac * nyq;
        const y = resample(sine(f, from, n), from, to);
        const edge = Math.round(to * 0.05);
        const a = amplitude(y, f, to, edge, y.length - edge);
        expect(Math.abs(db(a))).toBeLessThan(0.01);
        // Everything that is not the ideal output tone at the same instant is >= 70 dB down:
        // a one-sample delay or a 0.1% frequency error would leave a residual near 0 dB.
        expect(residualDb(y, f, to, edge, y.length - edge)).toBeLessThan(-70);
      }
    });
  }

  for (const [from, to, tones] of [
    [96000, 48000, [24500, 26000, 30000, 40000, 47000]],
    [48000, 44100, [22100, 23000, 23900]],
    [48000, 16000, [8100, 9000, 12000, 20000]],
    [44056, 48000, []],
  ] as [number, number, number[]][]) {
    if (!tones.length) continue;
    it(`${from} -> ${to}: tones above the output Nyquist are attenuated by >= 80 dB`, () => {
      for (const f of tones) {
        const y = resample(sine(f, from, from), from, to);
        const edge = Math.round(to * 0.05);
        let e = 0;
        for (let i = edge; i < y.length - edge; i++) e += y[i] * y[i];
        const level = db(Math.sqrt(e / (y.length - 2 * edge)) * Math.SQRT2);
        expect(level, `${f} Hz`).toBeLessThan(-80);
      }
    });
  }

  it('upsampling leaves no images: 8k, 22.05k and 44.1k -> 48k residuals are >= 80 dB down', () => {
    for (const [from, f] of [
      [8000, 3000],
      [22050, 9500],
      [44100, 15000],
    ]) {
      const y = resample(sine(f, from, from), from, 48000);
      expect(residualDb(y, f, 48000, 2400, y.length - 2400)).toBeLessThan(-80);
    }
  });

  it('passes DC with unit gain', () => {
    for (const [from, to] of RATIOS) {
      const y = resample(new Float32Array(from).fill(0.5), from, to);
      const mid = y.subarray(Math.round(to * 0.1), Math.round(to * 0.9));
      let worst = 0;
      for (const v of mid) worst = Math.max(worst, Math.abs(v - 0.5));
      expect(worst, `${from}->${to}`).toBeLessThan(1e-5);
    }
  });
});

describe('resampler length and alignment', () => {
  it('returns round(n * to / from) samples for any n', () => {
    for (const [from, to] of RATIOS) {
      for (const n of [0, 1, 2, 10, 55, 56, 57, 113, 1000, 44099, 44100, 44101]) {
        expect(resample(new Float32Array(n).fill(0.1), from, to).length, `${from}->${to} n=${n}`).toBe(Math.round((n * to) / from));
      }
    }
  });

  it('a click lands on the output sample at the same instant, with a symmetric response', () => {
    for (const [from, to, at, expected] of [
      [44100, 48000, 147 * 20, 160 * 20],
      [96000, 48000, 2000, 1000],
      [8000, 48000, 501, 3006],
      [44056, 48000, 5507, 6000],
    ]) {
      const x = new Float32Array(from);
      x[at] = 1;
      const y = resample(x, from, to);
      let peak = 0;
      for (let i = 1; i < y.length; i++) if (y[i] > y[peak]) peak = i;
      expect(peak, `${from}->${to}`).toBe(expected);
      for (let k = 1; k < 20; k++) expect(Math.abs(y[peak - k] - y[peak + k])).toBeLessThan(1e-6);
    }
  });
});

describe('streaming', () => {
  for (const [from, to] of RATIOS) {
    it(`${from} -> ${to}: blocks of any size give exactly the one-shot result`, () => {
      const n = 30011;
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.05) * 0.5 + Math.sin(i * 0.31) * 0.3;
      const whole = resample(x, from, to);
      const r = createResampler(from, to);
      for (const sizes of [[1], [7, 0, 1, 4096], [100000], [37, 5000, 2]]) {
        const parts: Float32Array[] = [];
        let i = 0;
        for (let k = 0; i < n; k++) {
          const len = sizes[k % sizes.length];
          parts.push(r.process(x.subarray(i, i + len)));
          i += len;
        }
        parts.push(r.flush()); // ends the stream; the next loop starts a new one
        const streamed = concat(parts);
        expect(streamed.length).toBe(whole.length);
        expect(firstDifference(streamed, whole), `blocks ${sizes.join(',')}`).toBe(-1);
      }
    });
  }

  it('equal rates return each block itself (no copy) and nothing on flush', () => {
    const r = createResampler(48000, 48000);
    const b = new Float32Array([1, 2, 3]);
    expect(r.process(b)).toBe(b);
    expect(r.flush().length).toBe(0);
    expect(resample(b, 44100, 44100)).toBe(b);
  });

  it('the WebAssembly SIMD kernel agrees with the plain JS kernel', () => {
    // Node 20 has WebAssembly SIMD: without the module both sides would be the JS kernel.
    expect(simdModule()).not.toBeNull();
    const x = sine(1234, 44100, 20000);
    for (const [from, to] of RATIOS) {
      const a = resample(x, from, to);
      const j = createJsResampler(from, to);
      const b = concat([j.process(x), j.flush()]);
      expect(b.length).toBe(a.length);
      let max = 0;
      for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
      expect(max).toBeLessThan(1e-6);
    }
  });

  it('rejects non-integer or non-positive rates', () => {
    expect(() => createResampler(44100.5, 48000)).toThrow(RangeError);
    expect(() => createResampler(0, 48000)).toThrow(RangeError);
  });
});
