export interface AudioWindow {
  /** Seconds from the start of the file. */
  start: number;
  end: number;
  samples: Float32Array;
}

/** A tail shorter than this after the last full window is not worth its own window. */
const MIN_TAIL_SECONDS = 0.1;

/**
 * Cuts a mono stream into the model's windows, deterministically: full windows every `hop`
 * seconds from 0, then one window aligned to the end of the sound if a tail is left over, so every
 * second is covered and the same file always gives the same windows (CLAP's own random crop
 * never runs). A sound shorter than one window is one window of its own length. Holds at most
 * about one window plus one block in memory, whatever the file's length.
 */
export class WindowPlanner {
  private readonly length: number;
  private readonly hop: number;
  private buffer = new Float32Array(0);
  /** Blocks not yet joined into `buffer`. */
  private pending: Float32Array[] = [];
  private pendingLength = 0;
  /** Absolute sample index of buffer[0]. */
  private bufferStart = 0;
  /** Samples received so far. */
  private received = 0;
  /** Start of the next full window. */
  private nextStart = 0;
  private emitted = 0;

  constructor(
    private readonly sampleRate: number,
    windowSeconds: number,
    hopSeconds: number | null,
  ) {
    this.length = Math.round(windowSeconds * sampleRate);
    const hop = Math.round((hopSeconds ?? windowSeconds) * sampleRate);
    this.hop = Math.max(1, Math.min(hop, this.length));
  }

  push(block: Float32Array): AudioWindow[] {
    if (block.length === 0) return [];
    this.pending.push(block);
    this.pendingLength += block.length;
    this.received += block.length;
    if (this.nextStart + this.length > this.received) return [];

    // Enough for at least one window: join what is held once, cut, keep only what later windows need.
    this.consolidate();
    const out: AudioWindow[] = [];
    while (this.nextStart + this.length <= this.received) {
      out.push(this.cut(this.nextStart, this.nextStart + this.length));
      this.nextStart += this.hop;
    }
    const keepFrom = Math.max(this.bufferStart, Math.min(this.nextStart, this.received - this.length));
    if (keepFrom > this.bufferStart) {
      this.buffer = this.buffer.slice(keepFrom - this.bufferStart);
      this.bufferStart = keepFrom;
    }
    return out;
  }

  finish(): AudioWindow[] {
    if (this.received === 0) return [];
    this.consolidate();
    if (this.emitted === 0) return [this.cut(0, this.received)];
    const lastEnd = this.nextStart - this.hop + this.length;
    const tail = this.received - lastEnd;
    if (tail / this.sampleRate < MIN_TAIL_SECONDS) return [];
    return [this.cut(this.received - this.length, this.received)];
  }

  /** Appends the blocks received since the last window to the buffer, copying each sample once. */
  private consolidate(): void {
    if (!this.pending.length) return;
    const merged = new Float32Array(this.buffer.length + this.pendingLength);
    merged.set(this.buffer, 0);
    let o = this.buffer.length;
    for (const b of this.pending) {
      merged.set(b, o);
      o += b.length;
    }
    this.buffer = merged;
    this.pending = [];
    this.pendingLength = 0;
  }

  private cut(from: number, to: number): AudioWindow {
    this.emitted++;
    return {
      start: from / this.sampleRate,
      end: to / this.sampleRate,
      samples: this.buffer.slice(from - this.bufferStart, to - this.bufferStart),
    };
  }
}
