/** One MPEG audio frame header (ISO 11172-3 / 13818-3), enough to find frames and read the stream's format. */
export interface MpegHeader {
  /** 1 = MPEG-1, 2 = MPEG-2, 2.5 = MPEG-2.5. */
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  sampleRate: number;
  /** 0 for free-format streams, whose frame length cannot be computed from the header. */
  bitrate: number;
  channels: 1 | 2;
  samplesPerFrame: number;
  /** Bytes including the header; 0 for free format. */
  frameLength: number;
}

const RATES: Record<string, number[]> = { '1': [44100, 48000, 32000], '2': [22050, 24000, 16000], '2.5': [11025, 12000, 8000] };
// prettier-ignore
const BITRATES: Record<string, number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};

export function parseMpegHeader(b: Uint8Array, o: number): MpegHeader | null {
  if (o + 4 > b.length || b[o] !== 0xff || (b[o + 1] & 0xe0) !== 0xe0) return null;
  const v = (b[o + 1] >> 3) & 3;
  const l = (b[o + 1] >> 1) & 3;
  const bi = b[o + 2] >> 4;
  const si = (b[o + 2] >> 2) & 3;
  if (v === 1 || l === 0 || bi === 15 || si === 3) return null;
  const version = v === 3 ? 1 : v === 2 ? 2 : 2.5;
  const layer = (4 - l) as 1 | 2 | 3;
  const sampleRate = RATES[String(version)][si];
  const bitrate = BITRATES[`${version === 1 ? 1 : 2}-${layer}`][bi] * 1000;
  const pad = (b[o + 2] >> 1) & 1;
  const samplesPerFrame = layer === 1 ? 384 : layer === 3 && version !== 1 ? 576 : 1152;
  let frameLength = 0;
  if (bitrate) {
    frameLength =
      layer === 1 ? (Math.floor((12 * bitrate) / sampleRate) + pad) * 4 : Math.floor(((samplesPerFrame / 8) * bitrate) / sampleRate) + pad;
  }
  const channels = b[o + 3] >> 6 === 3 ? 1 : 2;
  return { version, layer, sampleRate, bitrate, channels, samplesPerFrame, frameLength };
}

/** An ADTS (AAC) header shares MPEG audio's sync word but has layer bits 00. */
export function isAdts(b: Uint8Array, o: number): boolean {
  return o + 2 <= b.length && b[o] === 0xff && (b[o + 1] & 0xf6) === 0xf0;
}

/** Size of an ID3v2 tag at `o` (header + body + footer), or 0 if there is none. */
export function id3v2Size(b: Uint8Array, o: number): number {
  if (o + 10 > b.length || b[o] !== 0x49 || b[o + 1] !== 0x44 || b[o + 2] !== 0x33) return 0;
  if (b[o + 3] === 0xff || b[o + 4] === 0xff) return 0;
  for (let i = 6; i < 10; i++) if (b[o + i] & 0x80) return 0;
  const size = (b[o + 6] << 21) | (b[o + 7] << 14) | (b[o + 8] << 7) | b[o + 9];
  // Only ID3v2.4 has footers; in v2.3 the same flag bit means nothing (ffmpeg ignores it too).
  const footer = b[o + 3] === 4 && b[o + 5] & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

/**
 * Finds the first MPEG frame at or after `start` whose successor also parses, so random bytes that
 * happen to begin with a sync word are not taken for MP3. Only zero padding may precede the frame.
 */
export function findMpegStart(b: Uint8Array, start: number, fileSize: number): { offset: number; header: MpegHeader } | null {
  let o = start;
  while (o < b.length && b[o] === 0) o++;
  const header = parseMpegHeader(b, o);
  if (!header) return null;
  const next = o + header.frameLength;
  if (header.frameLength && next + 4 <= b.length) {
    const h2 = parseMpegHeader(b, next);
    if (!h2 || h2.sampleRate !== header.sampleRate || h2.layer !== header.layer) return null;
  } else if (header.frameLength && next > fileSize) {
    return null;
  }
  return { offset: o, header };
}

/**
 * Resynchronises on MPEG frames: the first offset from `start` within `b` where a frame header
 * is followed by another of the same stream (ffmpeg's mp3 probe does the same). For MP3s whose
 * ID3 tag states a wrong size or is followed by padding, so the audio does not begin where the
 * tag says. Linear: each position is tried once, in constant time.
 */
export function findMpegSync(b: Uint8Array, start: number, fileSize: number): { offset: number; header: MpegHeader } | null {
  for (let o = b.indexOf(0xff, start); o >= 0 && o + 4 <= b.length; o = b.indexOf(0xff, o + 1)) {
    const header = parseMpegHeader(b, o);
    if (!header || !header.frameLength) continue;
    const next = o + header.frameLength;
    if (next + 4 <= b.length) {
      const h2 = parseMpegHeader(b, next);
      if (h2 && h2.sampleRate === header.sampleRate && h2.layer === header.layer && h2.version === header.version) return { offset: o, header };
    } else if (next === fileSize) return { offset: o, header };
  }
  return null;
}
