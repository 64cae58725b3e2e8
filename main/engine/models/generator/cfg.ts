/**
 * Classifier-free guidance: pred = uncond + scale·(cond - uncond), on the raw prediction (the map
 * from prediction to (x0, ε) is linear in it, so guiding any parametrisation guides them all).
 * At scale 1 the result is the conditional prediction exactly, and the unconditional pass is not
 * run at all.
 */
import { CuebankError } from '../../errors';
import type { DenoiseFn } from './samplers';

export function combineGuidance(cond: Float32Array, uncond: Float32Array, scale: number): Float32Array {
  const out = new Float32Array(cond.length);
  for (let i = 0; i < out.length; i++) out[i] = uncond[i] + scale * (cond[i] - uncond[i]);
  return out;
}

/** The guided denoiser. `uncond` is only called when scale ≠ 1. */
export function guided(cond: DenoiseFn, uncond: DenoiseFn | null, scale: number): DenoiseFn {
  if (scale === 1) return cond;
  if (!uncond) throw new CuebankError('internal', `Guidance scale ${scale} needs an unconditional pass`);
  return async (x, t) => {
    const c = await cond(x, t);
    const u = await uncond(x, t);
    return combineGuidance(c, u, scale);
  };
}
