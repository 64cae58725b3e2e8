import type { HeaderSource } from './source';

const WINDOW_BYTES = 64 * 1024;

/**
 * Small reads (chunk headers) served from a 64 KB window of the file that moves forward as they
 * do: a walk over a million empty chunks costs about 130 file reads, not a million.
 */
export class WindowReader {
  private at = 0;
  private window: Buffer;

  constructor(private readonly src: HeaderSource) {
    this.window = src.head;
  }

  /** The bytes at `offset` when the window holds them, without a trip through the event loop; else null. */
  peek(offset: number, length: number): Buffer | null {
    const end = Math.min(offset + length, this.src.size);
    if (offset >= this.at && end <= this.at + this.window.length) return this.window.subarray(offset - this.at, end - this.at);
    return null;
  }

  /** Up to `length` (at most WINDOW_BYTES) bytes at `offset`; shorter only at the end of the file. */
  async read(offset: number, length: number): Promise<Buffer> {
    const held = this.peek(offset, length);
    if (held) return held;
    if (length > WINDOW_BYTES) return this.src.read(offset, length);
    this.window = await this.src.read(offset, WINDOW_BYTES);
    this.at = offset;
    return this.window.subarray(0, Math.min(length, this.window.length));
  }
}
