/**
 * Loudness per ITU-R BS.1770-4 and EBU R128 / Tech 3341 / Tech 3342: integrated loudness, loudness
 * range, maximum momentary and short-term loudness, sample peak and true peak.
 *
 * Everything is built on 100 ms segments: momentary (400 ms) blocks are 4 segments with 75% overlap,
 * short-term (3 s) blocks 30 segments moved 100 ms at a time (ffmpeg's ebur128 practice; Tech 3342
 * asks for at least 10 updates a second). A trailing partial segment is not measured.
 */
import { CuebankError } from '../errors';
import { KWeightingFilter } from './k-weighting';
import { integratedLoudness, loudnessRange, maxLoudness } from './loudness-gating';
import { decodeFile } from './read';
import { TruePeakDetector } from './true-peak';
import type { DecodedAudio } from './types';

/** LUFS (integrated, momentaryMax, shortTermMax), LU (range), dBTP (truePeak), dBFS (samplePeak); null where undefined. */
export interface LoudnessReport {
  integrated: number | null;
  range: number | null;
  truePeak: number | null;
  samplePeak: number | null;
  momentaryMax: number | null;
  shortTermMax: number | null;
}

const MOMENTARY_SEGMENTS = 4;
const SHORT_TERM_SEGMENTS = 30;
const SURROUND = 1.41;

/**
 * BS.1770 channel weights by channel count, in WAV/SMPTE order: L R C 1.0, surrounds 1.41, LFE 0
 * (5.1 = L R C LFE Ls Rs; 7.1 = L R C LFE Lrs Rrs Lss Rss). Mono is one channel of weight 1.
 */
export function channelWeights(count: number): number[] {
  switch (count) {
    case 5:
      return [1, 1, 1, SURROUND, SURROUND];
    case 6:
      return [1, 1, 1, 0, SURROUND, SURROUND];
    case 8:
      return [1, 1, 1, 0, SURROUND, SURROUND, SURROUND, SURROUND];
    default:
      return Array.from({ length: count }, () => 1);
  }
}

const toDb = (amplitude: number): number | null => (amplitude > 0 ? 20 * Math.log10(amplitude) : null);

/** Streaming meter: push planar channel blocks of any length, then read the report (as often as wanted). */
export class LoudnessMeter {
  private readonly weights: number[];
  private readonly filters: (KWeightingFilter | null)[];
  private readonly peaks: TruePeakDetector[];
  /** Samples per 100 ms segment. */
  private readonly hop: number;
  /** Per channel: sum of squared K-weighted samples in the open segment. */
  private readonly open: Float64Array;
  private filled = 0;
  /** Channel-weighted sums of squares of each closed segment. */
  private readonly segments: number[] = [];
  private readonly momentary: number[] = [];
  private readonly shortTerm: number[] = [];
  private samplePeak = 0;

  constructor(
    readonly sampleRate: number,
    readonly channels: number,
  ) {
    if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`A loudness meter needs at least one channel (got ${channels})`);
    this.weights = channelWeights(channels);
    this.filters = this.weights.map((w) => (w ? new KWeightingFilter(sampleRate) : null));
    this.peaks = this.weights.map(() => new TruePeakDetector(sampleRate));
    this.hop = Math.max(1, Math.round(sampleRate / 10));
    this.open = new Float64Array(channels);
  }

  push(block: Float32Array[]): void {
    if (block.length !== this.channels) throw new RangeError(`Expected ${this.channels} channels, got ${block.length}`);
    const frames = block[0].length;
    if (block.some((c) => c.length !== frames)) throw new RangeError('All channels of a block must have the same length');
    for (let c = 0; c < this.channels; c++) {
      const samples = block[c];
      let peak = this.samplePeak;
      for (let i = 0; i < frames; i++) {
        const a = Math.abs(samples[i]);
        if (a > peak) peak = a;
      }
      this.samplePeak = peak;
      this.peaks[c].push(samples);
    }
    let at = 0;
    while (at < frames) {
      const take = Math.min(frames - at, this.hop - this.filled);
      for (let c = 0; c < this.channels; c++) {
        const filter = this.filters[c];
        if (filter) this.open[c] = filter.sumSquares(block[c], at, at + take, this.open[c]);
      }
      at += take;
      this.filled += take;
      if (this.filled === this.hop) this.closeSegment();
    }
  }

  report(): LoudnessReport {
    const truePeak = Math.max(...this.peaks.map((p) => p.peak()));
    // Decoding zeroes samples that are not audio (sample-guard.ts); a caller pushing its own
    // blocks may not have, and a measure that is not a number is reported as unmeasured.
    const finite = (v: number | null) => (v !== null && Number.isFinite(v) ? v : null);
    return {
      integrated: finite(integratedLoudness(this.momentary)),
      range: finite(loudnessRange(this.shortTerm)),
      truePeak: finite(toDb(truePeak)),
      samplePeak: finite(toDb(this.samplePeak)),
      momentaryMax: finite(maxLoudness(this.momentary)),
      shortTermMax: finite(maxLoudness(this.shortTerm)),
    };
  }

  private closeSegment(): void {
    let sum = 0;
    for (let c = 0; c < this.channels; c++) {
      sum += this.weights[c] * this.open[c];
      this.open[c] = 0;
      this.filters[c]?.flushTinyState();
    }
    this.filled = 0;
    this.segments.push(sum);
    const n = this.segments.length;
    if (n >= MOMENTARY_SEGMENTS) this.momentary.push(this.blockPower(n, MOMENTARY_SEGMENTS));
    if (n >= SHORT_TERM_SEGMENTS) this.shortTerm.push(this.blockPower(n, SHORT_TERM_SEGMENTS));
  }

  /** Mean weighted power of the `count` segments ending with segment n − 1. */
  private blockPower(n: number, count: number): number {
    let sum = 0;
    for (let i = n - count; i < n; i++) sum += this.segments[i];
    return sum / (count * this.hop);
  }
}

/** BS.1770's K-weighting filters are defined only above this rate (k-weighting.ts checks it too). */
const MIN_LOUDNESS_RATE = 3364;

/** Loudness of a whole decoded signal (all its channels). */
export function measureLoudness(audio: DecodedAudio): LoudnessReport {
  if (audio.sampleRate < MIN_LOUDNESS_RATE) {
    throw new CuebankError(
      'unsupported',
      `Loudness cannot be measured at ${audio.sampleRate} samples per second: the ITU-R BS.1770 filters need at least ${MIN_LOUDNESS_RATE}`,
    );
  }
  const meter = new LoudnessMeter(audio.sampleRate, audio.channels.length);
  meter.push(audio.channels);
  return meter.report();
}

/** Decodes a file (any format decodeFile reads) and measures all its channels. */
export async function measureFileLoudness(file: string): Promise<LoudnessReport> {
  const { audio } = await decodeFile(file);
  return measureLoudness(audio);
}
