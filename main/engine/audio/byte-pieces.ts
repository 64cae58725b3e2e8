import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { HeaderSource } from './source';

/**
 * A part of a rewritten file: new bytes, or a range of the original copied unchanged. Tag writers
 * describe the new file as pieces so the audio is streamed from the original, never held whole.
 */
export type Piece = Uint8Array | { from: number; length: number };

const COPY_BLOCK = 1 << 20;

/** Writes the pieces in order to `out` (from position 0), copying ranges from `src`; returns the bytes written. */
export async function writePieces(out: FileHandle, src: HeaderSource, pieces: Iterable<Piece> | AsyncIterable<Piece>): Promise<number> {
  let at = 0;
  for await (const p of pieces) {
    if (p instanceof Uint8Array) {
      at += await writeAll(out, p, at);
      continue;
    }
    for (let done = 0; done < p.length; ) {
      const block = await src.read(p.from + done, Math.min(COPY_BLOCK, p.length - done));
      if (!block.length) throw new Error(`The original file ended at byte ${p.from + done} while it was being copied (it changed meanwhile)`);
      at += await writeAll(out, block, at);
      done += block.length;
    }
  }
  return at;
}

async function writeAll(out: FileHandle, b: Uint8Array, position: number): Promise<number> {
  for (let done = 0; done < b.length; ) {
    const { bytesWritten } = await out.write(b, done, b.length - done, position + done);
    done += bytesWritten;
  }
  return b.length;
}

/** Feeds `length` bytes of `src` from `from` into `hash` (short only where the file ends early). */
export async function hashRange(src: HeaderSource, from: number, length: number, hash: Hash = createHash('sha256')): Promise<Hash> {
  for (let done = 0; done < length; ) {
    const block = await src.read(from + done, Math.min(COPY_BLOCK, length - done));
    if (!block.length) break;
    hash.update(block);
    done += block.length;
  }
  return hash;
}
