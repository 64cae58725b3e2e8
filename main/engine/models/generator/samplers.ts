/**
 * The two samplers, over any process and parametrisation (see process.ts):
 *   euler:    x_next = α(t_next)·x̂0 + σ(t_next)·ε̂  — for rectified flow exactly x + (t_next - t)·v,
 *             the Euler step of the probability-flow ODE (DDIM for the cosine process);
 *   pingpong: x_next = α(t_next)·x̂0 + σ(t_next)·z with fresh z from the seeded noise — Stable Audio
 *             Open Small's sampler: predict the clean latent, then re-noise it to the next t.
 * Cancellation is checked before every step; onStep reports each finished step.
 */
import { CuebankError } from '../../errors';
import { splitPrediction, type DiffusionProcess, type PredictionKind } from './process';
import type { GaussianNoise } from './rng';
import type { SamplerName } from './types';

/** The (guided) denoiser: its prediction at (x, t), in the pack's parametrisation. */
export type DenoiseFn = (x: Float32Array, t: number) => Promise<Float32Array>;

export interface SampleOptions {
  sampler: SamplerName;
  process: DiffusionProcess;
  prediction: PredictionKind;
  /** Decreasing times, first the start (x's noise level), last 0. */
  timesteps: readonly number[];
  denoise: DenoiseFn;
  /** Fresh noise for ping-pong; drawn from after the initial noise, so a seed fixes the whole take. */
  noise: GaussianNoise;
  signal?: AbortSignal;
  onStep?: (step: number, total: number) => void;
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CuebankError('cancelled', 'Generation was cancelled');
}

/** Runs the sampler from x (at timesteps[0]) to t = 0 and returns the clean latent (x is not modified). */
export async function sample(x: Float32Array, o: SampleOptions): Promise<Float32Array> {
  const total = o.timesteps.length - 1;
  let cur = Float32Array.from(x);
  const x0 = new Float32Array(x.length);
  const eps = new Float32Array(x.length);
  for (let i = 0; i < total; i++) {
    throwIfCancelled(o.signal);
    const t = o.timesteps[i];
    const tNext = o.timesteps[i + 1];
    if (!(t > tNext)) throw new CuebankError('internal', `Timesteps must decrease (step ${i}: ${t} -> ${tNext})`);
    const pred = await o.denoise(cur, t);
    if (pred.length !== cur.length) {
      throw new CuebankError('model_error', `The denoiser gave ${pred.length} values for a latent of ${cur.length}`);
    }
    splitPrediction(o.process, o.prediction, pred, cur, t, x0, eps);
    const a = o.process.alpha(tNext);
    const s = o.process.sigma(tNext);
    const next = new Float32Array(cur.length);
    if (o.sampler === 'euler' || s === 0) {
      for (let k = 0; k < next.length; k++) next[k] = a * x0[k] + s * eps[k];
    } else {
      for (let k = 0; k < next.length; k++) next[k] = a * x0[k] + s * o.noise.gaussian();
    }
    cur = next;
    o.onStep?.(i + 1, total);
  }
  return cur;
}
