import type { FileMeta } from '../audio';
import type { ErrorCode } from '../errors';
import type { AudioWindow } from './windows';

/** How the worker cuts a file for the embedder; null in a request: read the metadata only. */
export interface EmbedSpec {
  targetRate: number;
  passbandHz: number;
  windowSeconds: number;
  hopSeconds: number | null;
}

/** Messages from the index job to the reader worker. */
export type ToReader =
  | { type: 'read'; id: number; path: string; embed: EmbedSpec | null; credit: number }
  /** The job has taken `windows` more windows: the worker may send that many more. */
  | { type: 'credit'; id: number; windows: number };

/**
 * What a failed read says. `expected`: a CuebankError the readers raised, whose message is already
 * a sentence about the file; otherwise an unexpected exception (TypeError, RangeError, a WASM trap)
 * whose message is internal and goes to the log only.
 */
export interface ReadError {
  expected: boolean;
  code: ErrorCode;
  name: string;
  message: string;
  /** A Node system error's code (EACCES, ENOENT, ...), which says what happened in words of its own. */
  systemCode?: string;
}

/** Messages from the reader worker back to the index job. */
export type FromReader =
  /** Loaded: reads may be timed from now on. */
  | { type: 'ready' }
  | { type: 'meta'; id: number; meta: FileMeta }
  /** `stalled`: the worker has used its credit and waits; its busy milliseconds so far. */
  | { type: 'windows'; id: number; windows: AudioWindow[]; stalled: boolean; busyMs: number }
  /** The worker's own memory outside its JavaScript heap (array buffers, WebAssembly memories), bytes. */
  | { type: 'memory'; external: number }
  | { type: 'done'; id: number; timings: Record<string, number> }
  | { type: 'failed'; id: number; error: ReadError; timings: Record<string, number> };
