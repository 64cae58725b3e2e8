import type { DecodedAudio } from '../../audio/types';
import { fitToTake, frames, levelsFromSums, levelsOf, mixPlacements, type BlockSums, type FitOptions, type MixResult, type TakeLevels } from '../mix';
import type { SoundEvent } from '../types';
import { PLACEMENT_FADE_SECONDS } from './types';

/**
 * What placing sounds reuses for a whole job: each reference fitted to a take format, and the
 * levels (gated loudness, block peaks) of takes and fitted sounds, made once whatever the number
 * of iterations and candidates that use them. Keyed by the audio object: the loop never changes
 * audio once made or decoded (parents, reference windows, fitted sounds).
 */
export class PlacementCache {
  private readonly fits = new WeakMap<DecodedAudio, Map<string, DecodedAudio>>();
  private readonly measured = new WeakMap<DecodedAudio, TakeLevels>();

  /** fitToTake(sound, opts), once per sound and options. */
  fit(sound: DecodedAudio, opts: FitOptions): DecodedAudio {
    const key = `${opts.sampleRate}/${opts.channels}/${opts.maxSeconds}/${opts.fadeSeconds}`;
    let bySound = this.fits.get(sound);
    if (!bySound) {
      bySound = new Map();
      this.fits.set(sound, bySound);
    }
    let fitted = bySound.get(key);
    if (!fitted) {
      fitted = fitToTake(sound, opts);
      bySound.set(key, fitted);
    }
    return fitted;
  }

  /** Keeps the levels of `audio` from block sums measured elsewhere (the take writer's). */
  rememberLevels(audio: DecodedAudio, sums: BlockSums): void {
    this.measured.set(audio, levelsFromSums(sums, frames(audio), audio.channels.length));
  }

  /** levelsOf(audio), once per audio. */
  readonly levels = (audio: DecodedAudio): TakeLevels => {
    let levels = this.measured.get(audio);
    if (!levels) {
      levels = levelsOf(audio);
      this.measured.set(audio, levels);
    }
    return levels;
  };
}

/** Places each sound on the take at its event's start, trimmed to the event's span, and mixes them in. */
export function placeOnTake(
  take: DecodedAudio,
  sounds: readonly { event: SoundEvent; sound: DecodedAudio; gainDb?: number }[],
  levelDb: number,
  cache = new PlacementCache(),
): MixResult {
  const takeSeconds = (take.channels[0]?.length ?? 0) / take.sampleRate;
  const placements = sounds
    .filter(({ event }) => event.start < takeSeconds)
    .map(({ event, sound, gainDb }) => ({
      at: event.start,
      gainDb,
      sound: cache.fit(sound, {
        sampleRate: take.sampleRate,
        channels: take.channels.length,
        maxSeconds: Math.max(0.05, Math.min(event.end, takeSeconds) - event.start),
        fadeSeconds: PLACEMENT_FADE_SECONDS,
      }),
    }));
  return mixPlacements(take, placements, levelDb, cache.levels);
}
