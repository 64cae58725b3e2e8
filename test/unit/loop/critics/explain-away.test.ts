import { describe, expect, it } from 'vitest';
import { bankSimilarities, EventContrast } from '../../../../main/engine/loop/critics/contrast-bank';
import { OtherEventsProjection, otherEventDirections, type EventReading } from '../../../../main/engine/loop/critics/explain-away';

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

  describe('what stands for another event', () => {
    // 4-d: x = the judged event's meaning, y = the other event's text, z = where the other event's
    // sounds also lie (off its text: a sound is never exactly its description), w = something else.
    const bank = [unit(0, 0, 0, 1), unit(0, 0.2, 0, 1)];
    const readingOf = (text: Float32Array): EventReading => ({ text, contrast: new EventContrast(text, bank, 0.5), rank: 1 });
    const judged = readingOf(unit(1, 0, 0, 0));
    const other = readingOf(unit(0, 1, 0, 0));
    const held = (v: Float32Array) => ({ v, sims: bankSimilarities(v, bank) });
    const otherSound = held(unit(0, 1, 0.8, 0)); // the model hears it as the other event
    const closerOtherSound = held(unit(0, 1, 0.3, 0));
    const both = held(unit(1, 1, 0, 0)); // heard as the other event and as the judged one
    const neither = held(unit(0, 0, 0, 1));

    it('is its text and the reference sounds the model describes as it, best first', () => {
      const dirs = otherEventDirections(other, judged, [neither, otherSound, closerOtherSound], 2);
      expect(dirs).toEqual([other.text, closerOtherSound.v, otherSound.v]);
      expect(otherEventDirections(other, judged, [neither, otherSound, closerOtherSound], 1)).toEqual([other.text, closerOtherSound.v]);
      expect(otherEventDirections(other, judged, [otherSound], 0)).toEqual([other.text]);
    });

    it('never a sound the model also hears as the judged event', () => {
      expect(otherEventDirections(other, judged, [both, neither], 3)).toEqual([other.text]);
    });

    it("removes more of the other event's sound than its text alone does", () => {
      const mix = unit(0.4, 1, 0.8, 0); // the judged event under the other event's sound
      const textOnly = new OtherEventsProjection([other.text], 0.15).apply(mix)!;
      const withSound = new OtherEventsProjection(otherEventDirections(other, judged, [otherSound], 1), 0.15).apply(mix)!;
      expect(dot(withSound, judged.text)).toBeGreaterThan(dot(textOnly, judged.text));
      expect(dot(withSound, judged.text)).toBeCloseTo(1, 5);
    });
  });
});
