import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { encodeWav, wavHeader } from '../audio';
import type { DecodedAudio } from '../audio/types';
import { CuebankError } from '../errors';
import { blockFrames, type BlockSums } from './mix';

/**
 * The worker's whole program. Plain JavaScript run with `eval`, not a module file: it then needs no
 * bundle entry of its own and no path that differs between sources, bundles and app.asar. It
 * interleaves planar float32 channels (a little-endian machine's Float32Array bytes are the WAV data
 * chunk as is) or takes ready bytes, writes them under a temporary name and renames it to the final
 * one, so the final name only ever holds a whole file.
 */
const WORKER_SOURCE = `
const fs = require('node:fs');
const path = require('node:path');
const { parentPort } = require('node:worker_threads');

function openCreatingFolder(file) {
  try {
    return fs.openSync(file, 'w');
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return fs.openSync(file, 'w');
  }
}

// Reused from take to take, as the main thread reuses its planar buffers: fresh megabytes cost
// more in page faults than the copying itself. Up to 16 MiB, like the main thread's.
const KEPT_SAMPLES = 4 << 20;
let kept = new Float32Array(0);

// Interleaves, and since it reads every sample anyway, sums each block as mix.ts's blockSums does:
// per block, channel 0's squares in order, then channel 1's, into one double, so the sums match.
function interleave(planar, count, frames, block) {
  const n = frames * count;
  if (n <= KEPT_SAMPLES && kept.length < n) kept = new Float32Array(n);
  const out = n <= KEPT_SAMPLES ? kept.subarray(0, n) : new Float32Array(n);
  const blocks = Math.ceil(frames / block);
  const squares = new Float64Array(blocks);
  const peaks = new Float32Array(blocks);
  for (let c = 0; c < count; c++) {
    const src = new Float32Array(planar, c * frames * 4, frames);
    for (let k = 0, o = c; k < blocks; k++) {
      const end = Math.min(frames, (k + 1) * block);
      let sum = squares[k];
      let peak = peaks[k];
      for (let i = k * block; i < end; i++, o += count) {
        const v = src[i];
        out[o] = v;
        sum += v * v;
        const a = v < 0 ? -v : v;
        if (a > peak) peak = a;
      }
      squares[k] = sum;
      peaks[k] = peak;
    }
  }
  return { data: out, sums: { block, squares, peaks } };
}

parentPort.on('message', (job) => {
  const tmp = job.file + '.' + process.pid + '.tmp';
  let error = null;
  let sums = null;
  try {
    let data = job.bytes;
    if (job.planar) ({ data, sums } = interleave(job.planar, job.count, job.frames, job.block));
    const fd = openCreatingFolder(tmp);
    try {
      fs.writeSync(fd, job.header);
      fs.writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, job.file);
  } catch (err) {
    try { fs.rmSync(tmp, { force: true }); } catch {}
    error = String((err && err.message) || err);
    sums = null;
  }
  const transfer = job.planar ? [job.planar] : [];
  if (sums) transfer.push(sums.squares.buffer, sums.peaks.buffer);
  parentPort.postMessage({ id: job.id, error, planar: job.planar, sums }, transfer);
});
`;

/** Planar buffers kept for reuse once the worker hands them back (the newest); more are made when writes overlap. */
const KEPT_BUFFERS = 2;
/** Largest buffer kept (16 MiB: 47 s of stereo at 44.1 kHz): a long take does not pin its size. */
const KEPT_BYTES = 16 << 20;

interface Pending {
  resolve(sums: BlockSums | null): void;
  reject(err: Error): void;
}

/**
 * Writes take files as 32-bit float WAV (the critic's input, bit for bit; every DAW reads it) on a
 * worker thread. The loop starts a take's write and critiques the take meanwhile: the CLAP critic's
 * log-mel pass runs on the main thread alone, leaving a core free, so the write costs the loop only
 * the copy handed to the worker (measured with bench:loop: ~2–3 ms per take written on the main
 * thread, the interleave included, against ~0.2 ms). Not flushed to disk: see LoopStore.
 *
 * The worker starts on the first write and holds the process open only while writes are pending.
 */
export class TakeFileWriter {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly spare: ArrayBuffer[] = [];

  /**
   * Writes `audio` to `file` (its folder made when missing). Resolves once the whole file is under
   * that name, with the take's block sums (mix.ts blockSums, equal bit for bit), or null where the
   * worker was handed bytes (big-endian machines).
   */
  write(file: string, audio: DecodedAudio): Promise<BlockSums | null> {
    const worker = this.start();
    const id = this.nextId++;
    const count = audio.channels.length;
    const frames = count ? audio.channels[0].length : 0;
    const done = new Promise<BlockSums | null>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    if (os.endianness() === 'LE') {
      // The channels are copied one after another into a buffer handed over (transferred, not
      // cloned again) and handed back with the answer: the caller keeps using its audio.
      const bytes = frames * count * 4;
      const planar = this.buffer(bytes);
      audio.channels.forEach((c, k) => new Float32Array(planar, k * frames * 4, frames).set(c));
      const header = wavHeader(audio.sampleRate, count, 'float32', bytes);
      worker.postMessage({ id, file, header, planar, count, frames, block: blockFrames(audio.sampleRate) }, [planar]);
    } else {
      const bytes = encodeWav(audio, 'float32');
      worker.postMessage({ id, file, header: bytes.subarray(0, 44), bytes: bytes.subarray(44) });
    }
    if (this.pending.size === 1) worker.ref();
    return done;
  }

  /** Stops the worker; writes still pending fail (their files may or may not be whole). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    // Failed before the worker stops, so no answer arriving meanwhile settles them: a write cut off
    // may leave its temporary file, which LoopStore.sweepOrphans removes at the next start.
    this.failAll(new CuebankError('cancelled', 'The take writer was closed before the file was written'));
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (m: { id: number; error: string | null; planar?: ArrayBuffer; sums: BlockSums | null }) => {
      if (m.planar && m.planar.byteLength <= KEPT_BYTES) {
        this.spare.push(m.planar);
        if (this.spare.length > KEPT_BUFFERS) this.spare.shift();
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.error) p.reject(new CuebankError('internal', `Could not write a take file: ${m.error}`));
      else p.resolve(m.sums);
    });
    // A worker that dies takes its pending writes with it; the next write starts a new one.
    const lost = (err: Error) => {
      if (this.worker !== worker) return; // closed: close() failed what was pending
      this.worker = null;
      this.failAll(new CuebankError('internal', `The take writer stopped: ${err.message}`));
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }

  /** The smallest spare planar buffer of at least `bytes` (the worker reads only what it is told), else a new one. */
  private buffer(bytes: number): ArrayBuffer {
    let best = -1;
    this.spare.forEach((b, i) => {
      if (b.byteLength >= bytes && (best < 0 || b.byteLength < this.spare[best].byteLength)) best = i;
    });
    return best >= 0 ? this.spare.splice(best, 1)[0] : new ArrayBuffer(bytes);
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
