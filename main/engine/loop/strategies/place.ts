import type { DecodedAudio } from '../../audio/types';
import { fitToTake, mixPlacements, type MixResult } from '../mix';
import type { SoundEvent } from '../types';
import { PLACEMENT_FADE_SECONDS } from './types';

/**
 * Places each sound on the take at its event's start, trimmed to the event's span, and mixes them
 * in. `fitted` keeps each sound fitted to the take across calls (the candidates of an iteration).
 */
export function placeOnTake(
  take: DecodedAudio,
  sounds: readonly { event: SoundEvent; sound: DecodedAudio }[],
  levelDb: number,
  fitted = new Map<DecodedAudio, DecodedAudio>(),
): MixResult {
  const takeSeconds = (take.channels[0]?.length ?? 0) / take.sampleRate;
  const placements = sounds
    .filter(({ event }) => event.start < takeSeconds)
    .map(({ event, sound }) => {
      let fit = fitted.get(sound);
      if (!fit) {
        fit = fitToTake(sound, {
          sampleRate: take.sampleRate,
          channels: take.channels.length,
          maxSeconds: Math.max(0.05, Math.min(event.end, takeSeconds) - event.start),
          fadeSeconds: PLACEMENT_FADE_SECONDS,
        });
        fitted.set(sound, fit);
      }
      return { at: event.start, sound: fit };
    });
  return mixPlacements(take, placements, levelDb);
}
