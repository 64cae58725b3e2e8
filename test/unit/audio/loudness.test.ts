/**
 * Known answers for the loudness meter: EBU Tech 3341 (loudness) and Tech 3342 (loudness range)
 * style test signals, BS.1770's 48 kHz filter table, channel weighting, gating, true peak.
 */
import { describe, expect, it } from 'vitest';
import { LoudnessMeter, measureLoudness } from '../../../main/engine/audio';
import { kWeightingBiquads, type Biquad } from '../../../main/engine/audio/k-weighting';
import { channelWeights } from '../../../main/engine/audio/loudness';
import { oversamplingFactor } from '../../../main/engine/audio/true-peak';

/** A sine whose peak is `dbfs` dBFS, `seconds` long, starting at `phase` radians. */
function tone(dbfs: number, seconds: number, rate: number, freq = 1000, phase = 0): Float32Array {
  const amp = 10 ** (dbfs / 20);
  const n = Math.round(seconds * rate);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate + phase);
  return x;
}

/** `tone`, faded in and out over 50 ms: an abrupt start would overshoot between samples by itself. */
function fadedTone(dbfs: number, seconds: number, rate: number, freq: number, phase: number): Float32Array {
  const x = tone(dbfs, seconds, rate, freq, phase);
  const fade = Math.round(0.05 * rate);
  for (let i = 0; i < fade; i++) {
    const g = 0.5 - 0.5 * Math.cos((Math.PI * i) / fade);
    x[i] *= g;
    x[x.length - 1 - i] *= g;
  }
  return x;
}

/** Tone segments [dBFS, seconds] back to back (null = digital silence). */
function sequence(parts: [number | null, number][], rate: number): Float32Array {
  const pieces = parts.map(([level, s]) => (level === null ? new Float32Array(Math.round(s * rate)) : tone(level, s, rate)));
  const out = new Float32Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const stereo = (x: Float32Array) => [x, x.slice()];

/** |H(e^jw)| of a biquad in dB at `freq` Hz. */
function responseDb(b: Biquad, freq: number, rate: number): number {
  const w = (2 * Math.PI * freq) / rate;
  const re = (c0: number, c1: number, c2: number) => c0 + c1 * Math.cos(w) + c2 * Math.cos(2 * w);
  const im = (c1: number, c2: number) => -(c1 * Math.sin(w) + c2 * Math.sin(2 * w));
  const num = Math.hypot(re(b.b0, b.b1, b.b2), im(b.b1, b.b2));
  const den = Math.hypot(re(1, b.a1, b.a2), im(b.a1, b.a2));
  return 20 * Math.log10(num / den);
}

describe('K-weighting', () => {
  it('reproduces the BS.1770-4 48 kHz coefficient tables', () => {
    const { shelf, highPass } = kWeightingBiquads(48_000);
    const table1 = { b0: 1.53512485958697, b1: -2.69169618940638, b2: 1.19839281085285, a1: -1.69065929318241, a2: 0.73248077421585 };
    const table2 = { b0: 1, b1: -2, b2: 1, a1: -1.99004745483398, a2: 0.99007225036621 };
    for (const [k, v] of Object.entries(table1)) expect(shelf[k as keyof Biquad]).toBeCloseTo(v, 10);
    for (const [k, v] of Object.entries(table2)) expect(highPass[k as keyof Biquad]).toBeCloseTo(v, 10);
  });

  it('has the same response at 44.1, 96 and 192 kHz as at 48 kHz (designed per rate, not copied)', () => {
    const at48 = kWeightingBiquads(48_000);
    const gain = (k: typeof at48, f: number, rate: number) => responseDb(k.shelf, f, rate) + responseDb(k.highPass, f, rate);
    for (const rate of [44_100, 96_000, 192_000]) {
      const k = kWeightingBiquads(rate);
      expect(k.shelf.a1).not.toBeCloseTo(at48.shelf.a1, 3);
      for (const f of [20, 50, 100, 500, 1000, 2000, 5000, 10_000, 15_000]) expect(gain(k, f, rate)).toBeCloseTo(gain(at48, f, 48_000), 1);
    }
    // The shelf's +4 dB at high frequencies and the high-pass's cut at low ones.
    expect(gain(at48, 10_000, 48_000)).toBeGreaterThan(3.9);
    expect(gain(at48, 20, 48_000)).toBeLessThan(-10);
  });
});

describe('loudness of tones (EBU Tech 3341)', () => {
  for (const rate of [44_100, 48_000, 96_000]) {
    it(`stereo 1 kHz at −23 dBFS is −23.0 LUFS and at −20 dBFS is −20.0 LUFS at ${rate} Hz`, () => {
      for (const level of [-23, -20]) {
        const r = measureLoudness({ sampleRate: rate, channels: stereo(tone(level, 10, rate)) });
        expect(r.integrated).toBeCloseTo(level, 1);
        expect(r.momentaryMax).toBeCloseTo(level, 1);
        expect(r.shortTermMax).toBeCloseTo(level, 1);
        expect(r.range).toBeCloseTo(0, 1);
        expect(r.samplePeak).toBeCloseTo(level, 2);
      }
    });
  }

  it('counts mono as one channel: 3 dB below the same tone on both stereo channels', () => {
    const x = tone(-23, 10, 48_000);
    const mono = measureLoudness({ sampleRate: 48_000, channels: [x] });
    const both = measureLoudness({ sampleRate: 48_000, channels: stereo(x) });
    expect(mono.integrated).toBeCloseTo(-26.01, 1);
    expect(both.integrated! - mono.integrated!).toBeCloseTo(3.01, 2);
  });

  it('weights 5.1 by BS.1770: LFE excluded, surrounds +1.5 dB, front channels 1.0', () => {
    const x = tone(-23, 10, 48_000);
    const only = (channel: number) => {
      const channels: Float32Array[] = Array.from({ length: 6 }, () => new Float32Array(x.length));
      channels[channel] = x;
      return measureLoudness({ sampleRate: 48_000, channels });
    };
    expect(channelWeights(6)).toEqual([1, 1, 1, 0, 1.41, 1.41]);
    const left = only(0).integrated!;
    expect(only(2).integrated).toBeCloseTo(left, 6);
    expect(only(4).integrated! - left).toBeCloseTo(10 * Math.log10(1.41), 6);
    const lfe = only(3);
    expect(lfe.integrated).toBeNull();
    expect(lfe.samplePeak).toBeCloseTo(-23, 2); // peaks still cover every channel
  });

  it('gates: Tech 3341 cases 3 and 4 (quiet and silent parts around a −23 dBFS tone) read −23.0 LUFS', () => {
    const rate = 48_000;
    const case3 = sequence([[-36, 10], [-23, 60], [-36, 10]], rate);
    const case4 = sequence([[-72, 10], [-36, 10], [-23, 60], [-36, 10], [-72, 10]], rate);
    expect(measureLoudness({ sampleRate: rate, channels: stereo(case3) }).integrated).toBeCloseTo(-23, 1);
    expect(measureLoudness({ sampleRate: rate, channels: stereo(case4) }).integrated).toBeCloseTo(-23, 1);
  });

  it('leaves digital silence out: only the blocks that overlap a tone count', () => {
    const rate = 48_000;
    const level = measureLoudness({ sampleRate: rate, channels: stereo(tone(-20, 5, rate)) }).integrated!;
    const gaps = sequence([[-20, 5], [null, 20], [-20, 5], [null, 20]], rate);
    // 94 blocks entirely inside the two tones and 9 that overlap an edge by 1, 2 or 3 of their 4
    // segments; the 393 silent blocks fall under the absolute gate (counted, they would pull it down by 6.8 LU).
    const expected = level + 10 * Math.log10((94 + 3 * (0.25 + 0.5 + 0.75)) / 103);
    expect(measureLoudness({ sampleRate: rate, channels: stereo(gaps) }).integrated).toBeCloseTo(expected, 2);
  });
});

describe('loudness range (EBU Tech 3342)', () => {
  const rate = 48_000;
  it.each([
    { name: 'case 1: −20 then −30 dBFS, 20 s each', parts: [[-20, 20], [-30, 20]], expected: 10 },
    { name: 'case 2: −20 then −15 dBFS', parts: [[-20, 20], [-15, 20]], expected: 5 },
    { name: 'case 3: −40 then −20 dBFS', parts: [[-40, 20], [-20, 20]], expected: 20 },
    { name: 'case 4: −50, −35, −20, −35, −50 dBFS', parts: [[-50, 20], [-35, 20], [-20, 20], [-35, 20], [-50, 20]], expected: 15 },
  ] as { name: string; parts: [number, number][]; expected: number }[])('$name → $expected LU', ({ parts, expected }) => {
    // Tech 3342 case signals are stereo tones; the tolerance there is ±1 LU.
    const r = measureLoudness({ sampleRate: rate, channels: [sequence(parts, rate)] });
    expect(Math.abs(r.range! - expected)).toBeLessThan(0.1);
  });
});

describe('undefined values', () => {
  it('reports null for everything on digital silence', () => {
    const r = measureLoudness({ sampleRate: 48_000, channels: stereo(new Float32Array(48_000 * 5)) });
    expect(r).toEqual({ integrated: null, range: null, truePeak: null, samplePeak: null, momentaryMax: null, shortTermMax: null });
  });

  it('reports no integrated loudness for audio shorter than one 400 ms block, but its peaks', () => {
    const r = measureLoudness({ sampleRate: 48_000, channels: stereo(tone(-10, 0.39, 48_000)) });
    expect(r.integrated).toBeNull();
    expect(r.momentaryMax).toBeNull();
    expect(r.shortTermMax).toBeNull();
    expect(r.range).toBeNull();
    expect(r.samplePeak).toBeCloseTo(-10, 2);
    // One block exactly: defined.
    expect(measureLoudness({ sampleRate: 48_000, channels: stereo(tone(-10, 0.4, 48_000)) }).integrated).toBeCloseTo(-10, 1);
  });
});

describe('true peak', () => {
  it('oversamples to at least 192 kHz', () => {
    expect([44_100, 48_000, 96_000, 192_000].map(oversamplingFactor)).toEqual([5, 4, 2, 1]);
  });

  for (const rate of [44_100, 48_000, 96_000]) {
    it(`finds the inter-sample peak of an fs/4 sine at 45° phase at ${rate} Hz (3 dB above its samples)`, () => {
      // Every sample of sin(πn/2 + π/4) is ±0.707 of the amplitude; the waveform between them reaches 1.
      const x = fadedTone(-6, 2, rate, rate / 4, Math.PI / 4);
      const r = measureLoudness({ sampleRate: rate, channels: [x] });
      expect(r.samplePeak).toBeCloseTo(-6 - 3.01, 2);
      // Oversampled points are 90°/factor apart: the nearest to a crest may miss it by half of that.
      const factor = oversamplingFactor(rate);
      const gridPositions = Array.from({ length: factor }, (_, k) => 45 + (90 * k) / factor);
      const miss = Math.min(...gridPositions.map((deg) => Math.abs(deg - 90)));
      const gridLoss = -20 * Math.log10(Math.cos((miss * Math.PI) / 180));
      expect(r.truePeak!).toBeGreaterThan(r.samplePeak! + 2.5);
      expect(Math.abs(r.truePeak! - (-6 - gridLoss))).toBeLessThan(0.02);
    });
  }

  it('equals the sample peak of a low tone sampled at its crests', () => {
    const x = tone(-1, 1, 48_000, 100); // crests fall on samples 120, 600, …
    const r = measureLoudness({ sampleRate: 48_000, channels: [x] });
    expect(r.truePeak!).toBeGreaterThanOrEqual(r.samplePeak!);
    expect(r.truePeak!).toBeCloseTo(-1, 2);
  });
});

describe('streaming', () => {
  it('gives bit-identical results for any block sizes, and report() can be read mid-stream', () => {
    const rate = 44_100;
    // Noise bursts and a tone so that every statistic is defined and non-trivial.
    let seed = 12345;
    const noise = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.6;
    const n = rate * 8;
    const left = new Float32Array(n);
    const right = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const burst = Math.floor(i / (rate * 2)) % 2 ? 0.1 : 1;
      left[i] = noise() * burst;
      right[i] = 0.3 * Math.sin((2 * Math.PI * 3000 * i) / rate) + noise() * 0.1;
    }
    const whole = measureLoudness({ sampleRate: rate, channels: [left, right] });
    expect(whole.range).toBeGreaterThan(0.5);

    for (const sizes of [[1], [7, 4409, 4410, 4411], [100_003], [2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610]]) {
      const meter = new LoudnessMeter(rate, 2);
      let at = 0;
      let k = 0;
      let midway = null;
      while (at < n) {
        const size = Math.min(sizes[k++ % sizes.length], n - at);
        meter.push([left.subarray(at, at + size), right.subarray(at, at + size)]);
        at += size;
        if (!midway && at > n / 2) midway = meter.report();
      }
      expect(meter.report()).toEqual(whole);
      expect(midway!.integrated).not.toEqual(whole.integrated);
    }
  });

  it('rejects blocks with the wrong channel count', () => {
    const meter = new LoudnessMeter(48_000, 2);
    expect(() => meter.push([new Float32Array(10)])).toThrow(/2 channels/);
    expect(() => new LoudnessMeter(48_000, 0)).toThrow(/at least one channel/);
  });
});
