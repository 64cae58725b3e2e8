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
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CuebankError('not_found', `File not found: ${file}`, { cause: err });
      throw err;
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new CuebankError('invalid_input', `Not a file: ${file}`);
      const size = stat.size;
      if (size === 0) throw corrupt('Empty file (0 bytes)');
      const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return new AudioSource(file, handle, size, head.subarray(0, bytesRead));
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Up to `length` bytes at `offset`; shorter only at the end of the file. */
  async read(offset: number, length: number): Promise<Buffer> {
    const end = Math.min(offset + length, this.size);
    if (end <= offset) return Buffer.alloc(0);
    if (end <= this.head.length) return this.head.subarray(offset, end);
    const buf = Buffer.allocUnsafe(end - offset);
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await this.handle.read(buf, done, buf.length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buf.subarray(0, done);
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

/** Opens a file, runs `fn`, and closes the file whatever happens. */
export async function withSource<T>(file: string, fn: (src: AudioSource) => Promise<T>): Promise<T> {
  const src = await AudioSource.open(file);
  try {
    return await fn(src);
  } finally {
    await src.close();
  }
}
