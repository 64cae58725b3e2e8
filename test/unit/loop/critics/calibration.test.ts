import { describe, expect, it } from 'vitest';
import {
  overallScore,
  presenceOfZ,
  referenceStats,
  verdictOfPresence,
  verdictOfZ,
  zScore,
} from '../../../../main/engine/loop/critics/calibration';
import { curveGrid, cutTake, windowsInSpan } from '../../../../main/engine/loop/critics/take-windows';

const s = { presentZ: 3, weakZ: 1.5, slope: 1.5 };

describe('CLAP calibration', () => {
  it('fits the chance distribution to the 10th and 30th percentiles of the references', () => {
    // Uniform-ish references 0.00 … 0.20: q10 = 0.02, q30 = 0.06.
    const refs = Array.from({ length: 21 }, (_, i) => i * 0.01);
    const r = referenceStats(refs, 0.001);
    expect(r.spread).toBeCloseTo(0.04 / 0.7572, 4);
    expect(r.level).toBeCloseTo(0.06 + 0.5244 * r.spread, 4);
  });

  it('recovers a normal chance distribution', () => {
    // Normal quantiles of N(0.1, 0.05²) at evenly spaced probabilities.
    const inv = (p: number) => {
      // Acklam-free: bisection on the error function is plenty for a test.
      let lo = -8, hi = 8;
      for (let k = 0; k < 80; k++) {
        const mid = (lo + hi) / 2;
        const cdf = 0.5 * (1 + erf(mid / Math.SQRT2));
        if (cdf < p) lo = mid;
        else hi = mid;
      }
      return (lo + hi) / 2;
    };
    const refs = Array.from({ length: 199 }, (_, i) => 0.1 + 0.05 * inv((i + 1) / 200));
    const r = referenceStats(refs, 0.001);
    expect(r.level).toBeCloseTo(0.1, 2);
    expect(r.spread).toBeCloseTo(0.05, 2);
  });

  it('references that do hold the event (upward contamination) move it far less than mean and SD would', () => {
    const chance = Array.from({ length: 20 }, (_, i) => 0.05 + 0.005 * i);
    const clean = referenceStats(chance, 0.001);
    for (const n of [5, 10, 25]) {
      const all = [...chance, ...Array.from({ length: n }, (_, i) => 0.8 + 0.008 * i)];
      const dirty = referenceStats(all, 0.001);
      const mean = all.reduce((a, b) => a + b, 0) / all.length;
      const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
      expect(dirty.level - clean.level).toBeLessThan((mean - clean.level) / 4);
      expect(dirty.spread).toBeLessThan(sd / 4);
      // A real match still stands far out.
      expect(zScore(0.85, dirty)).toBeGreaterThan(10);
    }
  });

  it('floors the spread', () => {
    expect(referenceStats([0.2, 0.2, 0.2], 0.02).spread).toBe(0.02);
  });

  it('the same cosine means different presence for texts with different chance levels', () => {
    const rain = referenceStats([0.3, 0.32, 0.28, 0.31, 0.29, 0.3], 0.01); // a noise-like text: high chance level
    const bark = referenceStats([0.05, 0.06, 0.04, 0.05, 0.07, 0.05], 0.01);
    expect(presenceOfZ(zScore(0.33, rain), s)).toBeLessThan(0.5);
    expect(presenceOfZ(zScore(0.33, bark), s)).toBeGreaterThan(0.99);
  });

  it('presence is 0.5 exactly at the present threshold and rises with z', () => {
    expect(presenceOfZ(3, s)).toBeCloseTo(0.5, 12);
    expect(presenceOfZ(1.5, s)).toBeLessThan(presenceOfZ(2, s));
    expect(presenceOfZ(8, s)).toBeGreaterThan(0.999);
    expect(presenceOfZ(0, s)).toBeLessThan(0.02);
  });

  it('verdicts follow the thresholds', () => {
    expect(verdictOfZ(3, s)).toBe('present');
    expect(verdictOfZ(2.9, s)).toBe('weak');
    expect(verdictOfZ(1.5, s)).toBe('weak');
    expect(verdictOfZ(1.49, s)).toBe('missing');
    expect(verdictOfPresence(0.5, { presentAt: 0.5, weakAt: 0.2 })).toBe('present');
    expect(verdictOfPresence(0.3, { presentAt: 0.5, weakAt: 0.2 })).toBe('weak');
    expect(verdictOfPresence(0.1, { presentAt: 0.5, weakAt: 0.2 })).toBe('missing');
  });

  it('the overall score is the mean presence', () => {
    expect(overallScore([1, 0])).toBe(0.5);
    expect(overallScore([0.2, 0.4, 0.9])).toBeCloseTo(0.5, 12);
  });
});

describe('the critics\' time grid', () => {
  it('window i covers [i·hop, i·hop + window) and the windows reach the end of the take', () => {
    expect(curveGrid(10, 1, 0.5).count).toBe(19);
    expect(curveGrid(10.2, 1, 0.5).count).toBe(20);
    expect(curveGrid(0.4, 1, 0.5).count).toBe(1);
  });

  it('cuts mono windows at the model rate', () => {
    const n = 2 * 8000;
    const left = new Float32Array(n).fill(0.5);
    const right = new Float32Array(n).fill(-0.5);
    left.fill(1, 8000);
    right.fill(1, 8000);
    const grid = curveGrid(2, 1, 0.5);
    const cuts = cutTake({ sampleRate: 8000, channels: [left, right] }, 8000, grid);
    expect(cuts.map((c) => c.length)).toEqual([8000, 8000, 8000]);
    expect(cuts[0][10]).toBe(0);
    expect(cuts[2][10]).toBe(1);
    const up = cutTake({ sampleRate: 8000, channels: [left] }, 16000, grid);
    expect(up[0].length).toBe(16000);
  });

  it('an event\'s windows are those centred in its span [start, end), or the nearest for a short span', () => {
    const grid = curveGrid(10, 1, 0.5);
    expect(windowsInSpan(grid, 0, 2)).toEqual([0, 1, 2]);
    expect(windowsInSpan(grid, 2, 10)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    expect(windowsInSpan(grid, 4.1, 4.2)).toEqual([7]);
  });
});

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
