import { corrupt, unsupported } from './fail';
import { parseStreamInfo } from './flac';
import { emptyMeta, formatInfo } from './meta';
import type { HeaderSource } from './source';
import { parseVorbisComment } from './vorbis-comment';
import type { FileMeta } from './types';

export type OggCodec = 'vorbis' | 'opus' | 'flac';

export interface OggLayout {
  codec: OggCodec;
  channels: number;
  /** The rate decoded audio comes out at: Opus always decodes at 48 kHz. */
  sampleRate: number;
  /** FLAC-in-Ogg only: STREAMINFO's bits per sample. */
  bitsPerSample: number | null;
}

const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/**
 * The first two packets of the file's first logical stream (identification and comments),
 * assembled from Ogg pages read as far as needed; a large cover-art comment spans many pages.
 */
async function headerPackets(src: HeaderSource): Promise<Uint8Array[]> {
  const packets: Uint8Array[] = [];
  let current: Buffer[] = [];
  let serial: number | null = null;
  let o = 0;
  while (packets.length < 2 && o < Math.min(src.size, MAX_HEADER_BYTES)) {
    const h = await src.read(o, 27);
    if (h.length < 27 || h.toString('latin1', 0, 4) !== 'OggS') {
      if (packets.length) break;
      throw corrupt(`Truncated or damaged Ogg file: no page header at byte ${o}`);
    }
    const segments = h[26];
    const lacing = await src.read(o + 27, segments);
    if (lacing.length < segments) throw corrupt(`Truncated Ogg page header at byte ${o}`);
    const pageSerial = h.readUInt32LE(14);
    let bodyLen = 0;
    for (const l of lacing) bodyLen += l;
    const bodyAt = o + 27 + segments;
    o = bodyAt + bodyLen;
    serial ??= pageSerial;
    if (pageSerial !== serial) continue; // another multiplexed stream
    const body = await src.read(bodyAt, bodyLen);
    let at = 0;
    for (const l of lacing) {
      current.push(body.subarray(at, at + l));
      at += l;
      if (l < 255) {
        packets.push(Buffer.concat(current));
        current = [];
        if (packets.length === 2) break;
      }
    }
  }
  if (!packets.length) throw corrupt('Ogg file has no complete header packet');
  return packets;
}

const startsWith = (b: Uint8Array, s: string) => b.length >= s.length && Buffer.from(b.subarray(0, s.length)).toString('latin1') === s;

/** Reads an Ogg file's codec, format and tags. Its length is only known exactly by decoding it. */
export async function readOgg(src: HeaderSource): Promise<{ meta: FileMeta; layout: OggLayout }> {
  const [ident, comments] = await headerPackets(src);
  const info: Record<string, string> = {};
  let layout: OggLayout;
  if (startsWith(ident, '\x01vorbis')) {
    if (ident.length < 16) throw corrupt('Truncated Vorbis identification header');
    const dv = new DataView(ident.buffer, ident.byteOffset, ident.byteLength);
    layout = { codec: 'vorbis', channels: ident[11], sampleRate: dv.getUint32(12, true), bitsPerSample: null };
    if (comments && startsWith(comments, '\x03vorbis')) parseVorbisComment(comments.subarray(7), info);
  } else if (startsWith(ident, 'OpusHead')) {
    if (ident.length < 19) throw corrupt('Truncated Opus identification header');
    layout = { codec: 'opus', channels: ident[9], sampleRate: 48000, bitsPerSample: null };
    if (comments && startsWith(comments, 'OpusTags')) parseVorbisComment(comments.subarray(8), info);
  } else if (startsWith(ident, '\x7fFLAC')) {
    if (ident.length < 51) throw corrupt('Truncated Ogg FLAC identification header');
    const s = parseStreamInfo(ident.subarray(17));
    layout = { codec: 'flac', channels: s.channels, sampleRate: s.sampleRate, bitsPerSample: s.bitsPerSample };
    // The comment packet is a FLAC metadata block: 4-byte block header, then a Vorbis comment.
    if (comments && (comments[0] & 0x7f) === 4) parseVorbisComment(comments.subarray(4), info);
  } else {
    const name = startsWith(ident, 'Speex') ? 'Ogg Speex' : startsWith(ident, '\x80theora') ? 'Ogg Theora video' : 'this Ogg codec';
    throw unsupported(`${name} files are not supported`);
  }
  if (layout.channels < 1 || layout.sampleRate < 1) throw corrupt(`Ogg ${layout.codec} header has an invalid format`);
  const meta = emptyMeta(formatInfo('ogg', layout.codec, layout.sampleRate, layout.channels, layout.bitsPerSample, 0));
  meta.info = info;
  return { meta, layout };
}
