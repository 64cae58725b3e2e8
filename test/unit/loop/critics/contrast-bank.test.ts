import { describe, expect, it } from 'vitest';
import { bankSimilarities, EventContrast, ucsContrastTexts } from '../../../../main/engine/loop/critics/contrast-bank';
import { referenceSounds } from '../../../../main/engine/loop/critics/reference-sounds';

/** Unit vectors in 3-d: x = the event's meaning, y and z other meanings. */
const unit = (...v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};

describe('contrast bank', () => {
  it('is one text per UCS subcategory, unique, lower case, without "misc"', async () => {
    const texts = await ucsContrastTexts();
    expect(texts.length).toBeGreaterThan(700);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts).toContain('weather thunder');
    expect(texts).toContain('electricity buzz & hum');
    expect(texts.every((t) => t === t.toLowerCase() && !/\bmisc\b/.test(t) && t.trim() === t && t.length > 0)).toBe(true);
  });

  it('leaves out the texts that describe the event itself', () => {
    const event = unit(1, 0, 0);
    const same = unit(1, 0.2, 0);
    const other = unit(0, 1, 0);
    const near = unit(0.4, 1, 0); // cosine 0.37 with the event
    expect(new EventContrast(event, [same, other, near], 0.5).kept).toEqual([1, 2]);
    expect(new EventContrast(event, [same, other, near], 0.3).kept).toEqual([1]);
  });

  it('a sound is the event when fewer than `rank` alternatives describe it better than the event text', () => {
    const event = unit(1, 0, 0);
    const bank = [unit(0, 1, 0), unit(0, 1, 0.1), unit(0, 0, 1)];
    const contrast = new EventContrast(event, bank, 0.5);
    const judge = (sound: Float32Array, rank: number) => contrast.describesAs(sound[0] * 1, bankSimilarities(sound, bank), rank);
    const eventLike = unit(1, 0.3, 0); // "brown noise is a rumble"
    const otherLike = unit(0.5, 1, 0); // partly like the event, better described by others: a near miss
    expect(judge(eventLike, 1)).toBe(true);
    expect(judge(otherLike, 1)).toBe(false);
    // Two alternatives beat the event on otherLike: with rank 3 it still counts as the event.
    expect(judge(otherLike, 3)).toBe(true);
  });

  it('a sound\'s typical description is the median of its cosines to the kept texts', () => {
    const bank = [unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1), unit(0, 1, 1)];
    const contrast = new EventContrast(unit(1, 0, 0), bank, 0.5); // keeps 1, 2, 3
    const sound = unit(0, 1, 0);
    // Cosines to the kept texts: 1, 0, 0.707 -> median 0.707.
    expect(contrast.typical(bankSimilarities(sound, bank))).toBeCloseTo(Math.SQRT1_2, 6);
    expect(new EventContrast(unit(1, 0, 0), [unit(1, 0, 0)], 0.5).typical(new Float32Array(1))).toBe(0);
  });

  it('scores a sound by its cosine to the event less its typical cosine, never adding a negative typical cosine', () => {
    const bank = [unit(0, 1, 0), unit(0, 0, 1)];
    const contrast = new EventContrast(unit(1, 0, 0), bank, 0.5);
    // Close to every description: the typical cosine (0.577) comes off.
    const broad = unit(1, 1, 1);
    expect(contrast.score(broad[0], bankSimilarities(broad, bank))).toBeCloseTo(0.577 - 0.577, 3);
    // Unlike every description (a remainder once other events are removed): no credit for that.
    const away = unit(0.2, -1, -1);
    expect(contrast.typical(bankSimilarities(away, bank))).toBeLessThan(0);
    expect(contrast.score(away[0], bankSimilarities(away, bank))).toBeCloseTo(away[0], 6);
  });
});

describe('reference sounds', () => {
  it('are the same every time, at the level asked, and keep below the model\'s top frequency', () => {
    const a = referenceSounds(48_000, 0.5, 14_000);
    const b = referenceSounds(48_000, 0.5, 14_000);
    expect(a.map((r) => r.name)).toEqual(b.map((r) => r.name));
    a.forEach((r, i) => expect(r.samples).toEqual(b[i].samples));
    expect(a.map((r) => r.name)).toEqual(expect.arrayContaining(['silence', 'white noise', 'brown noise', 'noise octave 63 Hz', 'harmonic tone 156 Hz', 'tone 4000 Hz']));
    // 16 kHz octave (11.3–22.6 kHz) is cut at 14 kHz, the 10 kHz tone is kept; at 16 kHz sampling both go.
    expect(a.some((r) => r.name === 'noise octave 16000 Hz')).toBe(true);
    expect(referenceSounds(16_000, 0.5).some((r) => r.name === 'noise octave 16000 Hz' || r.name === 'tone 10000 Hz')).toBe(false);
    for (const r of a) {
      expect(r.samples.length).toBe(24_000);
      const rms = Math.sqrt(r.samples.reduce((s, v) => s + v * v, 0) / r.samples.length);
      expect(20 * Math.log10(rms)).toBeCloseTo(r.name === 'silence' ? -90 : -20, 1);
    }
  });
});
