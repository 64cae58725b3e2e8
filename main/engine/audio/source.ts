import fs from 'node:fs/promises';
import { CuebankError } from '../errors';
import { corrupt } from './fail';

/** Bytes read at the start of a file in one go: enough for almost every header and metadata chunk. */
const HEAD_BYTES = 64 * 1024;

/**
 * A library file opened read-only. The user's files are never written, so there is no other mode.
 * Reads at the start are served from one cached head read; everything else is fs.read at an offset.
 */
export class AudioSource {
  private constructor(
    readonly path: string,
    private readonly handle: fs.FileHandle,
    readonly size: number,
    readonly head: Buffer,
  ) {}

  static async open(file: string): Promise<AudioSource> {
    const handle = await openReadOnly(file);
    try {
      // stat and the head read go to the thread pool together: one round trip instead of two (on a
      // 2-core VM the first file operation after a stretch of computation waits ~1 ms for a thread).
      const head = Buffer.alloc(HEAD_BYTES);
      const [stat, read] = await Promise.allSettled([handle.stat(), handle.read(head, 0, HEAD_BYTES, 0)]);
      if (stat.status === 'rejected') throw stat.reason;
      if (!stat.value.isFile()) throw new CuebankError('invalid_input', `Not a file: ${file}`);
      const size = stat.value.size;
      if (size === 0) throw corrupt('Empty file (0 bytes)');
      if (read.status === 'rejected') throw read.reason;
      return new AudioSource(file, handle, size, head.subarray(0, Math.min(size, read.value.bytesRead)));
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /**
   * Opens a file already opened once (and its size learnt) to read it again: no stat and no head
   * read, so it costs one open. Reads past `size` come back short, as from any file that shrank.
   */
  static async reopen(file: string, size: number): Promise<AudioSource> {
    const handle = await openReadOnly(file);
    return new AudioSource(file, handle, size, Buffer.alloc(0));
  }

  /** Up to `length` bytes at `offset`; shorter only at the end of the file. */
  async read(offset: number, length: number): Promise<Buffer> {
    const end = Math.min(offset + length, this.size);
    if (end <= offset) return Buffer.alloc(0);
    if (end <= this.head.length) return this.head.subarray(offset, end);
    const buf = Buffer.allocUnsafe(end - offset);
    return buf.subarray(0, await this.readInto(buf, offset, buf.length));
  }

  /** Reads into a caller's buffer (reused across blocks when streaming); returns the bytes read. */
  async readInto(buf: Buffer, offset: number, length: number): Promise<number> {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  }

  readAll(): Promise<Buffer> {
    return this.read(0, this.size);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** fs.open read-only, a missing file reported as not_found. */
async function openReadOnly(file: string): Promise<fs.FileHandle> {
  try {
    return await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CuebankError('not_found', `File not found: ${file}`, { cause: err });
    throw err;
  }
}

/** Opens a file, runs `fn`, and closes the file whatever happens. */
export async function withSource<T>(file: string, fn: (src: AudioSource) => Promise<T>): Promise<T> {
  const src = await AudioSource.open(file);
  try {
    return await fn(src);
  } finally {
    await src.close();
  }
}
