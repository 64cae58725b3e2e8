import fs from 'node:fs';

/**
 * Independent readers of a file's parts, for tests that compare a rewritten file with its original
 * piece by piece (chunks, metadata blocks, pages, frames). Deliberately separate from the engine's
 * readers and writers, so a shared mistake cannot hide.
 */

export interface Chunk {
  id: string;
  body: Buffer;
}

/** The chunks of a RIFF/RF64 WAVE file in order (RF64 sizes of 0xFFFFFFFF resolved through ds64). */
export function riffChunks(file: string): { form: string; riffSize: number; chunks: Chunk[]; length: number } {
  const b = fs.readFileSync(file);
  const form = b.toString('latin1', 0, 4);
  const chunks: Chunk[] = [];
  let ds64Data = 0;
  let o = 12;
  while (o + 8 <= b.length) {
    const id = b.toString('latin1', o, o + 4);
    let size = b.readUInt32LE(o + 4);
    if (id === 'ds64') ds64Data = b.readUInt32LE(o + 16) + b.readUInt32LE(o + 20) * 2 ** 32;
    if (size === 0xffffffff && id === 'data') size = ds64Data;
    chunks.push({ id, body: b.subarray(o + 8, o + 8 + size) });
    o += 8 + size + (size & 1);
  }
  return { form, riffSize: b.readUInt32LE(4), chunks, length: b.length };
}

/** FLAC metadata blocks (type + body) and the frame bytes after them. */
export function flacParts(file: string): { blocks: { type: number; body: Buffer }[]; frames: Buffer } {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 0, 4) !== 'fLaC') throw new Error(`${file} is not a native FLAC file`);
  const blocks: { type: number; body: Buffer }[] = [];
  let o = 4;
  for (;;) {
    const last = (b[o] & 0x80) !== 0;
    const len = (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
    blocks.push({ type: b[o] & 0x7f, body: b.subarray(o + 4, o + 4 + len) });
    o += 4 + len;
    if (last) break;
  }
  return { blocks, frames: b.subarray(o) };
}

export interface OggPageInfo {
  sequence: number;
  granule: bigint;
  flags: number;
  crcOk: boolean;
  /** Packets completed up to and including this page. */
  packetsEnded: number;
}

/** An Ogg file's packets (reassembled across pages) and its pages with their CRCs checked. */
export function oggParts(file: string): { packets: Buffer[]; pages: OggPageInfo[] } {
  const b = fs.readFileSync(file);
  const packets: Buffer[] = [];
  const pages: OggPageInfo[] = [];
  let current: Buffer[] = [];
  let o = 0;
  while (o + 27 <= b.length && b.toString('latin1', o, o + 4) === 'OggS') {
    const n = b[o + 26];
    const lacing = b.subarray(o + 27, o + 27 + n);
    const bodyLen = lacing.reduce((s, l) => s + l, 0);
    const page = Buffer.from(b.subarray(o, o + 27 + n + bodyLen));
    const crc = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    let at = o + 27 + n;
    for (const l of lacing) {
      current.push(b.subarray(at, at + l));
      at += l;
      if (l < 255) {
        packets.push(Buffer.concat(current));
        current = [];
      }
    }
    pages.push({ sequence: page.readUInt32LE(18), granule: page.readBigInt64LE(6), flags: page[5], crcOk: crc32(page) === crc, packetsEnded: packets.length });
    o += 27 + n + bodyLen;
  }
  return { packets, pages };
}

/** Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected), written out here rather than imported. */
function crc32(b: Buffer): number {
  let c = 0;
  for (const x of b) {
    c ^= x << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
  }
  return c >>> 0;
}

/** An MP3's bytes after its leading ID3v2 tag(s): the audio frames (and any ID3v1 tag at the end). */
export function mp3AfterTags(file: string): Buffer {
  const b = fs.readFileSync(file);
  let o = 0;
  while (b.toString('latin1', o, o + 3) === 'ID3') {
    const size = (b[o + 6] << 21) | (b[o + 7] << 14) | (b[o + 8] << 7) | b[o + 9];
    o += 10 + size + (b[o + 5] & 0x10 ? 10 : 0);
  }
  return b.subarray(o);
}
