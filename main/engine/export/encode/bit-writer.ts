/** MSB-first bit writer for FLAC frames, growing as needed. */
export class BitWriter {
  private buf: Uint8Array;
  private byte = 0;
  /** Bits already used in the current byte (0..7). */
  private used = 0;
  private cur = 0;

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
    let v = value;
    let n = bits;
    while (n > 0) {
      const free = 8 - this.used;
      const take = n < free ? n : free;
      const chunk = (v >>> (n - take)) & ((1 << take) - 1);
      this.cur |= chunk << (free - take);
      this.used += take;
      n -= take;
      if (this.used === 8) this.flushByte();
      v &= n ? (1 << n) - 1 : 0;
    }
  }

  /** Two's-complement signed value in `bits` bits (bits ≤ 32). */
  writeSigned(value: number, bits: number): void {
    this.write(value < 0 ? value + 2 ** bits : value, bits);
  }

  /** `count` zero bits (the unary part of Rice codes can be long). */
  writeZeros(count: number): void {
    let n = count;
    while (n > 0 && this.used) {
      this.write(0, 1);
      n--;
    }
    const whole = n >>> 3;
    for (let i = 0; i < whole; i++) this.pushByte(0);
    n -= whole * 8;
    if (n) this.write(0, n);
  }

  /** Rice code: quotient in unary (zeros then a one), then the low `k` bits. */
  writeRice(u: number, k: number): void {
    const q = Math.floor(u / 2 ** k);
    this.writeZeros(q);
    this.write(1, 1);
    if (k) this.write(u - q * 2 ** k, k);
  }

  /** Pads with zero bits to the next byte boundary. */
  alignToByte(): void {
    if (this.used) this.flushByte();
  }

  /** Bytes written so far (call alignToByte first for a partial last byte). */
  get length(): number {
    return this.byte;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.byte);
  }

  private flushByte(): void {
    this.pushByte(this.cur);
    this.cur = 0;
    this.used = 0;
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
