import { describe, expect, it } from 'vitest';
import {
  overallScore,
  presenceOfZ,
  chanceStats,
  verdictOfPresence,
  verdictOfZ,
  zScore,
} from '../../../../main/engine/loop/critics/calibration';
import { curveGrid, cutTake, windowsInSpan } from '../../../../main/engine/loop/critics/take-windows';

const s = { presentZ: 3, weakZ: 1.5, slope: 1.5 };

describe('CLAP calibration', () => {
  it('chance is the mean and spread of the nearest references: the near misses, not the bulk', () => {
    // Far references (0.0x) and four near misses around 0.6: only the near misses count.
    const refs = [0.01, 0.02, 0.0, 0.03, 0.01, 0.55, 0.6, 0.65, 0.6];
    const r = chanceStats(refs, 0.001, 4);
    expect(r.level).toBeCloseTo(0.6, 12);
    expect(r.spread).toBeCloseTo(Math.sqrt((0.05 ** 2 + 0 + 0.05 ** 2 + 0) / 4), 12);
    // A cosine that would stand far above the bulk is only just above the near misses.
    expect(zScore(0.7, r)).toBeCloseTo(0.1 / r.spread, 9);
    // All of them when fewer than `nearest` are given; order does not matter.
    expect(chanceStats([0.3, 0.1], 0.001, 8)).toEqual(chanceStats([0.1, 0.3], 0.001, 8));
    expect(chanceStats([0.3, 0.1], 0.001, 8).level).toBeCloseTo(0.2, 12);
  });

  it('floors the spread, and needs a reference', () => {
    expect(chanceStats([0.2, 0.2, 0.2], 0.02, 3).spread).toBe(0.02);
    expect(() => chanceStats([], 0.02, 3)).toThrow();
  });

  it('the same cosine means different presence for texts with different chance levels', () => {
    const rain = chanceStats([0.3, 0.32, 0.28, 0.31, 0.29, 0.3], 0.01, 6); // a noise-like text: high chance level
    const bark = chanceStats([0.05, 0.06, 0.04, 0.05, 0.07, 0.05], 0.01, 6);
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
