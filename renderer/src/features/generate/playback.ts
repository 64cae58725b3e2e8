import type { LoopReference, SearchHit, Take } from '../../../../preload/contract';
import type { Stores } from '../../stores';
import { baseName, dirName } from '../../lib/format';

/**
 * The app has one preview player (stores/player.svelte.ts) that plays search hits: a take or a
 * reference is handed to it as a hit-shaped value. Only path, start and duration matter to it;
 * the other fields say "not a library result" (fileId -1, no score parts).
 */
function asHit(path: string, start: number, duration: number, sampleRate = 0, channels = 0): SearchHit {
  return {
    fileId: -1,
    path,
    name: baseName(path),
    folder: dirName(path),
    score: 0,
    start,
    end: duration,
    duration,
    sampleRate,
    channels,
    bitsPerSample: null,
    codec: '',
    parts: { audio: null, text: null, keyword: null },
  };
}

export function isPlaying(s: Stores, path: string): boolean {
  return s.player.isPlaying(path);
}

/** Plays a take from `at` seconds (default: the start), or stops it when it is playing. */
export function toggleTake(s: Stores, take: Take, at = 0): void {
  if (s.player.isPlaying(take.path)) s.player.stop();
  else void s.player.play(asHit(take.path, at, take.duration, take.sampleRate, take.channels));
}

export function playTake(s: Stores, take: Take, at = 0): void {
  void s.player.play(asHit(take.path, Math.max(0, Math.min(at, take.duration - 0.05)), take.duration, take.sampleRate, take.channels));
}

/** Plays a reference's matching window from the library file (toggle). */
export function toggleReference(s: Stores, ref: LoopReference): void {
  if (s.player.isPlaying(ref.path)) s.player.stop();
  else void s.player.play(asHit(ref.path, ref.start, Math.max(ref.end, ref.start + 0.05)));
}

/**
 * A/B: plays the other take of the pair from the position the current one is at, so the same
 * moment of both is heard back to back. Returns the side now playing.
 */
export function switchAB(s: Stores, a: Take, b: Take): 'a' | 'b' {
  const onA = s.player.path === a.path;
  const onB = s.player.path === b.path;
  const at = onA || onB ? s.player.time : 0;
  const next = onA ? b : onB ? a : a;
  playTake(s, next, at);
  return next === a ? 'a' : 'b';
}

/** Plays one side of the pair from the position of whatever of the pair was playing. */
export function playSide(s: Stores, side: Take, other: Take): void {
  const at = s.player.path === other.path || s.player.path === side.path ? s.player.time : 0;
  playTake(s, side, at);
}
