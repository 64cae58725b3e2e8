/** The checksums FLAC and Ogg require: all MSB-first (non-reflected), initial value 0, no final xor. */

function table(bits: 8 | 16 | 32, poly: number): Uint32Array {
  const t = new Uint32Array(256);
  const top = 2 ** (bits - 1);
  const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  for (let i = 0; i < 256; i++) {
    let c = bits === 8 ? i : (i << (bits - 8)) >>> 0;
    for (let k = 0; k < 8; k++) c = (c & top ? ((c << 1) ^ poly) : c << 1) & mask;
    t[i] = c >>> 0;
  }
  return t;
}

const CRC8 = table(8, 0x07);
const CRC16 = table(16, 0x8005);
const CRC32 = table(32, 0x04c11db7);

/** FLAC frame header CRC-8 (x^8 + x^2 + x + 1). */
export function crc8(b: Uint8Array, start = 0, end = b.length): number {
  let c = 0;
  for (let i = start; i < end; i++) c = CRC8[c ^ b[i]];
  return c;
}

/** FLAC frame footer CRC-16 (x^16 + x^15 + x^2 + 1), over the whole frame. */
export function crc16(b: Uint8Array, start = 0, end = b.length): number {
  let c = 0;
  for (let i = start; i < end; i++) c = ((c << 8) & 0xffff) ^ CRC16[(c >>> 8) ^ b[i]];
  return c;
}

/** Ogg page CRC-32 (polynomial 0x04C11DB7), over the page with its CRC field zeroed. */
export function oggCrc32(b: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < b.length; i++) c = ((c << 8) ^ CRC32[((c >>> 24) ^ b[i]) & 0xff]) >>> 0;
  return c >>> 0;
}
