import { acquireDecoder, releaseDecoder, type CodecKind, type DecodedChunk } from './decoders';
import { decoderProblem } from './decoder-errors';
import { corrupt } from './fail';
import { nonAudioWarning, zeroNonAudio } from './sample-guard';
import type { AudioSource } from './source';

/** File bytes handed to a decoder per call: large enough to amortise calls, small for memory. */
const READ_BYTES = 512 * 1024;

export interface CodecStream {
  kind: CodecKind;
  label: string;
  /** Byte range of the encoded stream in the file. */
  start: number;
  end: number;
  /** Channels to keep: mpg123 always returns two, even for mono MP3. */
  channels: number;
  /** FLAC's bits per sample: its decoder scales by 2^(bits-1) - 1, which is undone (see toPcmScale). */
  bits?: number;
  /**
   * Bytes fed to the decoder before the range [start, end): Ogg Opus header pages rebuilt without
   * a comment packet the decoder cannot take (see ogg.ts), the audio pages following as they are.
   */
  prefix?: Uint8Array;
}

/** Adding then subtracting 1.5 * 2^52 rounds a double to the nearest integer, faster than Math.round. */
const ROUND = 6755399441055744;

/**
 * The FLAC decoder returns float32(int / (2^(bits-1) - 1)). Cuebank scales every integer format by
 * 2^(bits-1) (as ffmpeg does and as WAV decoding here does), so lossless files decode to the same
 * floats whatever the container. Rounding recovers the integer exactly up to 24 bits (the error
 * before rounding is below 0.25).
 */
export function toPcmScale(channels: Float32Array[], bits: number): void {
  const s = 2 ** (bits - 1) - 1;
  const inv = 1 / 2 ** (bits - 1);
  for (let k = 0; k < channels.length; k++) {
    const c = channels[k];
    if (bits <= 24) for (let i = 0; i < c.length; i++) c[i] = (c[i] * s + ROUND - ROUND) * inv;
    else for (let i = 0; i < c.length; i++) c[i] = c[i] * s * inv;
  }
}

export interface DecodeTotals {
  frames: number;
  sampleRate: number;
  warnings: string[];
}

/**
 * toMono(channels after toPcmScale(channels, bits)) into `out` in one pass, without writing the
 * scaled channels back: the same floats exactly (up to 24 bits the scaled samples are integers
 * times a power of two, so summing the integers and scaling once is exact; above, each channel is
 * rounded to float32 first as the planar path stores it). Returns the samples written.
 */
export function scaledToMono(channels: Float32Array[], bits: number, out: Float32Array): number {
  const n = channels.length;
  if (!n) return 0;
  let len = channels[0].length;
  for (let c = 1; c < n; c++) len = Math.min(len, channels[c].length);
  if (out.length < len) throw new RangeError(`scaledToMono needs ${len} samples of room, got ${out.length}`);
  const s = 2 ** (bits - 1) - 1;
  const inv = 1 / 2 ** (bits - 1);
  const avg = n === 1 ? 1 : n === 2 ? 0.5 : 1 / n;
  if (bits <= 24) {
    const k = inv * avg;
    if (n === 1) {
      const a = channels[0];
      for (let i = 0; i < len; i++) out[i] = (a[i] * s + ROUND - ROUND) * inv;
    } else if (n === 2) {
      const [a, b] = channels;
      for (let i = 0; i < len; i++) out[i] = (a[i] * s + ROUND - ROUND + (b[i] * s + ROUND - ROUND)) * k;
    } else {
      for (let i = 0; i < len; i++) {
        let sum = 0;
        for (let c = 0; c < n; c++) sum += channels[c][i] * s + ROUND - ROUND;
        out[i] = sum * k;
      }
    }
    return len;
  }
  for (let i = 0; i < len; i++) {
    let sum = 0;
    for (let c = 0; c < n; c++) sum += Math.fround(channels[c][i] * s * inv);
    out[i] = n === 1 ? sum : sum * avg;
  }
  return len;
}

/**
 * Feeds a compressed stream through its wasm decoder in file-order chunks and yields each decoded
 * piece (planar, `s.channels` channels). Reads the file at offsets, never whole. `totals` is
 * complete once the generator finishes; it throws if nothing at all could be decoded.
 * With `scale` false, FLAC samples come as the decoder gives them, for a caller that applies
 * toPcmScale itself (scaledToMono); the channel arrays are the decoder's, to read at once.
 */
export async function* decodeChunks(
  src: AudioSource,
  s: CodecStream,
  totals: DecodeTotals,
  signal?: AbortSignal,
  scale = true,
): AsyncGenerator<Float32Array[], void, void> {
  const decoder = await acquireDecoder(s.kind);
  let clean = false;
  let errors = 0;
  let firstError = '';
  let zeroed = 0;
  /** Where the decoder threw (its JavaScript glue or wasm gave up on damaged data), if it did. */
  let stoppedAt: number | null = null;
  const take = (d: DecodedChunk): Float32Array[] | null => {
    for (const e of d.errors) {
      errors++;
      firstError ||= e.message;
    }
    if (!d.samplesDecoded) return null;
    totals.sampleRate ||= d.sampleRate;
    totals.frames += d.samplesDecoded;
    const out = d.channelData.slice(0, s.channels);
    for (const c of out) zeroed += zeroNonAudio(c);
    if (s.bits && scale) toPcmScale(out, s.bits);
    return out;
  };
  /** A decoder call; a throw becomes `stoppedAt` and no samples, so what was decoded so far is kept. */
  const guarded = async (at: number, call: () => Promise<DecodedChunk>): Promise<DecodedChunk | null> => {
    try {
      return await call();
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') throw err;
      stoppedAt = at;
      return null;
    }
  };
  try {
    if (s.prefix) {
      const prefix = s.prefix;
      const d = await guarded(s.start, () => decoder.decode(new Uint8Array(prefix)));
      const out = d && take(d);
      if (out) yield out;
    }
    for (let o = s.start; o < s.end && stoppedAt === null; o += READ_BYTES) {
      signal?.throwIfAborted();
      const bytes = await src.read(o, Math.min(READ_BYTES, s.end - o));
      // A fresh copy: the parsers keep references to partial frames between calls.
      const d = await guarded(o, () => decoder.decode(new Uint8Array(bytes)));
      const out = d && take(d);
      if (out) yield out;
    }
    if (stoppedAt === null) {
      const d = await guarded(s.end, () => decoder.flush());
      clean = stoppedAt === null;
      const out = d && take(d);
      if (out) yield out;
    }
  } finally {
    releaseDecoder(s.kind, decoder, clean);
  }
  if (!totals.frames) {
    const why = stoppedAt !== null ? 'its audio data is damaged' : errors ? decoderProblem(firstError) : 'it holds no audio the decoder could read';
    throw corrupt(`Cannot decode this ${s.label} file: ${why}`);
  }
  if (stoppedAt !== null) {
    totals.warnings.push(`The ${s.label} audio is damaged from about byte ${stoppedAt}; decoded the ${totals.frames} frames before it`);
  }
  if (errors) {
    totals.warnings.push(`${errors} damaged stretch${errors > 1 ? 'es' : ''} of ${s.label} audio could not be decoded (${decoderProblem(firstError)}); decoded the rest`);
  }
  if (zeroed) totals.warnings.push(nonAudioWarning(zeroed));
}

export function newTotals(): DecodeTotals {
  return { frames: 0, sampleRate: 0, warnings: [] };
}
