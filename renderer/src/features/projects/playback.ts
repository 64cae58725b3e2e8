import type { ProjectItem, SearchHit } from '../../../../preload/contract';
import type { Stores } from '../../stores';
import { baseName, dirName } from '../../lib/format';

/**
 * The app has one preview player (stores/player.svelte.ts) that plays search hits; an item is
 * handed to it as a hit-shaped value whose start is the trim-in point in the file (the item's
 * window start plus its trim in). The other fields say "not a library result".
 */
function asHit(item: ProjectItem, at: number): SearchHit {
  const offset = item.window?.start ?? 0;
  const fileDuration = item.window ? item.window.end : item.duration;
  return {
    fileId: -1,
    path: item.audioPath,
    name: baseName(item.audioPath),
    folder: dirName(item.audioPath),
    score: 0,
    start: offset + at,
    end: fileDuration,
    duration: fileDuration,
    sampleRate: item.sampleRate,
    channels: item.channels,
    bitsPerSample: null,
    codec: '',
    parts: { audio: null, text: null, keyword: null },
  };
}

/** Plays the item from its trim in (or `at`, seconds into the item), or stops it when playing. */
export function toggleItem(s: Stores, item: ProjectItem, at?: number): void {
  if (s.player.isPlaying(item.audioPath)) s.player.stop();
  else void s.player.play(asHit(item, at ?? item.trimIn));
}

/** The player's position in item time (seconds into the item), or null when it is not this item's file. */
export function itemPlayhead(s: Stores, item: ProjectItem): number | null {
  if (s.player.path !== item.audioPath) return null;
  const t = s.player.time - (item.window?.start ?? 0);
  return t >= 0 && t <= item.duration ? t : null;
}
