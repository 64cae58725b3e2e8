const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/**
 * Text from a fixed-size metadata field: cut at the first NUL, UTF-8 where it is valid, otherwise
 * Latin-1 (what older Windows tools wrote into RIFF INFO and bext).
 */
export function decodeText(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  const b = nul >= 0 ? bytes.subarray(0, nul) : bytes;
  try {
    return utf8.decode(b);
  } catch {
    return latin1.decode(b);
  }
}

export function fourcc(b: Uint8Array, o: number): string {
  return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]);
}

/** Chunk ids are four printable ASCII characters; anything else means we lost our place. */
export function isChunkId(b: Uint8Array, o: number): boolean {
  for (let i = 0; i < 4; i++) if (b[o + i] < 0x20 || b[o + i] > 0x7e) return false;
  return true;
}
