/**
 * The loop's cheaper mixing paths give what the plain definitions give: levels from one pass equal
 * gated RMS and per-block peaks computed naively, a mix's peak found from block peaks equals the
 * peak of the whole mix (so the ceiling is applied exactly as before), and the job cache fits and
 * measures each sound once.
 */
import { describe, expect, it } from 'vitest';
import type { DecodedAudio } from '../../../main/engine/audio/types';
import { dbToGain, fitToTake, gatedRms, levelsOf, mixPlacements, PEAK_CEILING, type Placement } from '../../../main/engine/loop/mix';
import { PlacementCache, placeOnTake } from '../../../main/engine/loop/strategies/place';
import type { SoundEvent } from '../../../main/engine/loop/types';
import { noise, sine } from './fakes';

const RATE = 16_000;

/** BS.1770-style gated RMS written out the obvious way, as the reference. */
function naiveGatedRms(audio: DecodedAudio): number {
  const n = audio.channels[0].length;
  const block = Math.round(0.05 * audio.sampleRate);
  const powers: number[] = [];
  for (let b = 0; b < n; b += block) {
    const e = Math.min(n, b + block);
    let sum = 0;
    for (const ch of audio.channels) for (let i = b; i < e; i++) sum += ch[i] * ch[i];
    powers.push(sum / ((e - b) * audio.channels.length));
  }
  const loud = powers.filter((p) => p > dbToGain(-70) ** 2);
  if (!loud.length) return 0;
  const rel = (loud.reduce((s, p) => s + p, 0) / loud.length) * dbToGain(-20) ** 2;
  const kept = loud.filter((p) => p > rel);
  return Math.sqrt(kept.reduce((s, p) => s + p, 0) / kept.length);
}

function naivePeak(channels: Float32Array[]): number {
  let p = 0;
  for (const ch of channels) for (const v of ch) p = Math.max(p, Math.abs(v));
  return p;
}

/** A take: quiet noise with a loud burst at `loudAt` seconds, 3 s long (partial last block included). */
function takeWithBurst(loudAt: number, burst: number, channels = 2): DecodedAudio {
  const n = 3 * RATE + 123;
  return {
    sampleRate: RATE,
    channels: Array.from({ length: channels }, (_, c) => {
      const x = noise(n, 0.05, c + 1);
      const at = Math.round(loudAt * RATE);
      for (let i = 0; i < 400; i++) x[at + i] += burst * Math.sin(i / 7);
      return x;
    }),
  };
}

describe('levels of a take', () => {
  it('gated RMS is the gated RMS computed block by block, and block peaks are each block’s largest |sample|', () => {
    const take = takeWithBurst(1.2, 0.8);
    const levels = levelsOf(take);
    expect(levels.rms).toBe(naiveGatedRms(take));
    expect(gatedRms(take)).toBe(levels.rms);
    expect(levels.block).toBe(800);
    expect(levels.blockPeaks).toHaveLength(Math.ceil(take.channels[0].length / 800));
    for (let k = 0; k < levels.blockPeaks.length; k++) {
      const part = take.channels.map((c) => c.subarray(k * 800, (k + 1) * 800));
      expect(levels.blockPeaks[k]).toBe(Math.fround(naivePeak(part)));
    }
  });

  it('silence has no level and no peak', () => {
    const levels = levelsOf({ sampleRate: RATE, channels: [new Float32Array(RATE)] });
    expect(levels.rms).toBe(0);
    expect(Math.max(...levels.blockPeaks)).toBe(0);
  });
});

describe('mixing with block peaks', () => {
  const placed = (amp: number, at: number): Placement => ({ sound: { sampleRate: RATE, channels: [sine(440, 0.5, amp, RATE)] }, at });

  /** The mix as defined: copy, add each placement at its gain, scale the whole to the ceiling if it clips. */
  function naiveMix(take: DecodedAudio, placements: Placement[], gains: number[]): Float32Array[] {
    const out = take.channels.map((c) => c.slice());
    placements.forEach(({ sound, at }, j) => {
      const offset = Math.round(at * take.sampleRate);
      out.forEach((ch, c) => {
        const src = sound.channels[Math.min(c, sound.channels.length - 1)];
        for (let i = Math.max(0, offset); i < Math.min(ch.length, offset + src.length); i++) ch[i] += gains[j] * src[i - offset];
      });
    });
    const p = naivePeak(out);
    if (p > PEAK_CEILING) for (const ch of out) for (let i = 0; i < ch.length; i++) ch[i] *= PEAK_CEILING / p;
    return out;
  }

  it('scales to the ceiling when the take itself peaks outside the placed span', () => {
    const take = takeWithBurst(0.3, 1.4);
    const placements = [placed(0.2, 2)];
    const mixed = mixPlacements(take, placements, -6);
    expect(mixed.ceilingGain).toBeCloseTo(PEAK_CEILING / naivePeak(take.channels), 6);
    expect(mixed.audio.channels).toEqual(naiveMix(take, placements, mixed.gains));
  });

  it('scales to the ceiling when only the placed sound makes it clip, and not at all when nothing clips', () => {
    const take = takeWithBurst(0.3, 0.3);
    const loud = [placed(0.3, 1.5), placed(0.3, 1.7)]; // overlapping placements
    const clipped = mixPlacements(take, loud, 24);
    expect(clipped.ceilingGain).toBeLessThan(1);
    expect(clipped.audio.channels).toEqual(naiveMix(take, loud, clipped.gains));
    expect(naivePeak(clipped.audio.channels)).toBeCloseTo(PEAK_CEILING, 5);

    const quiet = [placed(0.3, 2.9)]; // runs past the end of the take
    const clean = mixPlacements(take, quiet, -12);
    expect(clean.ceilingGain).toBe(1);
    expect(clean.audio.channels).toEqual(naiveMix(take, quiet, clean.gains));
  });

  it('does not scale a mix whose block peaks could add up past the ceiling but whose samples do not', () => {
    // A 0.9 spike and a placed tone in the same 50 ms block, at different samples: the take's block
    // peak plus the tone's peak exceeds the ceiling, the mix itself never does.
    const x = new Float32Array(RATE);
    x[100] = 0.9;
    const take: DecodedAudio = { sampleRate: RATE, channels: [x] };
    const tone: Placement = { sound: { sampleRate: RATE, channels: [sine(1000, 0.02, 0.5, RATE)] }, at: 400 / RATE };
    const mixed = mixPlacements(take, [tone], 13);
    expect(mixed.gains[0] * 0.5).toBeGreaterThan(PEAK_CEILING - 0.9); // the bound is over the ceiling
    expect(mixed.ceilingGain).toBe(1);
    expect(mixed.audio.channels).toEqual(naiveMix(take, [tone], mixed.gains));
    expect(naivePeak(mixed.audio.channels)).toBeCloseTo(0.9, 6);
  });

  it('gives the same mix whether the levels come from a cache or are measured on the spot', () => {
    const take = takeWithBurst(2.5, 0.9);
    const placements = [placed(0.4, 0.25)];
    const cache = new PlacementCache();
    const a = mixPlacements(take, placements, -3);
    const b = mixPlacements(take, placements, -3, cache.levels);
    const c = mixPlacements(take, placements, -3, cache.levels);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(take.channels[0]).toEqual(takeWithBurst(2.5, 0.9).channels[0]); // the take is never changed
  });
});

describe('PlacementCache', () => {
  const event: SoundEvent = { id: 'e0', text: 'a whistle', start: 1, end: 2, relation: 'start', count: 1 };
  const sound: DecodedAudio = { sampleRate: 48_000, channels: [sine(3000, 1.5, 0.3, 48_000)] };

  it('fits a sound once per take format and span, and fits it again for another', () => {
    const cache = new PlacementCache();
    const opts = { sampleRate: RATE, channels: 2, maxSeconds: 1, fadeSeconds: 0.01 };
    const first = cache.fit(sound, opts);
    expect(cache.fit(sound, opts)).toBe(first);
    expect(first).toEqual(fitToTake(sound, opts));
    const shorter = cache.fit(sound, { ...opts, maxSeconds: 0.5 });
    expect(shorter).not.toBe(first);
    expect(shorter.channels[0]).toHaveLength(RATE / 2);
    expect(cache.fit(sound, { ...opts, channels: 1 }).channels).toHaveLength(1);
  });

  it('measures each audio once', () => {
    const cache = new PlacementCache();
    const take = takeWithBurst(1, 0.5);
    expect(cache.levels(take)).toBe(cache.levels(take));
    expect(cache.levels(take)).toEqual(levelsOf(take));
  });

  it('placing with a job cache is placing without one', () => {
    const take = takeWithBurst(0.5, 0.6);
    const cache = new PlacementCache();
    const plain = placeOnTake(take, [{ event, sound }], -4);
    expect(placeOnTake(take, [{ event, sound }], -4, cache)).toEqual(plain);
    expect(placeOnTake(take, [{ event, sound }], -4, cache)).toEqual(plain);
  });
});
