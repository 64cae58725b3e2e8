/**
 * MSB-first bit writer for FLAC frames, growing as needed. Bits collect in a small accumulator and
 * leave a byte at a time: Rice codes are written once per sample, so this is the encoder's inner loop.
 */
export class BitWriter {
  private buf: Uint8Array;
  private byte = 0;
  /** Pending bits, right-aligned; fewer than 8 between calls. */
  private acc = 0;
  private accBits = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
  }

  /** Writes the low `bits` bits of a non-negative value (bits ≤ 32; values up to 2^53 via the high part). */
  write(value: number, bits: number): void {
    if (bits > 24) {
      this.write(Math.floor(value / 0x1000000), bits - 24);
      this.write(value % 0x1000000, 24);
      return;
    }
    if (bits === 0) return;
    // acc < 2^8 and bits ≤ 24: the shifted accumulator fits 32 bits (read back with >>>).
    this.acc = (this.acc << bits) | (value & ((1 << bits) - 1));
    this.accBits += bits;
    while (this.accBits >= 8) {
      this.accBits -= 8;
      this.pushByte((this.acc >>> this.accBits) & 0xff);
    }
    this.acc &= (1 << this.accBits) - 1;
  }

  /** Two's-complement signed value in `bits` bits (bits ≤ 32). */
  writeSigned(value: number, bits: number): void {
    this.write(value < 0 ? value + 2 ** bits : value, bits);
  }

  /** `count` zero bits (the unary part of Rice codes can be long). */
  writeZeros(count: number): void {
    let n = count;
    while (n > 24) {
      this.write(0, 24);
      n -= 24;
    }
    this.write(0, n);
  }

  /** Rice code: quotient in unary (zeros then a one), then the low `k` bits. */
  writeRice(u: number, k: number): void {
    const q = Math.floor(u / 2 ** k);
    const rem = u - q * 2 ** k;
    // Usual case in one call: q zeros, a one, k bits of remainder = (1 << k | rem) in q + 1 + k bits.
    if (q + 1 + k <= 24) {
      this.write((1 << k) | rem, q + 1 + k);
      return;
    }
    this.writeZeros(q);
    this.write(1, 1);
    if (k) this.write(rem, k);
  }

  /** Pads with zero bits to the next byte boundary. */
  alignToByte(): void {
    if (this.accBits) this.write(0, 8 - this.accBits);
  }

  /** Bytes written so far (call alignToByte first for a partial last byte). */
  get length(): number {
    return this.byte;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.byte);
  }

  private pushByte(b: number): void {
    if (this.byte === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.byte++] = b;
  }
}
