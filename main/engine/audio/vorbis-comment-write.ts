import { corrupt } from './fail';

/** A Vorbis comment list kept as raw bytes, so entries nobody edits are written back unchanged. */
export interface RawVorbisComment {
  vendor: Buffer;
  entries: Buffer[];
  /** Bytes after the list: Vorbis's framing bit, Opus's extra binary data, FLAC's (rare) slack. */
  rest: Buffer;
}

export function splitVorbisComment(b: Uint8Array): RawVorbisComment {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const fail = () => corrupt('The Vorbis comment block is damaged (a length points past its end); no tags were written');
  if (buf.length < 8) throw fail();
  const vendorLen = buf.readUInt32LE(0);
  let o = 4 + vendorLen;
  if (o + 4 > buf.length) throw fail();
  const vendor = buf.subarray(4, o);
  const count = buf.readUInt32LE(o);
  o += 4;
  const entries: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    if (o + 4 > buf.length) throw fail();
    const len = buf.readUInt32LE(o);
    if (o + 4 + len > buf.length) throw fail();
    entries.push(buf.subarray(o + 4, o + 4 + len));
    o += 4 + len;
  }
  return { vendor, entries, rest: buf.subarray(o) };
}

const keyOf = (entry: Buffer) => {
  const eq = entry.indexOf(0x3d);
  return eq > 0 ? entry.toString('latin1', 0, eq).trim().toUpperCase() : '';
};

/**
 * Sets fields: the first entry with the key (compared case-insensitively, as the format says) is
 * replaced where it stands and later ones with that key dropped, so each reads back as one value;
 * missing keys are appended. Every other entry stays byte for byte.
 */
export function setVorbisComments(c: RawVorbisComment, set: [string, string][]): RawVorbisComment {
  const values = new Map(set.map(([k, v]) => [k.toUpperCase(), v]));
  const placed = new Set<string>();
  const entries: Buffer[] = [];
  for (const e of c.entries) {
    const key = keyOf(e);
    const value = values.get(key);
    if (value === undefined) entries.push(e);
    else if (!placed.has(key)) {
      placed.add(key);
      entries.push(Buffer.from(`${key}=${value}`, 'utf8'));
    }
  }
  for (const [key, value] of values) if (!placed.has(key)) entries.push(Buffer.from(`${key}=${value}`, 'utf8'));
  return { ...c, entries };
}

export function joinVorbisComment(c: RawVorbisComment): Buffer {
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  };
  return Buffer.concat([u32(c.vendor.length), c.vendor, u32(c.entries.length), ...c.entries.flatMap((e) => [u32(e.length), e]), c.rest]);
}
