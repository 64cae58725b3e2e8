import { decodeText } from './text';

/** ID3v2 frame ids (v2.3/v2.4, and v2.2's three-letter ids) under the names Vorbis comments use. */
const NAMES: Record<string, string> = {
  TIT2: 'TITLE',
  TT2: 'TITLE',
  TPE1: 'ARTIST',
  TP1: 'ARTIST',
  TALB: 'ALBUM',
  TAL: 'ALBUM',
  COMM: 'COMMENT',
  COM: 'COMMENT',
  TCON: 'GENRE',
  TCO: 'GENRE',
  TYER: 'DATE',
  TYE: 'DATE',
  TDRC: 'DATE',
  TRCK: 'TRACKNUMBER',
  TRK: 'TRACKNUMBER',
  TCOM: 'COMPOSER',
  TCM: 'COMPOSER',
  TCOP: 'COPYRIGHT',
  TCR: 'COPYRIGHT',
  TENC: 'ENCODED-BY',
  TEN: 'ENCODED-BY',
  TSSE: 'ENCODER',
  TSS: 'ENCODER',
  TIT1: 'GROUPING',
  TIT3: 'SUBTITLE',
  TPE2: 'ALBUMARTIST',
  TKEY: 'KEY',
  TBPM: 'BPM',
};

function decodeId3Text(enc: number, b: Uint8Array): string {
  let s: string;
  if (enc === 1 || enc === 2) {
    let le = enc === 1;
    let o = 0;
    if (enc === 1 && b.length >= 2) {
      if (b[0] === 0xff && b[1] === 0xfe) o = 2;
      else if (b[0] === 0xfe && b[1] === 0xff) {
        le = false;
        o = 2;
      }
    }
    let end = o;
    while (end + 1 < b.length && (b[end] || b[end + 1])) end += 2;
    const body = Buffer.from(b.subarray(o, end));
    if (!le) body.swap16();
    s = body.toString('utf16le');
  } else if (enc === 3) {
    s = decodeText(b);
  } else {
    s = Buffer.from(b.subarray(0, b.indexOf(0) >= 0 ? b.indexOf(0) : b.length)).toString('latin1');
  }
  return s.replace(/\0+$/, '').trim();
}

/** Length of a text-encoded string with its terminator, for skipping COMM's description. */
function skipString(enc: number, b: Uint8Array, o: number): number {
  if (enc === 1 || enc === 2) {
    while (o + 1 < b.length && (b[o] || b[o + 1])) o += 2;
    return o + 2;
  }
  while (o < b.length && b[o]) o++;
  return o + 1;
}

function unsync(b: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    out.push(b[i]);
    if (b[i] === 0xff && b[i + 1] === 0x00) i++;
  }
  return Uint8Array.from(out);
}

/** Text frames of an ID3v2 tag (v2.2 to v2.4) with upper-case keys; other frames are skipped. */
export function parseId3v2(tag: Uint8Array): Record<string, string> {
  const info: Record<string, string> = {};
  if (tag.length < 10 || tag[0] !== 0x49 || tag[1] !== 0x44 || tag[2] !== 0x33) return info;
  const major = tag[3];
  const flags = tag[5];
  const size = (tag[6] << 21) | (tag[7] << 14) | (tag[8] << 7) | tag[9];
  let b = tag.subarray(10, Math.min(tag.length, 10 + size));
  if (flags & 0x80 && major < 4) b = unsync(b);
  let o = 0;
  if (flags & 0x40 && b.length >= 4) {
    const ext = major === 4 ? (b[0] << 21) | (b[1] << 14) | (b[2] << 7) | b[3] : ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) + 4;
    o = ext;
  }
  const idLen = major === 2 ? 3 : 4;
  const headLen = major === 2 ? 6 : 10;
  while (o + headLen <= b.length && b[o] !== 0) {
    const id = String.fromCharCode(...b.subarray(o, o + idLen));
    let len: number;
    if (major === 2) len = (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5];
    else if (major === 4) len = (b[o + 4] << 21) | (b[o + 5] << 14) | (b[o + 6] << 7) | b[o + 7];
    else len = ((b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) >>> 0;
    const frameFlags = major === 4 ? b[o + 9] : 0;
    let body = b.subarray(o + headLen, Math.min(b.length, o + headLen + len));
    o += headLen + len;
    if (!/^[A-Z0-9]+$/.test(id)) break;
    if (major === 4 && frameFlags & 0x0c) continue; // compressed or encrypted
    if (major === 4 && frameFlags & 0x02) body = unsync(body);
    if (major === 4 && frameFlags & 0x01) body = body.subarray(4);
    if (body.length < 2) continue;
    const enc = body[0];
    let key: string | undefined;
    let value: string;
    if (id === 'TXXX' || id === 'TXX') {
      const at = skipString(enc, body, 1);
      key = decodeId3Text(enc, body.subarray(1, at)).toUpperCase();
      value = decodeId3Text(enc, body.subarray(at));
    } else if (id === 'COMM' || id === 'COM') {
      key = 'COMMENT';
      value = decodeId3Text(enc, body.subarray(skipString(enc, body, 4)));
    } else if (id[0] === 'T') {
      key = NAMES[id] ?? id;
      value = decodeId3Text(enc, body.subarray(1));
    } else continue;
    if (key && value) info[key] = info[key] ? `${info[key]}; ${value}` : value;
  }
  return info;
}

/** The 128-byte ID3v1 tag at the end of an MP3, or null. */
export function parseId3v1(b: Uint8Array): Record<string, string> | null {
  if (b.length < 128) return null;
  const t = b.subarray(b.length - 128);
  if (t[0] !== 0x54 || t[1] !== 0x41 || t[2] !== 0x47) return null;
  const s = (o: number, n: number) => Buffer.from(t.subarray(o, o + n)).toString('latin1').replace(/\0.*$/s, '').trim();
  const info: Record<string, string> = {};
  const fields: [string, string][] = [
    ['TITLE', s(3, 30)],
    ['ARTIST', s(33, 30)],
    ['ALBUM', s(63, 30)],
    ['DATE', s(93, 4)],
    ['COMMENT', s(97, t[125] === 0 && t[126] !== 0 ? 28 : 30)],
  ];
  for (const [k, v] of fields) if (v) info[k] = v;
  return info;
}
