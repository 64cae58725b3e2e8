import type { FileMeta, FormatInfo } from './types';
import type { PcmLayout } from './pcm';

/** Where a PCM container's samples are, for reading them at offsets (whole or streamed). */
export interface PcmData {
  layout: PcmLayout;
  /** File offset of the first sample frame. */
  offset: number;
  frames: number;
}

export function emptyMeta(format: FormatInfo): FileMeta {
  return { format, bext: null, ixml: null, info: {}, cues: [], sampler: null, warnings: [] };
}

export function formatInfo(
  container: string,
  codec: string,
  sampleRate: number,
  channels: number,
  bitsPerSample: number | null,
  frames: number,
): FormatInfo {
  return { container, codec, sampleRate, channels, bitsPerSample, frames, duration: sampleRate > 0 ? frames / sampleRate : 0 };
}

/** Adds tag values without overwriting keys a more specific chunk already set. */
export function mergeInfo(into: Record<string, string>, from: Record<string, string>): void {
  for (const [k, v] of Object.entries(from)) if (!(k in into)) into[k] = v;
}
