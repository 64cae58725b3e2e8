/**
 * Placing a sound on a take's timeline: fitting it to the take (rate, channels, length, fades) and
 * mixing it at a level relative to the take's loudness without clipping. Used by the layer strategy,
 * by audio2audio (the reference mixed in so the latent encoder sees it) and for adapter references.
 */
import { resample, toMono } from '../audio';
import type { DecodedAudio } from '../audio/types';

/** Peak ceiling of a mix (-0.2 dBFS): the sum is scaled down as a whole when it would go above. */
export const PEAK_CEILING = 0.977;
/** Loudness assumed for a take with nothing audible in it, as gated RMS (dBFS). */
const SILENT_TAKE_LEVEL_DB = -20;
/** Loudness blocks (seconds) and gates, after ITU-R BS.1770's gating (without its K-weighting). */
const BLOCK_SECONDS = 0.05;
const ABSOLUTE_GATE_DB = -70;
const RELATIVE_GATE_DB = -20;

export const dbToGain = (db: number): number => Math.pow(10, db / 20);
export const gainToDb = (g: number): number => 20 * Math.log10(g);

export function frames(audio: DecodedAudio): number {
  return audio.channels[0]?.length ?? 0;
}

/**
 * `count` channels from `channels`: mono is copied to every channel, several fold down to mono by
 * averaging, other counts take channel i from source i mod n (averaging the sources folded onto it).
 */
export function matchChannels(channels: Float32Array[], count: number): Float32Array[] {
  if (channels.length === count) return channels;
  if (count === 1) return [toMono(channels)];
  if (channels.length === 1) return Array.from({ length: count }, () => channels[0].slice());
  const len = channels[0].length;
  return Array.from({ length: count }, (_, i) => {
    const out = new Float32Array(len);
    let folded = 0;
    for (let c = i % channels.length; c < channels.length; c += count) {
      const src = channels[c];
      for (let k = 0; k < len; k++) out[k] += src[k];
      folded++;
    }
    if (folded > 1) for (let k = 0; k < len; k++) out[k] /= folded;
    return out;
  });
}

/** Linear fade-in and fade-out in place, each at most a quarter of the sound. */
export function applyFades(channels: Float32Array[], fadeFrames: number): void {
  const len = channels[0]?.length ?? 0;
  const n = Math.min(fadeFrames, Math.floor(len / 4));
  if (n < 1) return;
  for (const ch of channels) {
    for (let i = 0; i < n; i++) {
      const g = i / n;
      ch[i] *= g;
      ch[len - 1 - i] *= g;
    }
  }
}

/** Skips what comes before the first sample within `belowPeakDb` of the sound's peak (leading silence). */
export function trimLeadingSilence(audio: DecodedAudio, belowPeakDb = -40): DecodedAudio {
  const top = peak(audio);
  if (top === 0) return audio;
  const threshold = top * dbToGain(belowPeakDb);
  const n = frames(audio);
  let first = n;
  for (const ch of audio.channels) {
    for (let i = 0; i < Math.min(first, n); i++) {
      if (Math.abs(ch[i]) >= threshold) {
        first = i;
        break;
      }
    }
  }
  if (first === 0 || first >= n) return audio;
  return { sampleRate: audio.sampleRate, channels: audio.channels.map((c) => c.subarray(first)) };
}

export interface FitOptions {
  sampleRate: number;
  channels: number;
  /** Longest the fitted sound may be, seconds (the event's span). */
  maxSeconds: number;
  /** Fade-in/out length, seconds (clicks at the cut points otherwise). */
  fadeSeconds: number;
}

/** Resamples (full quality: the result is heard), matches channels, trims and fades a sound for a take. */
export function fitToTake(sound: DecodedAudio, opts: FitOptions): DecodedAudio {
  const maxIn = Math.ceil(opts.maxSeconds * sound.sampleRate) + 64;
  const trimmed = sound.channels.map((c) => (c.length > maxIn ? c.subarray(0, maxIn) : c));
  const resampled = trimmed.map((c) => resample(c, sound.sampleRate, opts.sampleRate));
  const maxOut = Math.max(0, Math.round(opts.maxSeconds * opts.sampleRate));
  const channels = matchChannels(resampled, opts.channels).map((c) => (c.length > maxOut ? c.slice(0, maxOut) : c.slice()));
  applyFades(channels, Math.round(opts.fadeSeconds * opts.sampleRate));
  return { sampleRate: opts.sampleRate, channels };
}

/**
 * Gated RMS of the audio (all channels), from 50 ms blocks: blocks below -70 dBFS are ignored, then
 * blocks 20 dB below the mean of the rest, so silence and quiet gaps do not pull the level down
 * (BS.1770's gating, without its K-weighting). 0 when nothing is audible.
 */
export function gatedRms(audio: DecodedAudio): number {
  return levelsOf(audio).rms;
}

/**
 * What mixing onto a take needs to know of it, from one pass: its gated RMS, and the peak of each
 * loudness block, so a mix's peak is found by scanning only the blocks a placement touched.
 */
export interface TakeLevels {
  /** gatedRms of the take. */
  rms: number;
  /** Frames per block. */
  block: number;
  /** Largest absolute sample of each block, all channels. */
  blockPeaks: Float32Array;
}

/**
 * Per-block sums a take's levels are made from, in one pass over the samples (the take writer's
 * worker makes them while it interleaves a take, see take-file-writer.ts). Block k's sum of squares
 * adds channel 0's samples in order, then channel 1's, and so on, whoever computes it, so the levels
 * are the same bit for bit.
 */
export interface BlockSums {
  /** Frames per block (blockFrames of the take's rate). */
  block: number;
  /** Sum of squared samples of each block, all channels. */
  squares: Float64Array;
  /** Largest absolute sample of each block, all channels. */
  peaks: Float32Array;
}

export function blockFrames(sampleRate: number): number {
  return Math.max(1, Math.round(BLOCK_SECONDS * sampleRate));
}

export function blockSums(audio: DecodedAudio): BlockSums {
  const n = frames(audio);
  const block = blockFrames(audio.sampleRate);
  const blocks = Math.ceil(n / block);
  const squares = new Float64Array(blocks);
  const peaks = new Float32Array(blocks);
  for (let k = 0; k < blocks; k++) {
    const b = k * block;
    const e = Math.min(n, b + block);
    let sum = 0;
    let hi = 0;
    let lo = 0;
    for (const ch of audio.channels) {
      for (let i = b; i < e; i++) {
        const v = ch[i];
        sum += v * v;
        if (v > hi) hi = v;
        else if (v < lo) lo = v;
      }
    }
    squares[k] = sum;
    peaks[k] = hi >= -lo ? hi : -lo;
  }
  return { block, squares, peaks };
}

export function levelsOf(audio: DecodedAudio): TakeLevels {
  return levelsFromSums(blockSums(audio), frames(audio), audio.channels.length);
}

/** A take's levels from its block sums (`n` frames of `channels` channels). */
export function levelsFromSums({ block, squares, peaks }: BlockSums, n: number, channels: number): TakeLevels {
  const powers = new Float64Array(squares.length);
  for (let k = 0; k < squares.length; k++) powers[k] = squares[k] / ((Math.min(n, (k + 1) * block) - k * block) * channels);
  return { rms: gateBlocks(powers), block, blockPeaks: peaks };
}

/** Gated RMS from block powers (mean squares), in block order. */
function gateBlocks(powers: Float64Array): number {
  const abs = dbToGain(ABSOLUTE_GATE_DB) ** 2;
  let loudSum = 0;
  let loudCount = 0;
  for (let k = 0; k < powers.length; k++) {
    if (powers[k] > abs) {
      loudSum += powers[k];
      loudCount++;
    }
  }
  if (!loudCount) return 0;
  const rel = (loudSum / loudCount) * dbToGain(RELATIVE_GATE_DB) ** 2;
  let keptSum = 0;
  let keptCount = 0;
  for (let k = 0; k < powers.length; k++) {
    if (powers[k] > abs && powers[k] > rel) {
      keptSum += powers[k];
      keptCount++;
    }
  }
  return Math.sqrt(keptSum / keptCount);
}

export function peak(audio: DecodedAudio): number {
  let p = 0;
  for (const ch of audio.channels) p = Math.max(p, peakOf(ch, 0, ch.length));
  return p;
}

/** Largest absolute sample of ch[from, to). */
function peakOf(ch: Float32Array, from: number, to: number): number {
  let hi = 0;
  let lo = 0;
  for (let i = from; i < to; i++) {
    const v = ch[i];
    if (v > hi) hi = v;
    else if (v < lo) lo = v;
  }
  return hi >= -lo ? hi : -lo;
}

/** A sound to place: already fitted to the take (fitToTake), starting at `at` seconds. */
export interface Placement {
  sound: DecodedAudio;
  at: number;
  /** Level relative to the mix's `levelDb`, dB (recovery places a sound that did not register louder). */
  gainDb?: number;
}

export interface MixResult {
  audio: DecodedAudio;
  /** Gain applied to each placement, in order. */
  gains: number[];
  /** Gain applied to the whole sum to keep it under PEAK_CEILING (1 when none was needed). */
  ceilingGain: number;
}

/**
 * Mixes placed sounds into a copy of the take (the take itself is never changed): each is set to the
 * take's gated loudness plus `levelDb` (a missing event should sit in the scene, a little under it),
 * and if the sum would clip, the whole mix is scaled down to PEAK_CEILING. `levels` gives levelsOf
 * the take and of each sound (a cache passes its own, so what was measured once is not measured again).
 */
export function mixPlacements(
  take: DecodedAudio,
  placements: readonly Placement[],
  levelDb: number,
  levels: (audio: DecodedAudio) => TakeLevels = levelsOf,
): MixResult {
  const { rms: takeRms, block, blockPeaks } = levels(take);
  const target = (takeRms > 0 ? takeRms : dbToGain(SILENT_TAKE_LEVEL_DB)) * dbToGain(levelDb);
  const out = take.channels.map((c) => new Float32Array(c));
  const n = frames(take);
  // Per block, what placements may add to its peak (0: untouched, the take's block peak holds).
  const added = new Float64Array(blockPeaks.length);
  const gains: number[] = [];
  for (const { sound, at, gainDb = 0 } of placements) {
    const soundLevels = levels(sound);
    const gain = soundLevels.rms > 0 ? (target * dbToGain(gainDb)) / soundLevels.rms : 0;
    gains.push(gain);
    const most = gain * maxOf(soundLevels.blockPeaks);
    const offset = Math.round(at * take.sampleRate);
    const start = Math.max(0, offset);
    for (let c = 0; c < out.length; c++) {
      const src = sound.channels[Math.min(c, sound.channels.length - 1)];
      addScaled(out[c], src, gain, start, Math.min(n, offset + src.length), offset);
    }
    const end = Math.min(n, offset + Math.max(0, ...sound.channels.map((c) => c.length)));
    for (let k = Math.floor(start / block); k * block < end; k++) added[k] += most;
  }
  const ceilingGain = mixPeakOverCeiling(out, blockPeaks, added, block, n);
  if (ceilingGain !== 1) for (const ch of out) for (let i = 0; i < ch.length; i++) ch[i] *= ceilingGain;
  return { audio: { sampleRate: take.sampleRate, channels: out }, gains, ceilingGain };
}

/**
 * The gain that brings the mix's peak down to PEAK_CEILING, or 1 when it does not exceed it. The
 * peak is exact, but only where needed: a block's take peak plus what placements add bounds the
 * block's peak, and when no bound reaches the ceiling (less a margin for float32 rounding of the
 * sums) the mix cannot clip, so no sample is scanned. Otherwise the touched blocks are scanned.
 */
function mixPeakOverCeiling(out: Float32Array[], blockPeaks: Float32Array, added: Float64Array, block: number, n: number): number {
  let bound = 0;
  for (let k = 0; k < blockPeaks.length; k++) bound = Math.max(bound, blockPeaks[k] + added[k]);
  if (bound <= PEAK_CEILING * (1 - 1e-5)) return 1;
  let p = 0;
  for (let k = 0; k < blockPeaks.length; k++) {
    if (added[k] === 0) {
      if (blockPeaks[k] > p) p = blockPeaks[k];
      continue;
    }
    const b = k * block;
    const e = Math.min(n, b + block);
    for (const ch of out) p = Math.max(p, peakOf(ch, b, e));
  }
  return p > PEAK_CEILING ? PEAK_CEILING / p : 1;
}

function maxOf(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  return m;
}

/** out[i] += gain * src[i - offset] for i in [start, end). */
function addScaled(out: Float32Array, src: Float32Array, gain: number, start: number, end: number, offset: number): void {
  for (let i = start; i < end; i++) out[i] += gain * src[i - offset];
}
