/**
 * UTF-8 bytes of `text` cut to at most `max` bytes without splitting a character (fixed-size
 * bext fields; Cuebank's reader and common tools read them as UTF-8 when valid).
 */
export function utf8Fit(text: string, max: number): Buffer {
  const b = Buffer.from(text, 'utf8');
  if (b.length <= max) return b;
  let end = max;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--; // back off to the start of the cut character
  return b.subarray(0, end);
}
