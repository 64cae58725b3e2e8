/**
 * Byte-level edits the malformed corpus is made of: RIFF and AIFF chunk lists taken apart and put
 * back together, Ogg pages rewritten with valid checksums, bytes flipped and files cut. Pure
 * functions of their inputs (and of the Prng passed in), so the corpus is the same on every run.
 */
import { leadingPackets, pagesForPackets, parseOggPages, writeOggPage, type OggPage } from '../../main/engine/export/encode/ogg-pages';
import type { Prng } from '../fixtures/prng';

export interface Chunk {
  id: string;
  body: Buffer;
  /** Size to write in the header instead of body.length (a lie, for damaged files). */
  size?: number;
}

/** The chunks of a RIFF/RF64 WAVE buffer (little-endian sizes) or AIFF FORM (big-endian). */
export function chunksOf(file: Buffer, bigEndian = false): Chunk[] {
  const out: Chunk[] = [];
  for (let o = 12; o + 8 <= file.length; ) {
    const size = bigEndian ? file.readUInt32BE(o + 4) : file.readUInt32LE(o + 4);
    const id = file.toString('latin1', o, o + 4);
    const end = Math.min(file.length, o + 8 + (size === 0xffffffff && !bigEndian ? file.length : size));
    out.push({ id, body: Buffer.from(file.subarray(o + 8, end)) });
    o = o + 8 + (size === 0xffffffff && !bigEndian ? file.length : size) + (size & 1);
  }
  return out;
}

export function chunkBytes(c: Chunk, bigEndian = false, pad = true): Buffer {
  const h = Buffer.alloc(8);
  h.write(c.id, 0, 4, 'latin1');
  const size = c.size ?? c.body.length;
  if (bigEndian) h.writeUInt32BE(size >>> 0, 4);
  else h.writeUInt32LE(size >>> 0, 4);
  return Buffer.concat([h, c.body, pad && c.body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

/** A RIFF WAVE file from chunks; `riffSize` overrides the form size. */
export function wavOf(chunks: Chunk[], riffSize?: number): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE'), ...chunks.map((c) => chunkBytes(c))]);
  const h = Buffer.alloc(8);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE((riffSize ?? body.length) >>> 0, 4);
  return Buffer.concat([h, body]);
}

export function aiffOf(type: 'AIFF' | 'AIFC', chunks: Chunk[]): Buffer {
  const body = Buffer.concat([Buffer.from(type), ...chunks.map((c) => chunkBytes(c, true))]);
  const h = Buffer.alloc(8);
  h.write('FORM', 0, 'latin1');
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}

/** A copy of a WAV's chunk list with `fn` applied to the chunk named `id` (its body is a copy). */
export function editChunk(file: Buffer, id: string, fn: (c: Chunk) => void, bigEndian = false): Chunk[] {
  const chunks = chunksOf(file, bigEndian);
  const c = chunks.find((x) => x.id === id);
  if (c) fn(c);
  return chunks;
}

export function flipBytes(b: Buffer, rng: Prng, count: number, within = b.length): Buffer {
  const out = Buffer.from(b);
  for (let i = 0; i < count; i++) {
    const at = Math.floor(rng.next() * Math.min(within, out.length));
    out[at] ^= 1 << Math.floor(rng.next() * 8) || 0xff;
  }
  return out;
}

/** Ogg pages of a file, each rewritten by `fn` (return null to drop), checksums recomputed. */
export function editPages(file: Buffer, fn: (p: OggPage, i: number) => OggPage | null): Buffer {
  const pages = parseOggPages(file);
  return Buffer.concat(pages.map((p, i) => fn({ ...p, body: Buffer.from(p.body), lacing: Buffer.from(p.lacing) }, i)).filter((p): p is OggPage => !!p).map(writeOggPage));
}

/**
 * An Ogg stream with its first `headerCount` packets replaced by `packets` (re-paged, so a large
 * comment packet spans pages as an encoder would write it) and the audio pages kept.
 */
export function withHeaderPackets(file: Buffer, headerCount: number, edit: (packets: Uint8Array[]) => Uint8Array[]): Buffer {
  const pages = parseOggPages(file);
  const headers = leadingPackets(pages, headerCount);
  const serial = pages[0].serial;
  const packets = edit(headers.map((h) => h.packet));
  // The identification packet sits alone on the first page; the rest follow on their own pages.
  const first = pagesForPackets([packets[0]], serial, 0);
  first[0].flags = 2;
  const rest = pagesForPackets(packets.slice(1), serial, first.length);
  const audio = pages.slice(headers[headers.length - 1].endPage + 1).map((p, i) => ({ ...p, sequence: first.length + rest.length + i }));
  return Buffer.concat([...first, ...rest, ...audio].map(writeOggPage));
}

/** A Vorbis comment block body: vendor, then KEY=value entries. */
export function vorbisCommentBody(vendor: string, entries: string[]): Buffer {
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return b;
  };
  const v = Buffer.from(vendor);
  return Buffer.concat([u32(v.length), v, u32(entries.length), ...entries.flatMap((e) => [u32(Buffer.byteLength(e)), Buffer.from(e)])]);
}
