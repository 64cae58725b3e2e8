import { describe, expect, it } from 'vitest';
import { f16ToF32, f32ToF16 } from '../../../main/engine/models/float16';

describe('float16', () => {
  it('encodes normals, subnormals, overflow, zeros and NaN to their IEEE half bits', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff],
      [1e6, 0x7c00],
      [-Infinity, 0xfc00],
      [2 ** -14, 0x0400],
      [2 ** -24, 0x0001],
      [1e-9, 0x0000],
      [-0, 0x8000],
      [1 + 2 ** -11, 0x3c00], // below half precision: truncated
    ];
    for (const [x, bits] of cases) expect(f32ToF16(x), String(x)).toBe(bits);
    expect(f32ToF16(NaN) & 0x7e00).toBe(0x7e00);
  });

  it('decodes every half value, and encoding gives the same bits back', () => {
    expect(f16ToF32(0x3c00)).toBe(1);
    expect(f16ToF32(0xc000)).toBe(-2);
    expect(f16ToF32(0x0001)).toBe(2 ** -24);
    expect(f16ToF32(0x7bff)).toBe(65504);
    expect(f16ToF32(0x7c00)).toBe(Infinity);
    expect(f16ToF32(0x7e00)).toBeNaN();
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && h & 0x3ff) continue; // NaN payloads
      if (f32ToF16(f16ToF32(h)) !== h) throw new Error(`bits ${h.toString(16)} do not round-trip`);
    }
  });
});
