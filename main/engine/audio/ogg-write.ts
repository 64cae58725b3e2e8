import { oggCrc32 } from '../export/encode/crc';
import { pagesForPackets, writeOggPage } from '../export/encode/ogg-pages';
import type { Piece } from './byte-pieces';
import { corrupt, unsupported } from './fail';
import type { HeaderSource } from './source';
import { joinVorbisComment, setVorbisComments, splitVorbisComment } from './vorbis-comment-write';

/** One Ogg page as it sits in the file. */
export interface RawPage {
  start: number;
  /** The whole page: header, segment table and body. */
  bytes: Buffer;
  serial: number;
  sequence: number;
  lacing: Buffer;
  /** Offset of the body within `bytes`. */
  bodyAt: number;
}

const WINDOW = 1 << 20;

/**
 * The pages from `from` to the end of the file, read a window at a time. Stops at the first bytes
 * that are not a page (the caller copies them as they are) and reports where that was.
 */
export async function* oggPages(src: HeaderSource, from: number): AsyncGenerator<RawPage, number> {
  let at = from;
  let win: Buffer = Buffer.alloc(0);
  let winAt = from;
  const need = async (n: number) => {
    if (at - winAt + n <= win.length) return true;
    win = await src.read(at, Math.max(WINDOW, n));
    winAt = at;
    return win.length >= n;
  };
  while (at < src.size) {
    if (!(await need(27))) return at;
    let o = at - winAt;
    if (win.toString('latin1', o, o + 4) !== 'OggS') return at;
    const segments = win[o + 26];
    if (!(await need(27 + segments))) return at;
    o = at - winAt;
    let bodyLen = 0;
    for (let i = 0; i < segments; i++) bodyLen += win[o + 27 + i];
    const total = 27 + segments + bodyLen;
    if (!(await need(total))) return at;
    o = at - winAt;
    const bytes = win.subarray(o, o + total);
    yield { start: at, bytes, serial: bytes.readUInt32LE(14), sequence: bytes.readUInt32LE(18), lacing: bytes.subarray(27, 27 + segments), bodyAt: 27 + segments };
    at += total;
  }
  return at;
}

export interface OggHeaders {
  codec: 'vorbis' | 'opus';
  serial: number;
  /** The header packets (Vorbis: identification, comment, setup; Opus: head, tags). */
  packets: Buffer[];
  /** Pages holding them, in order; the audio begins on the page after the last one. */
  pages: RawPage[];
  audioAt: number;
}

/**
 * Reads the header pages of the file's first logical stream. Writing needs the usual layout the
 * specifications ask for: the identification packet alone on the first page and the audio starting
 * on a fresh page after the last header packet; anything else is refused rather than guessed at.
 */
export async function readOggHeaders(src: HeaderSource): Promise<OggHeaders> {
  const pages: RawPage[] = [];
  const packets: Buffer[] = [];
  let current: Buffer[] = [];
  let codec: OggHeaders['codec'] | null = null;
  let wanted = 2;
  const it = oggPages(src, 0);
  for (;;) {
    const next = await it.next();
    if (next.done) throw corrupt('Truncated or damaged Ogg file: it ends inside its header packets');
    const page = next.value;
    if (pages.length && page.serial !== pages[0].serial) throw unsupported('Ogg files that interleave several streams are not tagged (only single-stream Ogg Vorbis or Opus)');
    pages.push({ ...page, bytes: Buffer.from(page.bytes), lacing: Buffer.from(page.lacing) });
    let at = page.bodyAt;
    for (const [s, l] of [...page.lacing].entries()) {
      current.push(page.bytes.subarray(at, at + l));
      at += l;
      if (l === 255) continue;
      packets.push(Buffer.concat(current));
      current = [];
      if (packets.length === 1) {
        const id = packets[0];
        if (id.subarray(0, 7).toString('latin1') === '\x01vorbis') [codec, wanted] = ['vorbis', 3];
        else if (id.subarray(0, 8).toString('latin1') === 'OpusHead') [codec, wanted] = ['opus', 2];
        else throw unsupported('Only Ogg Vorbis and Ogg Opus files get tags written (this Ogg stream holds another codec)');
        if (s !== page.lacing.length - 1 || pages.length !== 1) throw unsupported('Unusual Ogg layout: the identification header does not have the first page to itself');
      }
      if (packets.length === wanted) {
        if (s !== page.lacing.length - 1) throw unsupported('Unusual Ogg layout: audio starts on the same page as the last header; not rewritten');
        return { codec: codec!, serial: pages[0].serial, packets, pages, audioAt: page.start + page.bytes.length };
      }
    }
  }
}

const MAGIC = { vorbis: Buffer.from('\x03vorbis', 'latin1'), opus: Buffer.from('OpusTags', 'latin1') };

/** Sets fields in the comment packet of an Ogg Vorbis/Opus file. */
export function oggCommentPacket(h: OggHeaders, set: [string, string][]): Buffer {
  const magic = MAGIC[h.codec];
  const packet = h.packets[1];
  if (!packet.subarray(0, magic.length).equals(magic)) throw corrupt(`The Ogg ${h.codec} comment header is missing`);
  const raw = splitVorbisComment(packet.subarray(magic.length));
  return Buffer.concat([magic, joinVorbisComment(setVorbisComments(raw, set))]);
}

/**
 * Plans the rewrite of an Ogg Vorbis/Opus file with comment fields set: the first page is copied,
 * the comment (and Vorbis setup) packets are laid out on fresh pages, and every later page is copied
 * with its bytes unchanged, or, when the number of header pages changed, with its page sequence
 * number shifted and its CRC recomputed (the checksum covers the sequence number).
 */
export async function planOggRewrite(src: HeaderSource, set: [string, string][]): Promise<AsyncIterable<Piece>> {
  const h = await readOggHeaders(src);
  const comment = oggCommentPacket(h, set);
  const packets = h.codec === 'vorbis' ? [comment, h.packets[2]] : [comment];
  const fresh = pagesForPackets(packets, h.serial, h.pages[0].sequence + 1).map(writeOggPage);
  const shift = fresh.length - (h.pages.length - 1);
  return (async function* () {
    yield { from: 0, length: h.pages[0].bytes.length };
    yield* fresh;
    if (shift === 0) {
      yield { from: h.audioAt, length: src.size - h.audioAt };
      return;
    }
    const it = oggPages(src, h.audioAt);
    for (;;) {
      const next = await it.next();
      if (next.done) {
        if (next.value < src.size) yield { from: next.value, length: src.size - next.value };
        return;
      }
      const p = next.value;
      if (p.serial !== h.serial) {
        yield Buffer.from(p.bytes);
        continue;
      }
      const page = Buffer.from(p.bytes);
      page.writeUInt32LE((p.sequence + shift) >>> 0, 18);
      page.writeUInt32LE(0, 22);
      page.writeUInt32LE(oggCrc32(page), 22);
      yield page;
    }
  })();
}
