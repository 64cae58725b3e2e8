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
  let peak = 0;
  for (const ch of audio.channels) for (let i = 0; i < ch.length; i++) peak = Math.max(peak, Math.abs(ch[i]));
  if (peak === 0) return audio;
  const threshold = peak * dbToGain(belowPeakDb);
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
  const n = frames(audio);
  const block = Math.max(1, Math.round(BLOCK_SECONDS * audio.sampleRate));
  const powers: number[] = [];
  for (let b = 0; b < n; b += block) {
    const e = Math.min(n, b + block);
    let sum = 0;
    for (const ch of audio.channels) for (let i = b; i < e; i++) sum += ch[i] * ch[i];
    powers.push(sum / ((e - b) * audio.channels.length));
  }
  const abs = dbToGain(ABSOLUTE_GATE_DB) ** 2;
  const loud = powers.filter((p) => p > abs);
  if (!loud.length) return 0;
  const mean = loud.reduce((s, p) => s + p, 0) / loud.length;
  const rel = mean * dbToGain(RELATIVE_GATE_DB) ** 2;
  const kept = loud.filter((p) => p > rel);
  return Math.sqrt(kept.reduce((s, p) => s + p, 0) / kept.length);
}

export function peak(audio: DecodedAudio): number {
  let p = 0;
  for (const ch of audio.channels) for (let i = 0; i < ch.length; i++) p = Math.max(p, Math.abs(ch[i]));
  return p;
}

/** A sound to place: already fitted to the take (fitToTake), starting at `at` seconds. */
export interface Placement {
  sound: DecodedAudio;
  at: number;
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
 * and if the sum would clip, the whole mix is scaled down to PEAK_CEILING.
 */
export function mixPlacements(take: DecodedAudio, placements: readonly Placement[], levelDb: number): MixResult {
  const takeRms = gatedRms(take);
  const target = (takeRms > 0 ? takeRms : dbToGain(SILENT_TAKE_LEVEL_DB)) * dbToGain(levelDb);
  const out = take.channels.map((c) => c.slice());
  const n = frames(take);
  const gains = placements.map(({ sound, at }) => {
    const rms = gatedRms(sound);
    const gain = rms > 0 ? target / rms : 0;
    const offset = Math.round(at * take.sampleRate);
    for (let c = 0; c < out.length; c++) {
      const src = sound.channels[Math.min(c, sound.channels.length - 1)];
      const start = Math.max(0, offset);
      const end = Math.min(n, offset + src.length);
      for (let i = start; i < end; i++) out[c][i] += gain * src[i - offset];
    }
    return gain;
  });
  const mixed = { sampleRate: take.sampleRate, channels: out };
  const p = peak(mixed);
  const ceilingGain = p > PEAK_CEILING ? PEAK_CEILING / p : 1;
  if (ceilingGain !== 1) for (const ch of out) for (let i = 0; i < ch.length; i++) ch[i] *= ceilingGain;
  return { audio: mixed, gains, ceilingGain };
}
