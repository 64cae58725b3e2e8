import type { ExportSettings, FadeCurve } from '../../../preload/contract/projects';
import { LoudnessMeter, type LoudnessReport } from '../audio/loudness';
import { toMono } from '../audio/mixdown';
import { createResampler } from '../audio/resample';
import type { DecodedAudio } from '../audio/types';
import { CuebankError } from '../errors';

/**
 * The export processing chain, in this order:
 *   item window and trim → channel mode → item fades → resample to the target rate (and the
 *   variation's speed change) → silence trim → export fades → normalise (peak or loudness with a
 *   true-peak ceiling), measured on the audio exactly as it goes to the encoder.
 * Everything is planar float; the encoder quantises (with dither) at the end. Long steps work in
 * blocks and yield between them, so a cancel lands within one block.
 */

/** An item's own edits (seconds, relative to its window when it has one). */
export interface ItemEdits {
  window: { start: number; end: number } | null;
  trimIn: number;
  trimOut: number | null;
  fadeIn: number;
  fadeOut: number;
  fadeInCurve: FadeCurve;
  fadeOutCurve: FadeCurve;
}

export interface ProcessedAudio {
  audio: DecodedAudio;
  /** Of `audio`, as encoded (after gain). */
  loudness: LoudnessReport;
  gainDb: number;
  ceilingLimited: boolean;
  /** Why normalisation did not apply, when it did not (e.g. too short for gated loudness). */
  note: string | null;
}

/** Samples per block between cancellation checks. */
const BLOCK = 1 << 16;

const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await yieldToEvents();
  if (signal?.aborted) throw new CuebankError('cancelled', 'Export cancelled');
}

export async function processAudio(
  source: DecodedAudio,
  edits: ItemEdits,
  settings: ExportSettings,
  speed: number,
  signal?: AbortSignal,
): Promise<ProcessedAudio> {
  let audio = cutRegion(source, edits);
  if (!frames(audio)) throw new CuebankError('invalid_input', 'The trimmed region is empty');
  audio = convertChannels(audio, settings.channels);
  applyFades(audio, edits.fadeIn, edits.fadeOut, edits.fadeInCurve, edits.fadeOutCurve);
  audio = await resampleAudio(audio, settings.sampleRate, speed, signal);
  if (settings.trimSilenceDb !== null) {
    audio = trimSilence(audio, settings.trimSilenceDb);
    if (!frames(audio)) throw new CuebankError('invalid_input', `The audio is entirely below the silence threshold (${settings.trimSilenceDb} dBFS)`);
  }
  applyFades(audio, settings.fadeIn, settings.fadeOut, 'linear', 'linear');
  return normalize(audio, settings.normalize, signal);
}

export function frames(audio: DecodedAudio): number {
  return audio.channels.length ? audio.channels[0].length : 0;
}

/** The item's window, then its trim points; views into the source (no copy until a later step writes). */
export function cutRegion(audio: DecodedAudio, edits: Pick<ItemEdits, 'window' | 'trimIn' | 'trimOut'>): DecodedAudio {
  const sr = audio.sampleRate;
  const total = frames(audio);
  const winStart = edits.window ? Math.round(edits.window.start * sr) : 0;
  const winEnd = edits.window ? Math.round(edits.window.end * sr) : total;
  const start = clamp(winStart + Math.round(edits.trimIn * sr), 0, total);
  const end = clamp(edits.trimOut === null ? winEnd : Math.min(winEnd, winStart + Math.round(edits.trimOut * sr)), start, total);
  return { sampleRate: sr, channels: audio.channels.map((c) => c.slice(start, end)) };
}

/**
 * mono: the average of all channels. stereo: mono is duplicated; more than two channels fold
 * (even channels average into left, odd into right). keep: unchanged.
 */
export function convertChannels(audio: DecodedAudio, mode: ExportSettings['channels']): DecodedAudio {
  const n = audio.channels.length;
  if (mode === 'keep' || (mode === 'mono' && n === 1) || (mode === 'stereo' && n === 2)) return audio;
  if (mode === 'mono') return { sampleRate: audio.sampleRate, channels: [toMono(audio.channels)] };
  if (n === 1) return { sampleRate: audio.sampleRate, channels: [audio.channels[0], audio.channels[0].slice()] };
  const left = toMono(audio.channels.filter((_, i) => i % 2 === 0));
  const right = toMono(audio.channels.filter((_, i) => i % 2 === 1));
  return { sampleRate: audio.sampleRate, channels: [left, right] };
}

/** Gain of a fade-in at t ∈ [0, 1] (a fade-out uses 1 − t). */
export function fadeGain(curve: FadeCurve, t: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return 1;
  if (curve === 'equalPower') return Math.sin((t * Math.PI) / 2);
  // Linear in dB over 60 dB, shifted to start at exactly 0.
  if (curve === 'exponential') return (Math.pow(1000, t) - 1) / 999;
  return t;
}

/** Fades in place; each is at most the whole length, and overlapping fades multiply. */
export function applyFades(audio: DecodedAudio, fadeIn: number, fadeOut: number, inCurve: FadeCurve, outCurve: FadeCurve): void {
  const n = frames(audio);
  const fin = Math.min(n, Math.round(fadeIn * audio.sampleRate));
  const fout = Math.min(n, Math.round(fadeOut * audio.sampleRate));
  // Channels may share one buffer (mono duplicated to stereo): scale each buffer once.
  const buffers = [...new Set(audio.channels)];
  for (let i = 0; i < fin; i++) {
    const g = fadeGain(inCurve, i / fin);
    for (const c of buffers) c[i] *= g;
  }
  for (let i = 0; i < fout; i++) {
    // The last sample reaches zero.
    const g = fadeGain(outCurve, i / fout);
    for (const c of buffers) c[n - 1 - i] *= g;
  }
}

/**
 * To `toRate` with the high-quality polyphase resampler. `speed` ≠ 1 plays the audio faster or
 * slower (pitch and length together): the input is treated as if recorded at rate·speed.
 */
export async function resampleAudio(audio: DecodedAudio, toRate: number, speed: number, signal?: AbortSignal): Promise<DecodedAudio> {
  // Integer rates with the same ratio: from·speed → to, speed a whole number of percent.
  const pct = Math.round(speed * 100);
  if (Math.abs(pct / 100 - speed) > 1e-9) throw new CuebankError('internal', `Variation speed ${speed} is not a whole percent`);
  const from = audio.sampleRate * pct;
  const to = toRate * 100;
  if (from === to) return { sampleRate: toRate, channels: audio.channels };
  const unique = [...new Set(audio.channels)];
  const results = new Map<Float32Array, Float32Array>();
  for (const input of unique) {
    const r = createResampler(from, to);
    const parts: Float32Array[] = [];
    for (let at = 0; at < input.length; at += BLOCK) {
      parts.push(r.process(input.subarray(at, at + BLOCK)).slice());
      await checkpoint(signal);
    }
    parts.push(r.flush().slice());
    results.set(input, concat(parts));
  }
  return { sampleRate: toRate, channels: audio.channels.map((c) => results.get(c)!) };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Drops head and tail where every channel is below `thresholdDb` (sample level, dBFS). */
export function trimSilence(audio: DecodedAudio, thresholdDb: number): DecodedAudio {
  const thr = Math.pow(10, thresholdDb / 20);
  const n = frames(audio);
  const loud = (i: number) => audio.channels.some((c) => Math.abs(c[i]) >= thr);
  let start = 0;
  while (start < n && !loud(start)) start++;
  let end = n;
  while (end > start && !loud(end - 1)) end--;
  if (start === 0 && end === n) return audio;
  return { sampleRate: audio.sampleRate, channels: audio.channels.map((c) => c.slice(start, end)) };
}

export async function measure(audio: DecodedAudio, signal?: AbortSignal): Promise<LoudnessReport> {
  const meter = new LoudnessMeter(audio.sampleRate, audio.channels.length);
  const n = frames(audio);
  for (let at = 0; at < n; at += BLOCK) {
    meter.push(audio.channels.map((c) => c.subarray(at, Math.min(n, at + BLOCK))));
    if (n > BLOCK) await checkpoint(signal);
  }
  return meter.report();
}

export function applyGain(audio: DecodedAudio, gainDb: number): void {
  if (gainDb === 0) return;
  const g = Math.pow(10, gainDb / 20);
  for (const c of new Set(audio.channels)) for (let i = 0; i < c.length; i++) c[i] *= g;
}

/**
 * Peak: sample peak to the target. Loudness: integrated loudness to the target, with the gain
 * lowered where it would lift the true peak over the ceiling (no limiter: the file is then quieter
 * than the target, and says so). The loudness reported is measured again after the gain.
 */
export async function normalize(audio: DecodedAudio, n: ExportSettings['normalize'], signal?: AbortSignal): Promise<ProcessedAudio> {
  const before = await measure(audio, signal);
  if (n.mode === 'none') return { audio, loudness: before, gainDb: 0, ceilingLimited: false, note: null };
  let gainDb = 0;
  let ceilingLimited = false;
  let note: string | null = null;
  if (n.mode === 'peak') {
    if (before.samplePeak === null || !Number.isFinite(before.samplePeak)) note = 'silent: not normalised';
    else gainDb = n.peakDb - before.samplePeak;
  } else if (before.integrated === null || !Number.isFinite(before.integrated)) {
    note = 'no gated loudness (silent or shorter than 0.4 s): not normalised';
  } else {
    gainDb = n.lufs - before.integrated;
    if (before.truePeak !== null && before.truePeak + gainDb > n.truePeakDb) {
      gainDb = n.truePeakDb - before.truePeak;
      ceilingLimited = true;
      note = `true-peak ceiling ${n.truePeakDb} dBTP limits the gain: ${(before.integrated + gainDb).toFixed(1)} LUFS instead of ${n.lufs}`;
    }
  }
  if (gainDb === 0) return { audio, loudness: before, gainDb, ceilingLimited, note };
  applyGain(audio, gainDb);
  return { audio, loudness: await measure(audio, signal), gainDb, ceilingLimited, note };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}
