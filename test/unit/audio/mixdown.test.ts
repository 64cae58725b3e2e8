import { describe, expect, it } from 'vitest';
import { toMono } from '../../../main/engine/audio';

describe('toMono', () => {
  it('averages two channels', () => {
    expect(Array.from(toMono([new Float32Array([1, 0.5, -1, 0]), new Float32Array([1, -0.5, 0, 0.25])]))).toEqual([1, 0, -0.5, 0.125]);
  });

  it('averages any number of channels (5.1 included) and keeps full scale in range', () => {
    const ch = Array.from({ length: 6 }, (_, c) => new Float32Array([1, c / 6, -1]));
    expect(Array.from(toMono(ch))).toEqual([1, Math.fround((0 + 1 + 2 + 3 + 4 + 5) / 36), -1]);
    const three = [new Float32Array([0.3]), new Float32Array([0.3]), new Float32Array([0.6])];
    expect(toMono(three)[0]).toBeCloseTo(0.4, 6);
  });

  it('returns a copy of a single channel, not the channel itself', () => {
    const c = new Float32Array([0.1, 0.2]);
    const m = toMono([c]);
    expect(m).not.toBe(c);
    expect(Array.from(m)).toEqual(Array.from(c));
    m[0] = 9;
    expect(c[0]).toBeCloseTo(0.1, 6);
  });

  it('handles no channels and uneven lengths', () => {
    expect(toMono([]).length).toBe(0);
    expect(Array.from(toMono([new Float32Array([1, 1, 1]), new Float32Array([0, 0])]))).toEqual([0.5, 0.5]);
  });
});
