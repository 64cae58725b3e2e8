import { performance } from 'node:perf_hooks';
import { decodeChunks, newTotals, scaledToMono } from './compressed';
import { corrupt } from './fail';
import { toMonoInto } from './mixdown';
import { applyTotals, openAudio, type Opened } from './open';
import { pcmToMono } from './pcm';
import { nonAudioWarning } from './sample-guard';
import { createResampler, type Resampler } from './resample';
import { checkPassband } from './resample-filter';
import { AudioSource } from './source';
import type { FileMeta } from './types';

export interface MonoStreamOptions {
  targetRate: number;
  /**
   * Analysis-grade resampling for model input (see ResampleOptions.passbandHz): faithful up to
   * this frequency only, with everything that would alias below it at least 80 dB down, and far
   * cheaper. Leave it out (the strict resampler) for anything a user will hear or export.
   */
  passbandHz?: number;
  signal?: AbortSignal;
  /**
   * Milliseconds spent, accumulated under 'decode' (header parsing, opening the file, waiting for
   * reads the read-ahead did not hide, decoding and the mixdown to mono) and 'resample'.
   */
  timings?: Record<string, number>;
  /**
   * MP3 and Ogg stream as they decode instead of being decoded before the stream is returned;
   * the meta's frames and duration are then final only once every block has been consumed.
   * The index job asks for this: an hour of decoded audio would otherwise sit in memory at once.
   */
  lengthAfterStream?: boolean;
}

/** PCM is read about this many seconds at a time. */
const BLOCK_SECONDS = 2;
const MAX_READ_BYTES = 8 * 1024 * 1024;
/** Blocks handed out are kept between these lengths (seconds at the target rate) where the file allows. */
const MIN_BLOCK_SECONDS = 1;
const MAX_BLOCK_SECONDS = 8;

function timer(timings: Record<string, number> | undefined) {
  return <T>(key: 'decode' | 'resample', fn: () => T): T => {
    const t = performance.now();
    const r = fn();
    if (timings) timings[key] = (timings[key] ?? 0) + performance.now() - t;
    return r;
  };
}

/** Groups pieces of varying length into blocks of MIN..MAX seconds (except possibly the last). */
class Blocker {
  private pending: Float32Array[] = [];
  private size = 0;
  constructor(
    private readonly min: number,
    private readonly max: number,
  ) {}

  push(a: Float32Array): Float32Array[] {
    if (!a.length) return [];
    if (!this.size && a.length >= this.min && a.length <= this.max) return [a];
    this.pending.push(a);
    this.size += a.length;
    if (this.size < this.min) return [];
    const all = this.take();
    const out: Float32Array[] = [];
    let o = 0;
    while (all.length - o > this.max) {
      out.push(all.subarray(o, o + this.max));
      o += this.max;
    }
    const rest = all.subarray(o);
    if (rest.length >= this.min) out.push(rest);
    else {
      this.pending = [rest];
      this.size = rest.length;
    }
    return out;
  }

  end(): Float32Array[] {
    return this.size ? [this.take()] : [];
  }

  private take(): Float32Array {
    const all = this.pending.length === 1 ? this.pending[0] : new Float32Array(this.size);
    if (this.pending.length > 1) {
      let o = 0;
      for (const p of this.pending) {
        all.set(p, o);
        o += p.length;
      }
    }
    this.pending = [];
    this.size = 0;
    return all;
  }
}

/**
 * Streams a file as mono at `targetRate` in blocks of about 1 to 8 seconds.
 * WAV/RF64/AIFF are read block by block with fs reads at offsets, never whole (the next block's
 * read is in flight while the current one is converted and consumed); FLAC decodes as it streams;
 * MP3 and Ogg are decoded before this returns (their exact length, which meta reports, is only
 * known after decoding), holding only the mono target-rate result, unless `lengthAfterStream`.
 * The file is opened again when iteration starts, so a stream that is never iterated holds nothing open.
 *
 * Block ownership: every block yielded is a new array that belongs to the consumer; the stream
 * never writes to it again and never hands it out twice, so it may be kept across iterations
 * without copying (WindowPlanner in library/windows.ts does exactly that: it holds the blocks of
 * an unfinished window by reference until a window's worth has arrived). Reusing one output
 * buffer between steps would therefore corrupt windows, and is not done. What is reused is
 * internal only: the file read buffers, the mono buffer fed to the resampler, and the resampler
 * itself (kept idle between streams of the same rates).
 */
export async function openMonoStream(
  file: string,
  opts: MonoStreamOptions,
): Promise<{ meta: FileMeta; blocks: AsyncIterable<Float32Array> }> {
  if (!(Number.isInteger(opts.targetRate) && opts.targetRate > 0)) throw new RangeError(`Invalid target rate ${opts.targetRate}`);
  checkPassband(opts.passbandHz);
  opts.signal?.throwIfAborted();
  const time = timer(opts.timings);
  const t = performance.now();
  const src = await AudioSource.open(file);
  let opened: Opened;
  try {
    opened = await openAudio(src);
  } catch (err) {
    await src.close();
    throw err;
  }
  if (opts.timings) opts.timings.decode = (opts.timings.decode ?? 0) + performance.now() - t;
  const size = src.size;
  if (opened.kind === 'pcm') {
    await src.close();
    return { meta: opened.meta, blocks: pcmBlocks(file, size, opened, opts) };
  }
  if (opened.knownFrames !== null || opts.lengthAfterStream) {
    await src.close();
    return { meta: opened.meta, blocks: reopen(file, size, (s) => codecBlocks(s, opened, opts, time)) };
  }
  try {
    const blocks: Float32Array[] = [];
    for await (const b of codecBlocks(src, opened, opts, time)) blocks.push(b);
    return { meta: opened.meta, blocks: fromArray(blocks) };
  } finally {
    await src.close();
  }
}

async function* fromArray(blocks: Float32Array[]): AsyncGenerator<Float32Array> {
  yield* blocks;
}

async function* reopen(file: string, size: number, fn: (src: AudioSource) => AsyncGenerator<Float32Array>): AsyncGenerator<Float32Array> {
  const src = await AudioSource.reopen(file, size);
  try {
    yield* fn(src);
  } finally {
    await src.close();
  }
}

/**
 * Resamplers left idle by finished streams, by rates and passband: building one costs about as
 * much as resampling a tenth of a second (wasm memory, instance, table copy), and a library is
 * mostly a few rates. A resampler comes back only after a flush() (which leaves it as new); one
 * whose stream was abandoned is dropped.
 */
const idleResamplers = new Map<string, Resampler>();
const MAX_IDLE_RESAMPLERS = 4;

function resamplerKey(from: number, to: number, passbandHz: number | undefined): string {
  return `${from}/${to}/${passbandHz ?? ''}`;
}

function acquireResampler(from: number, to: number, passbandHz: number | undefined): Resampler {
  const key = resamplerKey(from, to, passbandHz);
  const idle = idleResamplers.get(key);
  if (idle) {
    idleResamplers.delete(key);
    return idle;
  }
  return createResampler(from, to, { passbandHz });
}

function releaseResampler(from: number, to: number, passbandHz: number | undefined, r: Resampler): void {
  const key = resamplerKey(from, to, passbandHz);
  idleResamplers.delete(key);
  if (idleResamplers.size >= MAX_IDLE_RESAMPLERS) idleResamplers.delete(idleResamplers.keys().next().value!);
  idleResamplers.set(key, r);
}

/**
 * Memory of finished streams' read and mono buffers, for the next stream: a fresh buffer of a few
 * hundred KB costs page faults on first touch (as much as the read itself), and the buffers
 * never leave the stream (nothing yielded is from here). At most 4 buffers, 16 MB in all, stay idle.
 */
const idleMemory: ArrayBuffer[] = [];
const MAX_IDLE_BUFFERS = 4;
const MAX_IDLE_BYTES = 16 * 1024 * 1024;

function takeMemory(bytes: number): ArrayBuffer {
  let best = -1;
  for (let i = 0; i < idleMemory.length; i++) {
    const len = idleMemory[i].byteLength;
    if (len >= bytes && (best < 0 || len < idleMemory[best].byteLength)) best = i;
  }
  if (best >= 0) return idleMemory.splice(best, 1)[0];
  // Rounded up to 64 KiB so buffers of nearby sizes can serve each other's streams.
  return new ArrayBuffer(Math.max(1, Math.ceil(bytes / 65536) * 65536));
}

function giveMemory(ab: ArrayBuffer): void {
  const held = idleMemory.reduce((n, b) => n + b.byteLength, 0);
  if (idleMemory.length < MAX_IDLE_BUFFERS && held + ab.byteLength <= MAX_IDLE_BYTES) idleMemory.push(ab);
}

type ReadResult = { got: number; error?: undefined } | { got: 0; error: unknown };

async function* pcmBlocks(file: string, size: number, opened: Opened & { kind: 'pcm' }, opts: MonoStreamOptions): AsyncGenerator<Float32Array> {
  const { layout, offset, frames } = opened.pcm;
  const rate = opened.meta.format.sampleRate;
  const time = timer(opts.timings);
  const blockFrames = Math.max(1, Math.min(Math.round(rate * BLOCK_SECONDS), Math.floor(MAX_READ_BYTES / layout.blockAlign)));
  const firstFrames = Math.min(blockFrames, frames);
  // Two read buffers: the next block is read while this one is converted, resampled and consumed.
  // Each starts its own ArrayBuffer, so it is 4-byte aligned for the word-at-a-time conversions.
  const memory = [takeMemory(firstFrames * layout.blockAlign)];
  if (frames > blockFrames) memory.push(takeMemory(blockFrames * layout.blockAlign));
  const bufs = memory.map((ab) => Buffer.from(ab, 0, firstFrames * layout.blockAlign));
  if (bufs.length === 1) bufs.push(bufs[0]);
  const resampling = rate !== opts.targetRate;
  // Resampled blocks are new arrays (the resampler's output), so the mono input can be one buffer.
  if (resampling) memory.push(takeMemory(firstFrames * 4));
  const scratch = resampling ? new Float32Array(memory[memory.length - 1], 0, firstFrames) : null;
  const resampler = resampling ? acquireResampler(rate, opts.targetRate, opts.passbandHz) : null;
  let flushed = false;
  let zeroed = 0;
  let inFlight: Promise<ReadResult> | null = null;
  const t0 = performance.now();
  let src: AudioSource;
  try {
    src = await AudioSource.reopen(file, size);
  } catch (err) {
    for (const ab of memory) giveMemory(ab);
    throw err;
  }
  if (opts.timings) opts.timings.decode = (opts.timings.decode ?? 0) + performance.now() - t0;
  // A read's failure is caught at once and rethrown when the block is due, never left unhandled.
  const read = (pos: number, buf: Buffer): Promise<ReadResult> => {
    const n = Math.min(blockFrames, frames - pos);
    return src.readInto(buf, offset + pos * layout.blockAlign, n * layout.blockAlign).then(
      (got) => ({ got }),
      (error: unknown) => ({ got: 0, error }),
    );
  };
  try {
    if (frames > 0) inFlight = read(0, bufs[0]);
    for (let pos = 0, k = 0; pos < frames; pos += blockFrames, k++) {
      opts.signal?.throwIfAborted();
      const n = Math.min(blockFrames, frames - pos);
      const t = performance.now();
      const r: ReadResult = await inFlight!;
      inFlight = null;
      if (r.error !== undefined) throw r.error;
      if (r.got < n * layout.blockAlign) throw corrupt('The file changed or was cut short while it was being read');
      const buf = bufs[k & 1];
      if (pos + blockFrames < frames) inFlight = read(pos + blockFrames, bufs[(k + 1) & 1]);
      const mono = scratch ? scratch.subarray(0, n) : new Float32Array(n);
      zeroed += pcmToMono(buf, layout, n, mono);
      if (opts.timings) opts.timings.decode = (opts.timings.decode ?? 0) + performance.now() - t;
      const out = resampler ? time('resample', () => resampler.process(mono)) : mono;
      if (out.length) yield out;
    }
    if (resampler) {
      const tail = time('resample', () => resampler.flush());
      flushed = true;
      if (tail.length) yield tail;
    }
    // The meta handed out with the stream is this object: the warning reaches whoever stores it after the blocks.
    if (zeroed) opened.meta.warnings.push(nonAudioWarning(zeroed));
  } finally {
    if (inFlight) await inFlight;
    for (const ab of memory) giveMemory(ab);
    await src.close();
    if (resampler && flushed) releaseResampler(rate, opts.targetRate, opts.passbandHz, resampler);
  }
}

async function* codecBlocks(
  src: AudioSource,
  opened: Opened & { kind: 'codec' },
  opts: MonoStreamOptions,
  time: ReturnType<typeof timer>,
): AsyncGenerator<Float32Array> {
  const totals = newTotals();
  const blocker = new Blocker(opts.targetRate * MIN_BLOCK_SECONDS, opts.targetRate * MAX_BLOCK_SECONDS);
  let resampler: Resampler | null = null;
  let rate = 0;
  let flushed = false;
  let channels = 0;
  // Mono input for the resampler, reused: it copies what it needs before returning.
  let scratch = new Float32Array(0);
  // FLAC's rescaling (see toPcmScale) is fused into the mixdown: one pass over the samples.
  const bits = opened.stream.bits;
  const pieces = decodeChunks(src, opened.stream, totals, opts.signal, !bits);
  const mix = (ch: Float32Array[], out: Float32Array) => (bits ? scaledToMono(ch, bits, out) : toMonoInto(ch, out));
  try {
    for (;;) {
      const t = performance.now();
      const next = await pieces.next();
      if (next.done) break;
      channels = next.value.length;
      rate ||= totals.sampleRate;
      const len = next.value.length ? Math.min(...next.value.map((c) => c.length)) : 0;
      let mono: Float32Array;
      // At the target rate the mono samples are the block itself (new); otherwise the resampler
      // copies them at once, so one buffer serves every piece.
      if (rate === opts.targetRate) mono = new Float32Array(len);
      else {
        if (scratch.length < len) scratch = new Float32Array(len);
        mono = scratch.subarray(0, len);
      }
      mix(next.value, mono);
      if (opts.timings) opts.timings.decode = (opts.timings.decode ?? 0) + performance.now() - t;
      resampler ??= rate === opts.targetRate ? createResampler(rate, rate) : acquireResampler(rate, opts.targetRate, opts.passbandHz);
      const r = resampler;
      for (const b of blocker.push(time('resample', () => r.process(mono)))) yield b;
    }
    if (resampler) {
      const r = resampler;
      const tail = time('resample', () => r.flush());
      flushed = true;
      for (const b of blocker.push(tail)) yield b;
    }
    for (const b of blocker.end()) yield b;
  } finally {
    // Left early (the consumer stopped, an abort or an error): let the decoder free itself now.
    await pieces.return();
    if (resampler && flushed && rate !== opts.targetRate) releaseResampler(rate, opts.targetRate, opts.passbandHz, resampler);
  }
  applyTotals(opened, totals, channels);
}
