import { checkPassband, designFilter, type PolyphaseFilter } from './resample-filter';
import { createKernel, type Kernel } from './resample-kernel';

export interface ResampleOptions {
  /**
   * Analysis-grade resampling for model input: the output need only be faithful up to this
   * frequency (Hz). The passband is flat to it and everything that would alias or image below it is
   * at least 80 dB down, but content between it and the output Nyquist frequency is unspecified,
   * which allows a far shorter filter (16 taps instead of 112 for 44.1k -> 48k at 14 kHz).
   * Never use it for audio a user will hear or export. Left out (the default), or where it cannot
   * be relaxed (passbandHz at or above 0.9 of the lower Nyquist frequency), the strict filter runs.
   */
  passbandHz?: number;
}

export interface Resampler {
  /** Resamples the next block; returns the outputs that need no later input (possibly none). */
  process(block: Float32Array): Float32Array;
  /** Ends the stream: returns the remaining outputs so the total is round(inputs * to / from). */
  flush(): Float32Array;
}

/** Input samples per kernel call: bounds the kernel's memory whatever the block size. */
const CHUNK = 1 << 15;
const EMPTY = new Float32Array(0);

/**
 * Streaming polyphase resampler. Output n is the band-limited input at time n*from/to exactly:
 * the filter's delay is compensated by starting with half a filter of zeros, and flush() pads the
 * end with zeros, so blocks concatenated equal one-shot `resample` of the whole signal sample for
 * sample (the same sums in the same order). After flush() it starts a new stream.
 */
class PolyphaseResampler implements Resampler {
  private readonly f: PolyphaseFilter;
  private readonly kernel: Kernel;
  /** Input samples received in this stream. */
  private received = 0;
  /** Outputs returned in this stream. */
  private produced = 0;
  /** Padded input index of kernel.input[0] (padded index = input index + half - 1). */
  private base = 0;
  /** Samples held in kernel.input. */
  private fill = 0;
  /** Zeros appended after the input by flush(). */
  private zeros = 0;

  constructor(fromRate: number, toRate: number, passbandHz: number | undefined, forceJs = false) {
    this.f = designFilter(fromRate, toRate, passbandHz);
    const { taps, L, M } = this.f;
    const inputCapacity = CHUNK + 2 * taps + Math.ceil(M / L) + 16;
    const outputCapacity = Math.ceil(((CHUNK + taps) * L) / M) + 16;
    this.kernel = createKernel(this.f, inputCapacity, outputCapacity, forceJs);
    this.reset();
  }

  private reset(): void {
    this.received = 0;
    this.zeros = 0;
    this.produced = 0;
    this.base = 0;
    this.fill = this.f.half - 1;
    this.kernel.input.fill(0, 0, this.fill);
  }

  /** Outputs computable once `received` inputs are in: those whose last tap is an input we have. */
  private ready(received: number): number {
    const { half, L, M } = this.f;
    if (received <= half) return 0;
    return Math.floor(((received - half) * L + M - 1) / M);
  }

  private append(src: Float32Array | null, count: number, into: Float32Array, at: number, limit: number): number {
    const x = this.kernel.input;
    if (src) x.set(src, this.fill);
    else x.fill(0, this.fill, this.fill + count);
    this.fill += count;
    if (src) this.received += count;
    else this.zeros += count;
    return this.compute(Math.min(limit, this.ready(this.received + this.zeros)), into, at);
  }

  /** Runs the kernel up to output `target` (absolute), copying into `into` at `at`; drops used input. */
  private compute(target: number, into: Float32Array, at: number): number {
    const { L, M } = this.f;
    const count = target - this.produced;
    if (count > 0) {
      const n = this.produced;
      const start = Math.floor((n * M) / L);
      const rem = n * M - start * L;
      this.kernel.run(start - this.base, count, rem);
      into.set(this.kernel.output.subarray(0, count), at);
      this.produced = target;
    }
    const next = Math.floor((this.produced * M) / L);
    const drop = Math.min(next - this.base, this.fill);
    if (drop > 0) {
      this.kernel.input.copyWithin(0, drop, this.fill);
      this.fill -= drop;
      this.base += drop;
    }
    return Math.max(0, count);
  }

  process(block: Float32Array): Float32Array {
    if (!block.length) return EMPTY;
    const out = new Float32Array(this.ready(this.received + block.length) - this.produced);
    let at = 0;
    for (let i = 0; i < block.length; i += CHUNK) {
      const part = block.subarray(i, Math.min(i + CHUNK, block.length));
      at += this.append(part, part.length, out, at, Infinity);
    }
    return out;
  }

  flush(): Float32Array {
    const { L, M } = this.f;
    // round(received * L / M) in exact integer arithmetic (half rounds up, as Math.round does).
    const total = Math.floor((2 * this.received * L + M) / (2 * M));
    const out = new Float32Array(Math.max(0, total - this.produced));
    let at = 0;
    while (this.produced < total) at += this.append(null, Math.min(CHUNK, this.f.taps + CHUNK / 2), out, at, total);
    this.reset();
    return out;
  }
}

class Identity implements Resampler {
  process(block: Float32Array): Float32Array {
    return block;
  }
  flush(): Float32Array {
    return EMPTY;
  }
}

/**
 * A streaming resampler between integer rates: windowed-sinc (Kaiser) polyphase, flat to 0.9 of the
 * lower Nyquist frequency, at least 80 dB down from the lower Nyquist frequency on; or, with
 * `passbandHz`, the analysis design (see ResampleOptions). Equal rates return blocks unchanged
 * (no copy) whatever the options.
 */
export function createResampler(fromRate: number, toRate: number, opts: ResampleOptions = {}): Resampler {
  if (fromRate === toRate) return identity(opts);
  return new PolyphaseResampler(fromRate, toRate, opts.passbandHz);
}

/** The plain-JavaScript kernel, for checking the WebAssembly one against. */
export function createJsResampler(fromRate: number, toRate: number, opts: ResampleOptions = {}): Resampler {
  if (fromRate === toRate) return identity(opts);
  return new PolyphaseResampler(fromRate, toRate, opts.passbandHz, true);
}

function identity(opts: ResampleOptions): Resampler {
  // The option is checked as for other rates (the rates themselves only when they differ).
  checkPassband(opts.passbandHz);
  return new Identity();
}

/** One-shot resampling of a whole signal; equals streaming it through createResampler. */
export function resample(input: Float32Array, fromRate: number, toRate: number, opts: ResampleOptions = {}): Float32Array {
  if (fromRate === toRate) {
    identity(opts);
    return input;
  }
  const r = createResampler(fromRate, toRate, opts);
  const head = r.process(input);
  const tail = r.flush();
  if (!tail.length) return head;
  const out = new Float32Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
