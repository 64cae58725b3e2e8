/**
 * Audio going into a pack's encoders: resampled to the pack's rate, matched to its channel count,
 * and laid on a timeline of the latent's length. The caller's audio is never modified.
 */
import { resample } from '../../audio';
import type { DecodedAudio } from '../../audio/types';
import type { ConditioningReference } from './types';

/** Channels of `audio` at `sampleRate` and `channels` (mono is copied; extra channels are folded in). */
export function conform(audio: DecodedAudio, sampleRate: number, channels: number): Float32Array[] {
  const src = audio.channels.length ? audio.channels : [new Float32Array(0)];
  const at = audio.sampleRate === sampleRate ? src : src.map((c) => resample(c, audio.sampleRate, sampleRate));
  if (at.length === channels) return at;
  if (channels === 1) {
    const m = new Float32Array(at[0].length);
    for (const c of at) for (let i = 0; i < m.length; i++) m[i] += c[i] / at.length;
    return [m];
  }
  // Fewer channels: repeat them; more: fold the extra ones onto the first `channels` evenly.
  return Array.from({ length: channels }, (_, k) => {
    const out = new Float32Array(at[0].length);
    const mine = at.filter((_, j) => j % channels === k);
    const from = mine.length ? mine : [at[k % at.length]];
    for (const c of from) for (let i = 0; i < out.length; i++) out[i] += c[i] / from.length;
    return out;
  });
}

/** An empty take-length buffer laid out as the encoders take it: [1, channels, samples], channel after channel. */
export function timeline(channels: number, samples: number): Float32Array {
  return new Float32Array(channels * samples);
}

/** Adds planar `audio` × gain into a timeline buffer from sample `offset` on, cut at its end. */
export function addAt(buffer: Float32Array, samples: number, audio: Float32Array[], offset: number, gain = 1): void {
  audio.forEach((ch, c) => {
    const row = c * samples;
    for (let i = Math.max(0, -offset); i < ch.length && offset + i < samples; i++) buffer[row + offset + i] += gain * ch[i];
  });
}

/**
 * One timeline holding every reference at its start. The features are computed once, so one λ goes
 * with them: references asking for less than the largest λ are mixed in proportionally quieter.
 */
export function referenceTimeline(
  refs: readonly ConditioningReference[],
  sampleRate: number,
  channels: number,
  samples: number,
): { buffer: Float32Array; strength: number } {
  const buffer = timeline(channels, samples);
  const strength = Math.max(0, ...refs.map((r) => r.strength));
  if (strength === 0) return { buffer, strength };
  for (const r of refs) {
    addAt(buffer, samples, conform(r.audio, sampleRate, channels), Math.round(r.start * sampleRate), r.strength / strength);
  }
  return { buffer, strength };
}
