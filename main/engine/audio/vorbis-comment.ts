import { decodeText } from './text';

/** Base64 cover art: large and not text anyone searches. */
const BINARY_KEYS = new Set(['METADATA_BLOCK_PICTURE', 'COVERART', 'COVERARTMIME']);

/**
 * A Vorbis comment block (FLAC VORBIS_COMMENT, Ogg Vorbis and Opus tags): little-endian lengths,
 * vendor string, then KEY=value entries. Keys come back upper-case; repeated keys are joined.
 */
export function parseVorbisComment(b: Uint8Array, into: Record<string, string>): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 8) return;
  const vendorLen = dv.getUint32(0, true);
  let o = 4 + vendorLen;
  if (o + 4 > b.length) return;
  const count = dv.getUint32(o, true);
  o += 4;
  for (let i = 0; i < count && o + 4 <= b.length; i++) {
    const len = dv.getUint32(o, true);
    o += 4;
    if (o + len > b.length) break;
    const entry = decodeText(b.subarray(o, o + len));
    o += len;
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq).trim().toUpperCase();
    const value = entry.slice(eq + 1).trim();
    if (!value || BINARY_KEYS.has(key)) continue;
    into[key] = into[key] ? `${into[key]}; ${value}` : value;
  }
}
