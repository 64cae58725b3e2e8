import { createOggEncoder } from 'wasm-media-encoders';
import { CuebankError } from '../../errors';
import type { DecodedAudio } from '../../audio/types';
import { leadingPackets, pagesForPackets, parseOggPages, writeOggPage } from './ogg-pages';
import { vorbisCommentBody } from './vorbis-comment';

type OggEncoder = Awaited<ReturnType<typeof createOggEncoder>>;

/** libvorbis through wasm-media-encoders takes mono or stereo input only. */
export const VORBIS_MAX_CHANNELS = 2;
/** Frames handed to the encoder per call: bounds its wasm buffers, not a format limit. */
const CHUNK_FRAMES = 16384;

let encoder: Promise<OggEncoder> | null = null;

/**
 * Encodes Ogg Vorbis (VBR, quality 0..1 as libvorbis -q 0..10) and replaces the encoder's
 * comment header with `tags`. The wasm encoder's comment header only names libvorbis, so the
 * comment packet is rewritten and the stream re-paged here.
 */
export async function encodeOggVorbis(audio: DecodedAudio, quality: number, tags: [string, string][], serial: number): Promise<Uint8Array> {
  const channels = audio.channels.length;
  if (channels > VORBIS_MAX_CHANNELS) {
    throw new CuebankError('unsupported', `Ogg Vorbis export supports mono and stereo only (this audio has ${channels} channels): export WAV or FLAC`);
  }
  encoder ??= createOggEncoder();
  const enc = await encoder;
  // configure → encode → finalize runs without awaiting, so concurrent exports cannot interleave.
  enc.configure({ channels: channels as 1 | 2, sampleRate: audio.sampleRate, vbrQuality: quality * 10, oggSerialNo: serial | 0 });
  const parts: Buffer[] = [];
  const frames = audio.channels[0].length;
  for (let start = 0; start < frames; start += CHUNK_FRAMES) {
    const block = audio.channels.map((c) => c.subarray(start, Math.min(start + CHUNK_FRAMES, frames)));
    parts.push(Buffer.from(enc.encode(block))); // the encoder owns its output buffer: copy it now
  }
  parts.push(Buffer.from(enc.finalize()));
  return withComments(Buffer.concat(parts), tags);
}

/**
 * Replaces packet 2 (comments) of a Vorbis stream. Vorbis I requires the three header packets to
 * end a page before the first audio packet, so the audio pages are kept as they are (their granule
 * positions stay valid) and only renumbered after the new header pages.
 */
export function withComments(ogg: Uint8Array, tags: [string, string][]): Uint8Array {
  const pages = parseOggPages(ogg);
  const headers = leadingPackets(pages, 3);
  if (headers.length < 3) throw new Error('Ogg Vorbis stream has fewer than three header packets');
  const [ident, comment, setup] = headers;
  if (!setup.endsPage || !ident.endsPage || ident.endPage !== 0) throw new Error('Ogg Vorbis header packets do not end their pages');
  const vendorLen = Buffer.from(comment.packet).readUInt32LE(7);
  const vendor = Buffer.from(comment.packet.subarray(11, 11 + vendorLen)).toString('utf8');
  const packet = Buffer.concat([Buffer.from('\x03vorbis', 'latin1'), vorbisCommentBody(vendor, tags), Buffer.from([1])]);
  const serial = pages[0].serial;
  const headerPages = [pages[0], ...pagesForPackets([packet, setup.packet], serial, 1)];
  const audioPages = pages.slice(setup.endPage + 1).map((p, i) => ({ ...p, sequence: headerPages.length + i }));
  return new Uint8Array(Buffer.concat([...headerPages, ...audioPages].map(writeOggPage)));
}
