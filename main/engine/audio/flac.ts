import { corrupt } from './fail';
import { checkSampleRate, MAX_METADATA_BYTES } from './limits';
import { emptyMeta, formatInfo } from './meta';
import type { HeaderSource } from './source';
import { parseVorbisComment } from './vorbis-comment';
import type { FileMeta } from './types';

export interface StreamInfo {
  /** Largest block (frames per FLAC frame) the stream uses. */
  maxBlockSize: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 0 when the encoder did not know the length (streamed encodes). */
  totalFrames: number;
}

/** FLAC STREAMINFO (34 bytes): the stream's format and exact length. */
export function parseStreamInfo(b: Uint8Array): StreamInfo {
  const maxBlockSize = (b[2] << 8) | b[3];
  const sampleRate = (b[10] << 12) | (b[11] << 4) | (b[12] >> 4);
  const channels = ((b[12] >> 1) & 7) + 1;
  const bitsPerSample = (((b[12] & 1) << 4) | (b[13] >> 4)) + 1;
  const totalFrames = (b[13] & 0x0f) * 2 ** 32 + (((b[14] << 24) | (b[15] << 16) | (b[16] << 8) | b[17]) >>> 0);
  return { maxBlockSize, sampleRate, channels, bitsPerSample, totalFrames };
}

/**
 * The most frames `audioBytes` of FLAC frames can hold: every frame needs at least a 6-byte
 * header, a subframe header per channel and a 2-byte checksum, and holds at most the stream's
 * largest block (65535 when STREAMINFO's value is not usable).
 */
function mostFrames(s: StreamInfo, audioBytes: number): number {
  const block = s.maxBlockSize >= 16 ? s.maxBlockSize : 65535;
  return Math.ceil(Math.max(0, audioBytes) / (8 + s.channels)) * block;
}

/** Reads a native FLAC file's metadata blocks (from `offset`, after any ID3v2 tag), never its frames. */
export async function readFlac(src: HeaderSource, offset: number): Promise<{ meta: FileMeta; stream: StreamInfo }> {
  let o = offset + 4;
  let stream: StreamInfo | null = null;
  const info: Record<string, string> = {};
  const warnings: string[] = [];
  for (;;) {
    const h = await src.read(o, 4);
    if (h.length < 4) throw corrupt(`Truncated FLAC header: metadata ends at byte ${src.size} before the audio frames`);
    const last = (h[0] & 0x80) !== 0;
    const type = h[0] & 0x7f;
    const len = (h[1] << 16) | (h[2] << 8) | h[3];
    if (o + 4 + len > src.size) throw corrupt(`Truncated FLAC header: a metadata block ends at byte ${o + 4 + len} but the file has only ${src.size} bytes`);
    if (type === 0) {
      if (len < 34) throw corrupt(`FLAC STREAMINFO block is too small (${len} of 34 bytes)`);
      stream = parseStreamInfo(await src.read(o + 4, 34));
    } else if (type === 4) {
      if (len > MAX_METADATA_BYTES) warnings.push(`The FLAC comment block is ${len} bytes, more than metadata ever needs; read its first ${MAX_METADATA_BYTES} bytes`);
      parseVorbisComment(await src.read(o + 4, Math.min(len, MAX_METADATA_BYTES)), info);
    } else if (type === 127) {
      throw corrupt(`FLAC metadata block at byte ${o} has an invalid type`);
    }
    o += 4 + len;
    if (!stream) throw corrupt('FLAC file does not start with a STREAMINFO block');
    if (last) break;
  }
  checkSampleRate(stream.sampleRate, 'FLAC');
  if (stream.bitsPerSample < 4) throw corrupt(`The FLAC header says each sample has ${stream.bitsPerSample} bits; FLAC has at least 4, so the header is damaged`);
  const most = mostFrames(stream, src.size - o);
  if (stream.totalFrames > most) {
    warnings.push(
      `The FLAC header says the file lasts ${Math.round(stream.totalFrames / stream.sampleRate)} s, more than its ${src.size - o} bytes of audio can hold; its length was counted by decoding`,
    );
    stream.totalFrames = 0;
  }
  const meta = emptyMeta(formatInfo('flac', 'flac', stream.sampleRate, stream.channels, stream.bitsPerSample, stream.totalFrames));
  meta.info = info;
  meta.warnings.push(...warnings);
  return { meta, stream };
}
