import { describe, expect, it } from 'vitest';
import { quantise } from '../../../main/engine/export/encode/dither';
import { seededRandom } from '../../../main/engine/seeded-random';

describe('TPDF dither and quantisation', () => {
  it('is reproducible for a seed and differs between seeds', () => {
    const x = [Float32Array.from({ length: 1000 }, (_, i) => 0.3 * Math.sin(i / 10))];
    expect(quantise(x, 16, 5)[0]).toEqual(quantise(x, 16, 5)[0]);
    expect(quantise(x, 16, 5)[0]).not.toEqual(quantise(x, 16, 6)[0]);
    const r = seededRandom(1);
    const first = [r(), r(), r()];
    const again = seededRandom(1);
    expect([again(), again(), again()]).toEqual(first);
  });

  it('adds triangular noise of ±1 LSB: error mean ≈ 0, variance ≈ 1/4 LSB², never past 1.5 LSB', () => {
    const n = 200_000;
    const x = Float32Array.from({ length: n }, (_, i) => 0.4 * Math.sin(i * 0.0123) + 0.1 * Math.sin(i * 0.377));
    const [q] = quantise([x], 16, 9);
    let sum = 0;
    let sq = 0;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const e = q[i] - x[i] * 32768;
      sum += e;
      sq += e * e;
      worst = Math.max(worst, Math.abs(e));
    }
    const mean = sum / n;
    // Rounding error (1/12) plus the dither's own variance (2 × 1/12) for TPDF of ±1 LSB.
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(sq / n - mean * mean).toBeGreaterThan(0.23);
    expect(sq / n - mean * mean).toBeLessThan(0.27);
    expect(worst).toBeLessThanOrEqual(1.5);
  });

  it('decorrelates the error from a low-level signal (no harmonic distortion from truncation)', () => {
    // A sine of 0.4 LSB would vanish without dither; with it, the average over many periods keeps it.
    const n = 96_000;
    const x = Float32Array.from({ length: n }, (_, i) => (0.4 / 32768) * Math.sin((2 * Math.PI * i) / 48));
    const [q] = quantise([x], 16, 3);
    const undithered = x.map((v) => Math.round(v * 32768));
    expect(undithered.every((v) => v === 0)).toBe(true);
    let corr = 0;
    for (let i = 0; i < n; i++) corr += q[i] * Math.sin((2 * Math.PI * i) / 48);
    expect((2 * corr) / n).toBeGreaterThan(0.3); // amplitude recovered: ≈ 0.4 LSB
    expect((2 * corr) / n).toBeLessThan(0.5);
  });

  it('clamps over-range input to the integer range and reads NaN as silence', () => {
    const x = Float32Array.from([2, -2, 1, -1, 0.99999999, Number.NaN, Infinity, -Infinity]);
    const [q16] = quantise([x], 16, 1);
    const [q24] = quantise([x], 24, 1);
    for (const v of q16) expect(v >= -32768 && v <= 32767).toBe(true);
    for (const v of q24) expect(v >= -8388608 && v <= 8388607).toBe(true);
    expect(q16[0]).toBeGreaterThanOrEqual(32766);
    expect(q16[1]).toBeLessThanOrEqual(-32767);
    expect(Math.abs(q16[5])).toBeLessThanOrEqual(1);
    expect(q16[6]).toBeGreaterThanOrEqual(32766);
    expect(q24[7]).toBeLessThanOrEqual(-8388607);
  });
});
