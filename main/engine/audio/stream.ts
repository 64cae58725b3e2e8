import { performance } from 'node:perf_hooks';
import { decodeChunks, newTotals } from './compressed';
import { corrupt } from './fail';
import { toMono } from './mixdown';
import { applyTotals, openAudio, type Opened } from './open';
import { pcmToMono } from './pcm';
import { createResampler, type Resampler } from './resample';
import { AudioSource } from './source';
import type { FileMeta } from './types';

export interface MonoStreamOptions {
  targetRate: number;
  signal?: AbortSignal;
  /** Milliseconds spent, accumulated under 'decode' and 'resample'. */
  timings?: Record<string, number>;
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
 * WAV/RF64/AIFF are read block by block with fs reads at offsets, never whole; FLAC decodes as it
 * streams; MP3 and Ogg are decoded before this returns (their exact length, which meta reports,
 * is only known after decoding), holding only the mono target-rate result.
 * The file is opened again when iteration starts, so a stream that is never iterated holds nothing open.
 */
export async function openMonoStream(
  file: string,
  opts: MonoStreamOptions,
): Promise<{ meta: FileMeta; blocks: AsyncIterable<Float32Array> }> {
  if (!(Number.isInteger(opts.targetRate) && opts.targetRate > 0)) throw new RangeError(`Invalid target rate ${opts.targetRate}`);
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
  if (opened.kind === 'pcm') {
    await src.close();
    return { meta: opened.meta, blocks: pcmBlocks(file, opened, opts) };
  }
  if (opened.knownFrames !== null) {
    await src.close();
    return { meta: opened.meta, blocks: reopen(file, (s) => codecBlocks(s, opened, opts, time)) };
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

async function* reopen(file: string, fn: (src: AudioSource) => AsyncGenerator<Float32Array>): AsyncGenerator<Float32Array> {
  const src = await AudioSource.open(file);
  try {
    yield* fn(src);
  } finally {
    await src.close();
  }
}

async function* pcmBlocks(file: string, opened: Opened & { kind: 'pcm' }, opts: MonoStreamOptions): AsyncGenerator<Float32Array> {
  const { layout, offset, frames } = opened.pcm;
  const rate = opened.meta.format.sampleRate;
  const time = timer(opts.timings);
  const resampler = createResampler(rate, opts.targetRate);
  const blockFrames = Math.max(1, Math.min(Math.round(rate * BLOCK_SECONDS), Math.floor(MAX_READ_BYTES / layout.blockAlign)));
  const buf = Buffer.allocUnsafe(blockFrames * layout.blockAlign);
  const src = await AudioSource.open(file);
  try {
    for (let pos = 0; pos < frames; pos += blockFrames) {
      opts.signal?.throwIfAborted();
      const n = Math.min(blockFrames, frames - pos);
      const t = performance.now();
      const got = await src.readInto(buf, offset + pos * layout.blockAlign, n * layout.blockAlign);
      if (got < n * layout.blockAlign) throw corrupt('The file changed or was cut short while it was being read');
      const mono = new Float32Array(n);
      pcmToMono(buf, layout, n, mono);
      if (opts.timings) opts.timings.decode = (opts.timings.decode ?? 0) + performance.now() - t;
      const out = time('resample', () => resampler.process(mono));
      if (out.length) yield out;
    }
    const tail = time('resample', () => resampler.flush());
    if (tail.length) yield tail;
  } finally {
    await src.close();
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
  let channels = 0;
  const pieces = decodeChunks(src, opened.stream, totals, opts.signal);
  for (;;) {
    const t = performance.now();
    const next = await pieces.next();
    if (next.done) break;
    const mono = toMono(next.value);
    channels = next.value.length;
    if (opts.timings) opts.timings.decode = (opts.timings.decode ?? 0) + performance.now() - t;
    resampler ??= createResampler(totals.sampleRate, opts.targetRate);
    const r = resampler;
    for (const b of blocker.push(time('resample', () => r.process(mono)))) yield b;
  }
  if (resampler) {
    const r = resampler;
    for (const b of blocker.push(time('resample', () => r.flush()))) yield b;
  }
  for (const b of blocker.end()) yield b;
  applyTotals(opened, totals, channels);
}
