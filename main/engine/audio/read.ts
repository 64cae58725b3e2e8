import { decodeChunks, newTotals } from './compressed';
import { corrupt } from './fail';
import { openAudio, applyTotals, type Opened } from './open';
import { pcmToPlanar } from './pcm';
import { nonAudioWarning } from './sample-guard';
import { AudioSource, SyncFileSource, withSource } from './source';
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
      const zeroed = pcmToPlanar(bytes, layout, frames, channels);
      if (zeroed) opened.meta.warnings.push(nonAudioWarning(zeroed));
      return { meta: opened.meta, audio: { sampleRate: opened.meta.format.sampleRate, channels } };
    }
    const totals = newTotals();
    const pieces: Float32Array[][] = [];
    for await (const piece of decodeChunks(src, opened.stream, totals)) pieces.push(piece);
    // Sized from the pieces themselves: a decoder fed damaged data may report a sample count
    // that differs from the arrays it returns.
    const count = Math.max(...pieces.map((p) => p.length));
    const lengths = pieces.map((p) => Math.min(...p.map((c) => c.length)));
    const channels = Array.from({ length: count }, () => new Float32Array(lengths.reduce((a, b) => a + b, 0)));
    let at = 0;
    pieces.forEach((piece, k) => {
      for (let c = 0; c < count; c++) channels[c].set((piece[c] ?? piece[0]).subarray(0, lengths[k]), at);
      at += lengths[k];
    });
    applyTotals(opened, totals, count);
    return { meta: opened.meta, audio: { sampleRate: opened.meta.format.sampleRate, channels } };
  });
}

/**
 * Decodes [start, end) seconds of a file (clamped to its length) at its own rate. PCM files read
 * only those bytes; compressed ones are decoded through but only the window is kept. A window of a
 * long ambience (a retrieved reference) holds its own length in memory, not the file's.
 *
 * The headers and a PCM window up to SYNC_WINDOW_BYTES are read synchronously (SyncFileSource says
 * why); compressed files and longer windows are then read through an async source, reusing the
 * headers already parsed.
 */
export async function decodeRange(file: string, start: number, end: number): Promise<{ meta: FileMeta; audio: DecodedAudio }> {
  const sync = SyncFileSource.open(file);
  let opened: Opened;
  try {
    opened = await openAudio(sync);
    if (opened.kind === 'pcm') {
      const w = pcmWindow(opened, start, end);
      if (w.bytes <= SYNC_WINDOW_BYTES) return pcmWindowAudio(opened, w, sync.readNow(w.offset, w.bytes));
    }
  } finally {
    sync.closeNow();
  }
  const src = await AudioSource.reopen(file, sync.size);
  try {
    if (opened.kind === 'pcm') {
      const w = pcmWindow(opened, start, end);
      return pcmWindowAudio(opened, w, await src.read(w.offset, w.bytes));
    }
    return await decodeCodecRange(src, opened, start, end);
  } finally {
    await src.close();
  }
}

/** Largest PCM window decodeRange reads synchronously (16 MiB: 30 s of 96 kHz 24-bit 5.1). */
const SYNC_WINDOW_BYTES = 16 << 20;

function frameRange(rate: number, start: number, end: number): { first: number; stop: number } {
  const first = Math.max(0, Math.round(start * rate));
  return { first, stop: Math.max(first, Math.round(end * rate)) };
}

interface PcmWindow {
  /** File offset and length of the window's bytes. */
  offset: number;
  bytes: number;
  frames: number;
}

function pcmWindow(opened: Opened & { kind: 'pcm' }, start: number, end: number): PcmWindow {
  const { first, stop } = frameRange(opened.meta.format.sampleRate, start, end);
  const { layout, offset, frames } = opened.pcm;
  const from = Math.min(first, frames);
  const count = Math.min(stop, frames) - from;
  return { offset: offset + from * layout.blockAlign, bytes: count * layout.blockAlign, frames: count };
}

function pcmWindowAudio(opened: Opened & { kind: 'pcm' }, w: PcmWindow, bytes: Buffer): { meta: FileMeta; audio: DecodedAudio } {
  if (bytes.length < w.bytes) throw corrupt('The file changed or was cut short while it was being read');
  const { layout } = opened.pcm;
  const channels = Array.from({ length: layout.channels }, () => new Float32Array(w.frames));
  const zeroed = pcmToPlanar(bytes, layout, w.frames, channels);
  if (zeroed) opened.meta.warnings.push(nonAudioWarning(zeroed));
  return { meta: opened.meta, audio: { sampleRate: opened.meta.format.sampleRate, channels } };
}

/** A window of a compressed stream: decoded from the start, only the window's samples kept. */
async function decodeCodecRange(
  src: AudioSource,
  opened: Opened & { kind: 'codec' },
  start: number,
  end: number,
): Promise<{ meta: FileMeta; audio: DecodedAudio }> {
  const rate = opened.meta.format.sampleRate;
  const { first, stop } = frameRange(rate, start, end);
  const pieces: Float32Array[][] = [];
  let at = 0;
  for await (const piece of decodeChunks(src, opened.stream, newTotals())) {
    const n = piece[0]?.length ?? 0;
    const a = Math.max(first, at);
    const b = Math.min(stop, at + n);
    if (b > a) pieces.push(piece.map((c) => c.slice(a - at, b - at)));
    // No early exit: a decoder left mid-stream cannot go back to the pool, and making a new one
    // costs more than decoding the rest of a sound effect.
    at += n;
  }
  const count = Math.max(1, ...pieces.map((p) => p.length));
  const total = pieces.reduce((sum, p) => sum + p[0].length, 0);
  const channels = Array.from({ length: count }, () => new Float32Array(total));
  let o = 0;
  for (const piece of pieces) {
    for (let c = 0; c < count; c++) channels[c].set(piece[c] ?? piece[0], o);
    o += piece[0].length;
  }
  return { meta: opened.meta, audio: { sampleRate: rate, channels } };
}
