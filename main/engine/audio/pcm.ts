import os from 'node:os';
import { zeroNonAudio } from './sample-guard';

/** How PCM samples are stored, whatever the container (WAV, RF64, AIFF, AIFF-C). */
export interface PcmLayout {
  channels: number;
  /** Bits per stored sample: 8, 16, 24, 32 (int or float) or 64 (float). */
  bits: number;
  float: boolean;
  bigEndian: boolean;
  /** 8-bit WAV is unsigned (128 = silence); 8-bit AIFF is signed. */
  unsigned: boolean;
  /** Bytes per sample frame (all channels). */
  blockAlign: number;
}

const LITTLE_ENDIAN_HOST = os.endianness() === 'LE';

/** ffprobe's codec name for a PCM layout, e.g. pcm_s24le, pcm_f32be, pcm_u8. */
export function pcmCodecName(l: PcmLayout): string {
  if (l.bits === 8) return l.unsigned ? 'pcm_u8' : 'pcm_s8';
  return `pcm_${l.float ? 'f' : 's'}${l.bits}${l.bigEndian ? 'be' : 'le'}`;
}

/**
 * Converts `frames` interleaved frames from `bytes` into planar floats in [-1, 1], writing at
 * `outOffset` of each output channel. Integers scale by 2^(bits-1), as ffmpeg does, so lossless
 * sources compare bit-exactly with their integer samples. Float samples that are not audio (see
 * sample-guard.ts) come out as 0; returns how many there were.
 */
export function pcmToPlanar(bytes: Uint8Array, l: PcmLayout, frames: number, out: Float32Array[], outOffset = 0): number {
  convertPlanar(bytes, l, frames, out, outOffset);
  if (!l.float) return 0;
  let zeroed = 0;
  for (let c = 0; c < l.channels; c++) zeroed += zeroNonAudio(out[c], outOffset, outOffset + frames);
  return zeroed;
}

function convertPlanar(bytes: Uint8Array, l: PcmLayout, frames: number, out: Float32Array[], outOffset: number): void {
  const bps = l.bits >> 3;
  const packed = l.blockAlign === bps * l.channels;
  const le = !l.bigEndian;
  const aligned = (bytes.byteOffset % bps === 0 || bps === 3 || bps === 1) && packed && le && LITTLE_ENDIAN_HOST;
  const n = l.channels;
  if (aligned && !l.float && bps === 2) {
    const v = new Int16Array(bytes.buffer, bytes.byteOffset, frames * n);
    for (let c = 0; c < n; c++) {
      const o = out[c];
      for (let f = 0, i = c; f < frames; f++, i += n) o[outOffset + f] = v[i] * (1 / 32768);
    }
    return;
  }
  if (aligned && !l.float && bps === 3 && n <= 2 && bytes.byteOffset % 4 === 0) {
    if (n === 1) int24Mono(bytes, frames, out[0], outOffset, 1 / 8388608);
    else int24Stereo(bytes, frames, out[0], out[1], outOffset);
    return;
  }
  if (aligned && !l.float && bps === 3) {
    for (let c = 0; c < n; c++) {
      const o = out[c];
      for (let f = 0, p = c * 3; f < frames; f++, p += l.blockAlign) {
        o[outOffset + f] = (((bytes[p + 2] << 24) | (bytes[p + 1] << 16) | (bytes[p] << 8)) >> 8) * (1 / 8388608);
      }
    }
    return;
  }
  if (aligned && !l.float && bps === 4) {
    const v = new Int32Array(bytes.buffer, bytes.byteOffset, frames * n);
    for (let c = 0; c < n; c++) {
      const o = out[c];
      for (let f = 0, i = c; f < frames; f++, i += n) o[outOffset + f] = v[i] * (1 / 2147483648);
    }
    return;
  }
  if (aligned && l.float && bps === 4) {
    const v = new Float32Array(bytes.buffer, bytes.byteOffset, frames * n);
    for (let c = 0; c < n; c++) {
      const o = out[c];
      for (let f = 0, i = c; f < frames; f++, i += n) o[outOffset + f] = v[i];
    }
    return;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let c = 0; c < n; c++) {
    const o = out[c];
    for (let f = 0, p = c * bps; f < frames; f++, p += l.blockAlign) o[outOffset + f] = readSample(dv, bytes, p, l, le);
  }
}

function readSample(dv: DataView, b: Uint8Array, p: number, l: PcmLayout, le: boolean): number {
  switch (l.bits) {
    case 8:
      return l.unsigned ? (b[p] - 128) / 128 : ((b[p] << 24) >> 24) / 128;
    case 16:
      return dv.getInt16(p, le) / 32768;
    case 24:
      return le
        ? (((b[p + 2] << 24) | (b[p + 1] << 16) | (b[p] << 8)) >> 8) / 8388608
        : (((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8)) >> 8) / 8388608;
    case 32:
      return l.float ? dv.getFloat32(p, le) : dv.getInt32(p, le) / 2147483648;
    default:
      return dv.getFloat64(p, le);
  }
}

/*
 * Packed 24-bit little-endian samples read as 32-bit words: every 3 words hold 4 samples, so each
 * sample costs about one load instead of three byte loads (about twice as fast). `bytes` must be
 * 4-byte aligned and the host little-endian. With w0, w1, w2 the words:
 *   s0 = w0 << 8 >> 8,  s1 = (w1 << 16 >> 8) | (w0 >>> 24),  s2 = (w2 << 24 >> 8) | (w1 >>> 16),  s3 = w2 >> 8
 */

/** `frames` mono samples times `scale` into out[at..]. */
function int24Mono(bytes: Uint8Array, frames: number, out: Float32Array, at: number, scale: number): void {
  const w = new Int32Array(bytes.buffer, bytes.byteOffset, (frames * 3) >> 2);
  const quads = frames >> 2;
  let f = 0;
  for (let k = 0, i = 0; k < quads; k++, i += 3, f += 4) {
    const w0 = w[i];
    const w1 = w[i + 1];
    const w2 = w[i + 2];
    out[at + f] = ((w0 << 8) >> 8) * scale;
    out[at + f + 1] = (((w1 << 16) >> 8) | (w0 >>> 24)) * scale;
    out[at + f + 2] = (((w2 << 24) >> 8) | (w1 >>> 16)) * scale;
    out[at + f + 3] = (w2 >> 8) * scale;
  }
  for (let p = f * 3; f < frames; f++, p += 3) out[at + f] = int24le(bytes, p) * scale;
}

/** Stereo frames split into two channels, scaled by 2^-23. */
function int24Stereo(bytes: Uint8Array, frames: number, left: Float32Array, right: Float32Array, at: number): void {
  const s = 1 / 8388608;
  const w = new Int32Array(bytes.buffer, bytes.byteOffset, (frames * 6) >> 2);
  const pairs = frames >> 1;
  let f = 0;
  for (let k = 0, i = 0; k < pairs; k++, i += 3, f += 2) {
    const w0 = w[i];
    const w1 = w[i + 1];
    const w2 = w[i + 2];
    left[at + f] = ((w0 << 8) >> 8) * s;
    right[at + f] = (((w1 << 16) >> 8) | (w0 >>> 24)) * s;
    left[at + f + 1] = (((w2 << 24) >> 8) | (w1 >>> 16)) * s;
    right[at + f + 1] = (w2 >> 8) * s;
  }
  if (f < frames) {
    const p = f * 6;
    left[at + f] = int24le(bytes, p) * s;
    right[at + f] = int24le(bytes, p + 3) * s;
  }
}

/** Stereo frames averaged to mono: (left + right) * 2^-24, exact before the float32 store. */
function int24StereoMono(bytes: Uint8Array, frames: number, out: Float32Array): void {
  const s = 0.5 / 8388608;
  const w = new Int32Array(bytes.buffer, bytes.byteOffset, (frames * 6) >> 2);
  const pairs = frames >> 1;
  let f = 0;
  for (let k = 0, i = 0; k < pairs; k++, i += 3, f += 2) {
    const w0 = w[i];
    const w1 = w[i + 1];
    const w2 = w[i + 2];
    out[f] = (((w0 << 8) >> 8) + ((((w1 << 16) >> 8) | (w0 >>> 24)))) * s;
    out[f + 1] = ((((w2 << 24) >> 8) | (w1 >>> 16)) + (w2 >> 8)) * s;
  }
  if (f < frames) out[f] = (int24le(bytes, f * 6) + int24le(bytes, f * 6 + 3)) * s;
}

const int24le = (b: Uint8Array, p: number) => ((b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) << 8) >> 8;
const int24be = (b: Uint8Array, p: number) => ((b[p + 2] | (b[p + 1] << 8) | (b[p] << 16)) << 8) >> 8;

/**
 * Converts and averages to mono in one pass, with no per-channel intermediate, for every layout;
 * returns how many mono samples were not audio (float files only) and came out as 0.
 * Gives exactly toMono(pcmToPlanar(...)) (the streaming path and decodeFile agree sample for
 * sample): integer samples up to 24 bits are summed as integers, which is exact, and scaled once;
 * 32-bit integers and 64-bit floats are rounded to float32 per channel first, as the planar path
 * stores them, then summed in channel order as toMono does.
 */
export function pcmToMono(bytes: Uint8Array, l: PcmLayout, frames: number, out: Float32Array): number {
  convertMono(bytes, l, frames, out);
  return l.float ? zeroNonAudio(out, 0, frames) : 0;
}

function convertMono(bytes: Uint8Array, l: PcmLayout, frames: number, out: Float32Array): void {
  const n = l.channels;
  const bps = l.bits >> 3;
  const packed = l.blockAlign === bps * n;
  const le = !l.bigEndian && LITTLE_ENDIAN_HOST;
  if (n === 1) {
    convertPlanar(bytes, l, frames, [out], 0);
    return;
  }
  // Integer sums scaled by a power of two are exact, so these equal averaging the converted floats.
  if (n === 2 && packed && le && !l.float && bps === 2) {
    const s = 0.5 / 32768;
    if (bytes.byteOffset % 4 === 0) {
      // One 32-bit load per frame: left in the low half, right in the high half.
      const v = new Int32Array(bytes.buffer, bytes.byteOffset, frames);
      for (let f = 0; f < frames; f++) {
        const w = v[f];
        out[f] = (((w << 16) >> 16) + (w >> 16)) * s;
      }
      return;
    }
    if (bytes.byteOffset % 2 === 0) {
      const v = new Int16Array(bytes.buffer, bytes.byteOffset, frames * 2);
      for (let f = 0, i = 0; f < frames; f++, i += 2) out[f] = (v[i] + v[i + 1]) * s;
      return;
    }
  }
  if (n === 2 && packed && le && !l.float && bps === 3) {
    if (bytes.byteOffset % 4 === 0) {
      int24StereoMono(bytes, frames, out);
      return;
    }
    const s = 0.5 / 8388608;
    for (let f = 0, p = 0; f < frames; f++, p += 6) out[f] = (int24le(bytes, p) + int24le(bytes, p + 3)) * s;
    return;
  }
  if (n === 2 && packed && le && l.float && bps === 4 && bytes.byteOffset % 4 === 0) {
    const v = new Float32Array(bytes.buffer, bytes.byteOffset, frames * 2);
    for (let f = 0, i = 0; f < frames; f++, i += 2) out[f] = (v[i] + v[i + 1]) * 0.5;
    return;
  }
  // toMono scales two channels by 0.5 and more by 1/n; 2^-(bits-1) times either is exact.
  const avg = n === 2 ? 0.5 : 1 / n;
  const a = l.blockAlign;
  if (!l.float && bps <= 3) {
    const s = avg / 2 ** (l.bits - 1);
    if (bps === 1) {
      const bias = l.unsigned ? 128 : 0;
      for (let f = 0, p = 0; f < frames; f++, p += a) {
        let sum = 0;
        for (let c = 0; c < n; c++) sum += l.unsigned ? bytes[p + c] - bias : (bytes[p + c] << 24) >> 24;
        out[f] = sum * s;
      }
    } else if (bps === 2) {
      for (let f = 0, p = 0; f < frames; f++, p += a) {
        let sum = 0;
        if (!l.bigEndian) for (let c = 0, q = p; c < n; c++, q += 2) sum += ((bytes[q] | (bytes[q + 1] << 8)) << 16) >> 16;
        else for (let c = 0, q = p; c < n; c++, q += 2) sum += ((bytes[q + 1] | (bytes[q] << 8)) << 16) >> 16;
        out[f] = sum * s;
      }
    } else {
      for (let f = 0, p = 0; f < frames; f++, p += a) {
        let sum = 0;
        if (!l.bigEndian) for (let c = 0, q = p; c < n; c++, q += 3) sum += int24le(bytes, q);
        else for (let c = 0, q = p; c < n; c++, q += 3) sum += int24be(bytes, q);
        out[f] = sum * s;
      }
    }
    return;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fileLe = !l.bigEndian;
  for (let f = 0, p = 0; f < frames; f++, p += a) {
    let sum = 0;
    for (let c = 0, q = p; c < n; c++, q += bps) sum += Math.fround(readSample(dv, bytes, q, l, fileLe));
    out[f] = sum * avg;
  }
}
