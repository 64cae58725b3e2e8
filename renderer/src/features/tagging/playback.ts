import type { SearchHit } from '../../../../preload/contract';
import type { Stores } from '../../stores';
import { baseName, dirName } from '../../lib/format';

/**
 * The app has one preview player (stores/player.svelte.ts) that plays search hits: a queued file or
 * an evidence sound is handed to it as a hit-shaped value from its start. Only path, start and
 * duration matter to it; the other fields say "not a search result" (fileId -1, no score parts).
 */
function asHit(path: string, duration: number): SearchHit {
  return {
    fileId: -1,
    path,
    name: baseName(path),
    folder: dirName(path),
    score: 0,
    start: 0,
    end: duration,
    duration,
    sampleRate: 0,
    channels: 0,
    bitsPerSample: null,
    codec: '',
    parts: { audio: null, text: null, keyword: null },
  };
}

/** Plays the file from its start, or stops it when it is playing. */
export function toggleFile(s: Stores, path: string, duration: number | null): void {
  if (s.player.isPlaying(path)) s.player.stop();
  else void s.player.play(asHit(path, duration ?? 0));
}
