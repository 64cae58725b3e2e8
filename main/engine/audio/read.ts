import { decodeChunks, newTotals } from './compressed';
import { corrupt } from './fail';
import { openAudio, applyTotals } from './open';
import { pcmToPlanar } from './pcm';
import { withSource } from './source';
import type { DecodedAudio, FileMeta } from './types';

/**
 * A file's format and metadata. Header-only for WAV/RF64/BW64/AIFF/FLAC; MP3 and Ogg are decoded
 * (and the samples dropped) because only decoding gives their exact length.
 */
export function readMeta(file: string): Promise<FileMeta> {
  return withSource(file, async (src) => {
    const opened = await openAudio(src);
    if (opened.kind === 'codec' && opened.knownFrames === null) {
      const totals = newTotals();
      let channels = 0;
      for await (const piece of decodeChunks(src, opened.stream, totals)) channels = piece.length;
      applyTotals(opened, totals, channels);
    }
    return opened.meta;
  });
}

/** Decodes a whole file to planar float channels at its own sample rate. */
export function decodeFile(file: string): Promise<{ meta: FileMeta; audio: DecodedAudio }> {
  return withSource(file, async (src) => {
    const opened = await openAudio(src);
    if (opened.kind === 'pcm') {
      const { layout, offset, frames } = opened.pcm;
      const bytes = await src.read(offset, frames * layout.blockAlign);
      if (bytes.length < frames * layout.blockAlign) throw corrupt('The file changed or was cut short while it was being read');
      const channels = Array.from({ length: layout.channels }, () => new Float32Array(frames));
      pcmToPlanar(bytes, layout, frames, channels);
      return { meta: opened.meta, audio: { sampleRate: opened.meta.format.sampleRate, channels } };
    }
    const totals = newTotals();
    const pieces: Float32Array[][] = [];
    for await (const piece of decodeChunks(src, opened.stream, totals)) pieces.push(piece);
    const count = Math.max(...pieces.map((p) => p.length));
    const channels = Array.from({ length: count }, () => new Float32Array(totals.frames));
    let at = 0;
    for (const piece of pieces) {
      for (let c = 0; c < count; c++) channels[c].set(piece[c] ?? piece[0], at);
      at += piece[0].length;
    }
    applyTotals(opened, totals, count);
    return { meta: opened.meta, audio: { sampleRate: opened.meta.format.sampleRate, channels } };
  });
}
