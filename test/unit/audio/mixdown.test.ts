import { describe, expect, it } from 'vitest';
import { toMono } from '../../../main/engine/audio';
import { scaledToMono, toPcmScale } from '../../../main/engine/audio/compressed';
import { toMonoInto } from '../../../main/engine/audio/mixdown';

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

describe('toMonoInto and scaledToMono', () => {
  it('toMonoInto writes toMono into a larger buffer and refuses a short one', () => {
    const ch = [new Float32Array([1, 0.5, -1]), new Float32Array([0, 0.25, 1, 7])];
    const out = new Float32Array(5).fill(9);
    expect(toMonoInto(ch, out)).toBe(3);
    expect(Array.from(out)).toEqual([...Array.from(toMono(ch)), 9, 9]);
    expect(() => toMonoInto(ch, new Float32Array(2))).toThrow(RangeError);
  });

  it('scaledToMono equals toMono after toPcmScale, bit for bit, for 1-4 channels and 8-32 bits', () => {
    let s = 12345;
    const rnd = () => {
      s = (s * 1103515245 + 12345) >>> 0;
      return s / 2 ** 32;
    };
    for (const bits of [8, 16, 20, 24, 32]) {
      for (const n of [1, 2, 3, 4]) {
        // What the FLAC decoder returns: float32(int / (2^(bits-1) - 1)), extremes included.
        const max = 2 ** (bits - 1);
        const ch = Array.from({ length: n }, () => {
          const c = new Float32Array(501);
          for (let i = 0; i < c.length; i++) c[i] = Math.floor(rnd() * 2 * max - max) / (max - 1);
          c[0] = -max / (max - 1);
          c[1] = 1;
          return c;
        });
        const out = new Float32Array(501);
        expect(scaledToMono(ch, bits, out)).toBe(501);
        const copy = ch.map((c) => c.slice());
        toPcmScale(copy, bits);
        const ref = toMono(copy);
        let same = true;
        for (let i = 0; i < ref.length && same; i++) same = Object.is(out[i], ref[i]);
        expect(same, `${bits} bits, ${n} ch`).toBe(true);
      }
    }
  });
});
