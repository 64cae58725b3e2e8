import { corrupt } from './fail';
import { emptyMeta, formatInfo } from './meta';
import type { HeaderSource } from './source';
import { parseVorbisComment } from './vorbis-comment';
import type { FileMeta } from './types';

export interface StreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 0 when the encoder did not know the length (streamed encodes). */
  totalFrames: number;
}

/** FLAC STREAMINFO (34 bytes): the stream's format and exact length. */
export function parseStreamInfo(b: Uint8Array): StreamInfo {
  const sampleRate = (b[10] << 12) | (b[11] << 4) | (b[12] >> 4);
  const channels = ((b[12] >> 1) & 7) + 1;
  const bitsPerSample = (((b[12] & 1) << 4) | (b[13] >> 4)) + 1;
  const totalFrames = (b[13] & 0x0f) * 2 ** 32 + (((b[14] << 24) | (b[15] << 16) | (b[16] << 8) | b[17]) >>> 0);
  return { sampleRate, channels, bitsPerSample, totalFrames };
}

/** Reads a native FLAC file's metadata blocks (from `offset`, after any ID3v2 tag), never its frames. */
export async function readFlac(src: HeaderSource, offset: number): Promise<{ meta: FileMeta; stream: StreamInfo }> {
  let o = offset + 4;
  let stream: StreamInfo | null = null;
  const info: Record<string, string> = {};
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
    } else if (type === 4 && len <= 16 * 1024 * 1024) {
      parseVorbisComment(await src.read(o + 4, len), info);
    } else if (type === 127) {
      throw corrupt(`FLAC metadata block at byte ${o} has an invalid type`);
    }
    o += 4 + len;
    if (!stream) throw corrupt('FLAC file does not start with a STREAMINFO block');
    if (last) break;
  }
  if (stream.sampleRate < 1) throw corrupt('FLAC STREAMINFO says the sample rate is 0 Hz');
  const meta = emptyMeta(formatInfo('flac', 'flac', stream.sampleRate, stream.channels, stream.bitsPerSample, stream.totalFrames));
  meta.info = info;
  return { meta, stream };
}
