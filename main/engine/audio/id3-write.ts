import type { Piece } from './byte-pieces';
import { unsupported } from './fail';
import { id3v2Size } from './mpeg-header';
import type { HeaderSource } from './source';

/** What a tag write sets in an MP3's ID3v2 tag. */
export interface Id3Edit {
  /** Text frames (TIT2, ...): replaces every frame with the id. */
  text: [string, string][];
  /** User text frames, by description (compared case-insensitively). */
  txxx: [string, string][];
  /** The comment with an empty description (the one players show), or null to leave comments alone. */
  comment: string | null;
}

interface RawFrame {
  id: string;
  bytes: Buffer;
  body: Buffer;
}

const syncsafe = (b: Buffer, o: number) => (b[o] << 21) | (b[o + 1] << 14) | (b[o + 2] << 7) | b[o + 3];
const NEW_TAG_PADDING = 1024;

/** The frames of a v2.3/v2.4 tag, raw. Tags this writer cannot rewrite without loss are refused. */
function readFrames(tag: Buffer): { major: 3 | 4; frames: RawFrame[]; bodySize: number } {
  const major = tag[3];
  const flags = tag[5];
  if (major !== 3 && major !== 4) throw unsupported(`The MP3 has an ID3v2.${major} tag; only v2.3 and v2.4 tags are rewritten (convert the tag first)`);
  if (flags & 0x80) throw unsupported('The MP3\'s ID3 tag uses whole-tag unsynchronisation; it is left as it is and no tags were written');
  if (flags & 0x40) throw unsupported('The MP3\'s ID3 tag has an extended header; it is left as it is and no tags were written');
  const bodySize = syncsafe(tag, 6);
  const body = tag.subarray(10, 10 + bodySize);
  const frames: RawFrame[] = [];
  let o = 0;
  while (o + 10 <= body.length && body[o] !== 0) {
    const id = body.toString('latin1', o, o + 4);
    if (!/^[A-Z0-9]{4}$/.test(id)) throw unsupported(`The MP3's ID3 tag has a damaged frame at byte ${10 + o}; no tags were written`);
    const len = major === 4 ? syncsafe(body, o + 4) : body.readUInt32BE(o + 4);
    if (o + 10 + len > body.length) throw unsupported(`The MP3's ID3 tag has a frame (${id}) running past the tag; no tags were written`);
    frames.push({ id, bytes: body.subarray(o, o + 10 + len), body: body.subarray(o + 10, o + 10 + len) });
    o += 10 + len;
  }
  return { major, frames, bodySize };
}

/** Encodes text as the tag version prefers: UTF-8 for v2.4, UTF-16 with BOM for v2.3 (no UTF-8 there). */
function encodeText(major: 3 | 4, text: string, terminated: boolean): Buffer {
  if (major === 4) return Buffer.concat([Buffer.from(text, 'utf8'), terminated ? Buffer.alloc(1) : Buffer.alloc(0)]);
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le'), terminated ? Buffer.alloc(2) : Buffer.alloc(0)]);
}

function frame(major: 3 | 4, id: string, body: Buffer): Buffer {
  const h = Buffer.alloc(10);
  h.write(id, 0, 4, 'latin1');
  if (major === 4) writeSyncsafe(h, 4, body.length);
  else h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}

function writeSyncsafe(b: Buffer, o: number, v: number): void {
  if (v >= 2 ** 28) throw unsupported('The ID3 tag would be larger than 256 MB');
  b[o] = (v >> 21) & 0x7f;
  b[o + 1] = (v >> 14) & 0x7f;
  b[o + 2] = (v >> 7) & 0x7f;
  b[o + 3] = v & 0x7f;
}

/** The description of a TXXX or COMM frame (COMM: after its 3-byte language). */
function frameDescription(f: RawFrame): string | null {
  const enc = f.body[0];
  const start = f.id === 'COMM' ? 4 : 1;
  const b = f.body.subarray(start);
  if (enc === 1 || enc === 2) {
    let end = 0;
    while (end + 1 < b.length && (b[end] || b[end + 1])) end += 2;
    let s = b.subarray(0, end);
    let le = enc === 1;
    if (s[0] === 0xff && s[1] === 0xfe) [s, le] = [s.subarray(2), true];
    else if (s[0] === 0xfe && s[1] === 0xff) [s, le] = [s.subarray(2), false];
    const text = Buffer.from(s);
    if (!le) text.swap16();
    return text.toString('utf16le');
  }
  const end = b.indexOf(0);
  return b.toString(enc === 3 ? 'utf8' : 'latin1', 0, end < 0 ? b.length : end);
}

/**
 * Plans the rewrite of an MP3's leading ID3v2 tag (or a new v2.4 tag when it has none): edited
 * frames are replaced, every other frame is copied byte for byte, and the audio frames after the tag
 * (with any ID3v1/APE tag at the end) are copied unchanged. The tag keeps its size when the frames
 * still fit (its padding shrinks), else it gets 1 KiB of padding.
 */
export async function planMp3Rewrite(src: HeaderSource, edit: Id3Edit): Promise<Piece[]> {
  const size = id3v2Size(src.head, 0);
  const tag = size ? Buffer.from(await src.read(0, size)) : null;
  if (tag && tag[5] & 0x10) throw unsupported('The MP3\'s ID3 tag has a footer; it is left as it is and no tags were written');
  const { major, frames, bodySize } = tag ? readFrames(tag) : { major: 4 as const, frames: [], bodySize: 0 };
  const textIds = new Set(edit.text.map(([id]) => id));
  const txxx = new Set(edit.txxx.map(([d]) => d.toUpperCase()));
  const kept = frames.filter((f) => {
    if (textIds.has(f.id)) return false;
    if (f.id === 'TXXX' && txxx.has((frameDescription(f) ?? '').toUpperCase())) return false;
    if (f.id === 'COMM' && edit.comment !== null && frameDescription(f) === '') return false;
    return true;
  });
  const enc = Buffer.from([major === 4 ? 3 : 1]);
  const added = [
    ...edit.text.map(([id, v]) => frame(major, id, Buffer.concat([enc, encodeText(major, v, false)]))),
    ...edit.txxx.map(([d, v]) => frame(major, 'TXXX', Buffer.concat([enc, encodeText(major, d, true), encodeText(major, v, false)]))),
    ...(edit.comment === null ? [] : [frame(major, 'COMM', Buffer.concat([enc, Buffer.from('eng', 'latin1'), encodeText(major, '', true), encodeText(major, edit.comment, false)]))]),
  ];
  const body = Buffer.concat([...kept.map((f) => f.bytes), ...added]);
  const padded = body.length <= bodySize ? bodySize : body.length + NEW_TAG_PADDING;
  const head = Buffer.alloc(10);
  head.write('ID3', 0, 'latin1');
  head[3] = major;
  head[4] = 0;
  head[5] = tag ? tag[5] & 0x20 : 0; // keep only the experimental flag
  writeSyncsafe(head, 6, padded);
  return [head, body, Buffer.alloc(padded - body.length), { from: size, length: src.size - size }];
}

/** Where an MP3's audio begins: after every ID3v2 tag at its start. */
export async function mp3AudioStart(src: HeaderSource): Promise<number> {
  let o = 0;
  for (;;) {
    const n = id3v2Size(await src.read(o, 10), 0);
    if (!n) return o;
    o += n;
  }
}
