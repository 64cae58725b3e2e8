import { describe, expect, it } from 'vitest';
import { OtherEventsProjection } from '../../../../main/engine/loop/critics/explain-away';

/** Unit vectors in 3-d: x = the judged event's meaning, y and z other events' meanings. */
const unit = (...v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

describe('explaining away the other events', () => {
  it('removes the other events and leaves the judged one at full cosine', () => {
    const event = unit(1, 0, 0);
    const mix = unit(0.5, 1, 0); // the event under a louder other event
    const rest = new OtherEventsProjection([unit(0, 1, 0)], 0.15).apply(mix)!;
    expect(dot(mix, event)).toBeLessThan(0.5);
    expect(dot(rest, event)).toBeCloseTo(1, 5);
    expect(dot(rest, rest)).toBeCloseTo(1, 5);
  });

  it('removes the span of several others, not only each direction alone', () => {
    const others = [unit(0, 1, 0), unit(0, 1, 1)]; // not orthogonal: span = the y–z plane
    const rest = new OtherEventsProjection(others, 0.15).apply(unit(0.3, 1, -1))!;
    expect(rest[0]).toBeCloseTo(1, 5);
    expect(Math.abs(rest[1]) + Math.abs(rest[2])).toBeLessThan(1e-5);
  });

  it('a sound the others explain almost entirely holds nothing else (no blown-up remainder)', () => {
    const proj = new OtherEventsProjection([unit(0, 1, 0)], 0.15);
    expect(proj.apply(unit(0.1, 1, 0))).toBeNull(); // 10 % of its length left
    expect(proj.apply(unit(0.2, 1, 0))).not.toBeNull(); // 20 % left
  });

  it('with no other events, changes nothing', () => {
    const v = unit(0.3, 0.4, 0.5);
    const proj = new OtherEventsProjection([], 0.15);
    expect(proj.empty).toBe(true);
    expect(proj.apply(v)).toBe(v);
  });
});
