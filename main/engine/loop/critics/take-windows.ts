import { resample, toMono } from '../../audio';
import type { DecodedAudio } from '../../audio/types';
import { CuebankError } from '../../errors';

/** The time grid both critics report their curves on: window i covers [i*hop, i*hop + window) s. */
export interface CurveGrid {
  readonly window: number;
  readonly hop: number;
  /** Windows in the take: the last one may run past its end. */
  readonly count: number;
}

export function curveGrid(durationSeconds: number, window: number, hop: number): CurveGrid {
  if (!(window > 0) || !(hop > 0)) throw new CuebankError('invalid_input', `Critic window and hop must be positive (got ${window} s, ${hop} s).`);
  const count = durationSeconds <= window ? 1 : Math.ceil((durationSeconds - window) / hop - 1e-9) + 1;
  return { window, hop, count };
}

export function takeSeconds(take: DecodedAudio): number {
  return (take.channels[0]?.length ?? 0) / take.sampleRate;
}

/**
 * The take as mono at `rate` cut on the grid. The last window is cut short at the take's end
 * rather than padded: the embedder pads the way its model was trained to.
 */
export function cutTake(take: DecodedAudio, rate: number, grid: CurveGrid, passbandHz?: number): Float32Array[] {
  if (!take.channels.length || !take.channels[0].length) throw new CuebankError('invalid_input', 'The take has no audio to critique.');
  const mono = toMono(take.channels);
  const samples = take.sampleRate === rate ? mono : resample(mono, take.sampleRate, rate, passbandHz ? { passbandHz } : {});
  const len = Math.round(grid.window * rate);
  const out: Float32Array[] = [];
  for (let i = 0; i < grid.count; i++) {
    const a = Math.min(Math.round(i * grid.hop * rate), Math.max(0, samples.length - 1));
    out.push(samples.subarray(a, Math.min(samples.length, a + len)));
  }
  return out;
}

/**
 * Indices of the windows that look at an event's span: those whose centre lies inside it, or, for
 * a span shorter than the hop, the window whose centre is nearest the span's centre.
 */
export function windowsInSpan(grid: CurveGrid, start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < grid.count; i++) {
    const centre = i * grid.hop + grid.window / 2;
    if (centre >= start && centre < end) out.push(i);
  }
  if (out.length) return out;
  const mid = (start + end) / 2;
  let best = 0;
  for (let i = 1; i < grid.count; i++) {
    if (Math.abs(i * grid.hop + grid.window / 2 - mid) < Math.abs(best * grid.hop + grid.window / 2 - mid)) best = i;
  }
  return [best];
}
