import { pagesForPackets, writeOggPage } from '../export/encode/ogg-pages';
import { corrupt, unsupported } from './fail';
import { checkChannels, checkSampleRate } from './limits';
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
  /** Where decoding starts when the header pages are replaced for the decoder (large Opus tags). */
  decodeFrom?: { prefix: Uint8Array; start: number };
}

const MAX_HEADER_BYTES = 16 * 1024 * 1024;

interface HeaderPackets {
  packets: Uint8Array[];
  serial: number;
  /** File offset after the page on which each packet ended. */
  endsAt: number[];
  /** Sequence number of the page on which each packet ended. */
  endSequence: number[];
  /** Pages of another logical stream were seen among the headers. */
  multiplexed: boolean;
}

/**
 * The first two packets of the file's first logical stream (identification and comments),
 * assembled from Ogg pages read as far as needed; a large cover-art comment spans many pages.
 */
async function headerPackets(src: HeaderSource): Promise<HeaderPackets> {
  const packets: Uint8Array[] = [];
  const endsAt: number[] = [];
  const endSequence: number[] = [];
  let current: Buffer[] = [];
  let serial: number | null = null;
  let multiplexed = false;
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
    if (pageSerial !== serial) {
      multiplexed = true;
      continue; // another multiplexed stream
    }
    const body = await src.read(bodyAt, bodyLen);
    let at = 0;
    for (const l of lacing) {
      current.push(body.subarray(at, at + l));
      at += l;
      if (l < 255) {
        packets.push(Buffer.concat(current));
        endsAt.push(o);
        endSequence.push(h.readUInt32LE(18));
        current = [];
        if (packets.length === 2) break;
      }
    }
  }
  if (!packets.length) throw corrupt('The Ogg file holds no complete header packet: it is cut short or damaged');
  return { packets, serial: serial ?? 0, endsAt, endSequence, multiplexed };
}

/** Comment packets above this size go to the Opus decoder replaced by an empty one (see opusPrefix). */
const OPUS_DECODER_MAX_PACKET = 32 * 1024;

/**
 * ogg-opus-decoder takes the pages that continue a large OpusTags packet (cover art over 64 KB)
 * for audio and fails on them, while ffmpeg plays such files. The tags are already read here, so
 * the decoder gets the identification page, an empty OpusTags page in place of the large one, and
 * then the audio pages from the file as they are.
 */
async function opusPrefix(src: HeaderSource, h: HeaderPackets): Promise<{ prefix: Uint8Array; start: number } | null> {
  if (h.packets.length < 2 || h.multiplexed || h.packets[1].length <= OPUS_DECODER_MAX_PACKET) return null;
  const first = await src.read(0, h.endsAt[0]);
  const tags = Buffer.concat([Buffer.from('OpusTags'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0])]);
  // Sequence 1: the parser takes the page after the identification page for the tags by its number.
  const [page] = pagesForPackets([tags], h.serial, 1);
  return { prefix: Buffer.concat([first, writeOggPage(page)]), start: h.endsAt[1] };
}

/** RFC 7845 §5.1: version 0.x, and a channel mapping the decoder can follow. */
function checkOpusHead(ident: Uint8Array): void {
  if (ident.length < 19) throw corrupt('The Opus identification header is cut short');
  if (ident[8] >> 4 !== 0) throw unsupported(`The Opus header says version ${ident[8] >> 4}.${ident[8] & 15}; only version 0 streams exist`);
  const channels = ident[9];
  const family = ident[18];
  if (channels < 1) throw corrupt('The Opus header says the stream has 0 channels; the header is damaged');
  if (family === 0 && channels > 2) throw corrupt(`The Opus header says ${channels} channels without a channel mapping; the header is damaged`);
  if (family !== 0 && ident.length < 21 + channels) throw corrupt('The Opus header is cut short: its channel mapping table is missing');
  if (family !== 0 && family !== 1 && family !== 255) throw unsupported(`Opus channel mapping family ${family} is not supported`);
}

const startsWith = (b: Uint8Array, s: string) => b.length >= s.length && Buffer.from(b.subarray(0, s.length)).toString('latin1') === s;

/** Reads an Ogg file's codec, format and tags. Its length is only known exactly by decoding it. */
export async function readOgg(src: HeaderSource): Promise<{ meta: FileMeta; layout: OggLayout }> {
  const h = await headerPackets(src);
  const [ident, comments] = h.packets;
  const info: Record<string, string> = {};
  let layout: OggLayout;
  if (startsWith(ident, '\x01vorbis')) {
    if (ident.length < 16) throw corrupt('Truncated Vorbis identification header');
    const dv = new DataView(ident.buffer, ident.byteOffset, ident.byteLength);
    layout = { codec: 'vorbis', channels: ident[11], sampleRate: dv.getUint32(12, true), bitsPerSample: null };
    if (comments && startsWith(comments, '\x03vorbis')) parseVorbisComment(comments.subarray(7), info);
  } else if (startsWith(ident, 'OpusHead')) {
    checkOpusHead(ident);
    layout = { codec: 'opus', channels: ident[9], sampleRate: 48000, bitsPerSample: null };
    if (comments && startsWith(comments, 'OpusTags')) parseVorbisComment(comments.subarray(8), info);
    layout.decodeFrom = (await opusPrefix(src, h)) ?? undefined;
  } else if (startsWith(ident, '\x7fFLAC')) {
    if (ident.length < 51) throw corrupt('Truncated Ogg FLAC identification header');
    const s = parseStreamInfo(ident.subarray(17));
    layout = { codec: 'flac', channels: s.channels, sampleRate: s.sampleRate, bitsPerSample: s.bitsPerSample };
    // The comment packet is a FLAC metadata block: 4-byte block header, then a Vorbis comment.
    if (comments && (comments[0] & 0x7f) === 4) parseVorbisComment(comments.subarray(4), info);
  } else {
    const name = startsWith(ident, 'Speex') ? 'Ogg Speex' : startsWith(ident, '\x80theora') ? 'Ogg Theora video' : null;
    if (name) throw unsupported(`${name} files are not supported`);
    throw unsupported('The Ogg file holds no Vorbis, Opus or FLAC stream (its first packet is of another codec, or damaged)');
  }
  const label = layout.codec === 'flac' ? 'Ogg FLAC' : layout.codec === 'opus' ? 'Opus' : 'Vorbis';
  checkChannels(layout.channels, label);
  checkSampleRate(layout.sampleRate, label);
  const meta = emptyMeta(formatInfo('ogg', layout.codec, layout.sampleRate, layout.channels, layout.bitsPerSample, 0));
  meta.info = info;
  return { meta, layout };
}
