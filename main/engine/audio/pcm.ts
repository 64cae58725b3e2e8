import os from 'node:os';

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
 * sources compare bit-exactly with their integer samples.
 */
export function pcmToPlanar(bytes: Uint8Array, l: PcmLayout, frames: number, out: Float32Array[], outOffset = 0): void {
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

/**
 * Converts and averages to mono in one pass (the streaming path: no planar copy per channel).
 * Gives exactly toMono(pcmToPlanar(...)) for one and two channels.
 */
export function pcmToMono(bytes: Uint8Array, l: PcmLayout, frames: number, out: Float32Array): void {
  const n = l.channels;
  const bps = l.bits >> 3;
  const packed = l.blockAlign === bps * n;
  const le = !l.bigEndian && LITTLE_ENDIAN_HOST;
  if (n === 1) {
    pcmToPlanar(bytes, l, frames, [out]);
    return;
  }
  // Integer sums scaled by a power of two are exact, so these equal averaging the converted floats.
  if (n === 2 && packed && le && !l.float && bps === 2 && bytes.byteOffset % 2 === 0) {
    const v = new Int16Array(bytes.buffer, bytes.byteOffset, frames * 2);
    const s = 0.5 / 32768;
    for (let f = 0, i = 0; f < frames; f++, i += 2) out[f] = (v[i] + v[i + 1]) * s;
    return;
  }
  if (n === 2 && packed && le && !l.float && bps === 3) {
    const s = 0.5 / 8388608;
    for (let f = 0, p = 0; f < frames; f++, p += 6) {
      const a = ((bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16)) << 8) >> 8;
      const b = ((bytes[p + 3] | (bytes[p + 4] << 8) | (bytes[p + 5] << 16)) << 8) >> 8;
      out[f] = (a + b) * s;
    }
    return;
  }
  if (n === 2 && packed && le && l.float && bps === 4 && bytes.byteOffset % 4 === 0) {
    const v = new Float32Array(bytes.buffer, bytes.byteOffset, frames * 2);
    for (let f = 0, i = 0; f < frames; f++, i += 2) out[f] = (v[i] + v[i + 1]) * 0.5;
    return;
  }
  const planar = Array.from({ length: n }, () => new Float32Array(frames));
  pcmToPlanar(bytes, l, frames, planar);
  const scale = 1 / n;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < n; c++) sum += planar[c][f];
    out[f] = n === 2 ? sum * 0.5 : sum * scale;
  }
}
