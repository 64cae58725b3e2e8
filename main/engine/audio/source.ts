import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import { CuebankError } from '../errors';
import { corrupt } from './fail';

/** Bytes read at the start of a file in one go: enough for almost every header and metadata chunk. */
const HEAD_BYTES = 64 * 1024;

/** What header parsing (openAudio and the format readers) reads of a file. */
export interface HeaderSource {
  readonly path: string;
  readonly size: number;
  /** The first HEAD_BYTES of the file (fewer for a shorter file). */
  readonly head: Buffer;
  /** Up to `length` bytes at `offset`; shorter only at the end of the file. */
  read(offset: number, length: number): Promise<Buffer>;
}

/**
 * A library file opened read-only. The user's files are never written, so there is no other mode.
 * Reads at the start are served from one cached head read; everything else is fs.read at an offset.
 */
export class AudioSource implements HeaderSource {
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
      const size = checkedSize(stat.value, file);
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

  close(): Promise<void> {
    return this.handle.close();
  }
}

/**
 * A library file read with synchronous calls, for its headers and one PCM window (decodeRange): an
 * async read's thread-pool round trips (open, head, window, close) can each wait milliseconds behind
 * busy model threads on a small machine, far longer than such a read takes. Never for streaming a
 * codec. Close it with closeNow.
 */
export class SyncFileSource implements HeaderSource {
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    readonly size: number,
    readonly head: Buffer,
  ) {}

  static open(file: string): SyncFileSource {
    let fd: number;
    try {
      fd = fsSync.openSync(file, 'r');
    } catch (err) {
      throw notFoundOr(err, file);
    }
    try {
      const size = checkedSize(fsSync.fstatSync(fd), file);
      return new SyncFileSource(file, fd, size, readSync(fd, 0, Math.min(size, HEAD_BYTES)));
    } catch (err) {
      fsSync.closeSync(fd);
      throw err;
    }
  }

  /** As read, at once: a settled promise costs a microtask, not a trip through the thread pool. */
  read(offset: number, length: number): Promise<Buffer> {
    return Promise.resolve(this.readNow(offset, length));
  }

  /** Up to `length` bytes at `offset`; shorter only at the end of the file. */
  readNow(offset: number, length: number): Buffer {
    const end = Math.min(offset + length, this.size);
    if (end <= offset) return Buffer.alloc(0);
    if (end <= this.head.length) return this.head.subarray(offset, end);
    return readSync(this.fd, offset, end - offset);
  }

  closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    fsSync.closeSync(this.fd);
  }
}

/** Up to `length` bytes of an open file at `offset` (fewer at its end). */
function readSync(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fsSync.readSync(fd, buf, done, length - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/** fs.open read-only, a missing file reported as not_found. */
async function openReadOnly(file: string): Promise<fs.FileHandle> {
  try {
    return await fs.open(file, 'r');
  } catch (err) {
    throw notFoundOr(err, file);
  }
}

/** A missing file as not_found; any other open error as it is. */
function notFoundOr(err: unknown, file: string): unknown {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new CuebankError('not_found', `File not found: ${file}`, { cause: err });
  return err;
}

/** The size of an opened file; a clear error for a folder or an empty file. */
function checkedSize(stat: { isFile(): boolean; size: number }, file: string): number {
  if (!stat.isFile()) throw new CuebankError('invalid_input', `Not a file: ${file}`);
  if (stat.size === 0) throw corrupt('Empty file (0 bytes)');
  return stat.size;
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
