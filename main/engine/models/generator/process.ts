/**
 * Noise processes and model parametrisations. A process says how a clean latent x0 and noise ε mix
 * at time t ∈ [0, 1] (t = 1 is pure noise): x_t = α(t)·x0 + σ(t)·ε. Whatever the denoiser predicts
 * (flow velocity, v, ε or x0) is turned into the pair (x0, ε) it implies, and the samplers work on
 * that pair only, so one Euler and one ping-pong implementation serve every pack.
 */
export type ProcessName = 'rectified-flow' | 'cosine';
export type PredictionKind = 'velocity' | 'v' | 'eps' | 'x0';

export interface DiffusionProcess {
  readonly name: ProcessName;
  alpha(t: number): number;
  sigma(t: number): number;
  /** The t at which log(α²/σ²) equals logsnr. */
  tFromLogSnr(logsnr: number): number;
}

/** Rectified flow (Stable Audio Open Small, TangoFlux): straight paths x_t = (1-t)·x0 + t·ε. */
export const RECTIFIED_FLOW: DiffusionProcess = {
  name: 'rectified-flow',
  alpha: (t) => 1 - t,
  sigma: (t) => t,
  // logsnr = 2·log((1-t)/t)
  tFromLogSnr: (l) => 1 / (1 + Math.exp(l / 2)),
};

/** v-diffusion's cosine schedule (stable-audio-tools "v" objective): α = cos(πt/2), σ = sin(πt/2). */
export const COSINE: DiffusionProcess = {
  name: 'cosine',
  alpha: (t) => Math.cos((Math.PI * t) / 2),
  sigma: (t) => Math.sin((Math.PI * t) / 2),
  // logsnr = 2·log(cot(πt/2))
  tFromLogSnr: (l) => (2 / Math.PI) * Math.atan(Math.exp(-l / 2)),
};

export function processByName(name: ProcessName): DiffusionProcess {
  return name === 'cosine' ? COSINE : RECTIFIED_FLOW;
}

/** Below this α (or σ) a division would blow up: ε-prediction at t = 1, x0-prediction at t = 0. */
const TINY = 1e-4;

/**
 * Writes the clean estimate x0 and the noise estimate ε implied by the prediction `pred` at (x, t).
 *   velocity (rectified flow, v = ε - x0):  x0 = x - t·v,          ε = x + (1-t)·v
 *   v        (v = α·ε - σ·x0, α²+σ² = 1):   x0 = α·x - σ·v,        ε = σ·x + α·v
 *   eps:                                    x0 = (x - σ·ε) / α
 *   x0:                                     ε  = (x - α·x0) / σ
 */
export function splitPrediction(
  process: DiffusionProcess,
  kind: PredictionKind,
  pred: Float32Array,
  x: Float32Array,
  t: number,
  x0: Float32Array,
  eps: Float32Array,
): void {
  const a = process.alpha(t);
  const s = process.sigma(t);
  const n = x.length;
  switch (kind) {
    case 'velocity':
      for (let i = 0; i < n; i++) {
        x0[i] = x[i] - t * pred[i];
        eps[i] = x[i] + (1 - t) * pred[i];
      }
      break;
    case 'v':
      for (let i = 0; i < n; i++) {
        x0[i] = a * x[i] - s * pred[i];
        eps[i] = s * x[i] + a * pred[i];
      }
      break;
    case 'eps': {
      const ia = 1 / Math.max(a, TINY);
      for (let i = 0; i < n; i++) {
        eps[i] = pred[i];
        x0[i] = (x[i] - s * pred[i]) * ia;
      }
      break;
    }
    case 'x0': {
      const is = 1 / Math.max(s, TINY);
      for (let i = 0; i < n; i++) {
        x0[i] = pred[i];
        eps[i] = (x[i] - a * pred[i]) * is;
      }
      break;
    }
  }
}

/** x_t = α(t)·x0 + σ(t)·ε, into `out`. */
export function mix(process: DiffusionProcess, t: number, x0: Float32Array, eps: Float32Array, out: Float32Array): Float32Array {
  const a = process.alpha(t);
  const s = process.sigma(t);
  for (let i = 0; i < out.length; i++) out[i] = a * x0[i] + s * eps[i];
  return out;
}

export type ScheduleSpec = { spacing: 'linear' } | { spacing: 'logsnr'; logsnrMin: number; logsnrMax: number };

/**
 * steps + 1 times from `start` (1 for text-to-audio, the strength for audio-to-audio) down to 0.
 * "logsnr" spaces log-SNR evenly from logsnrMin to logsnrMax, pins the ends to 1 and 0, and scales
 * the whole schedule by `start`.
 */
export function timesteps(steps: number, start: number, schedule: ScheduleSpec, process: DiffusionProcess): number[] {
  const ts: number[] = [];
  for (let i = 0; i <= steps; i++) {
    let u: number;
    if (i === 0) u = 1;
    else if (i === steps) u = 0;
    else if (schedule.spacing === 'linear') u = 1 - i / steps;
    else u = process.tFromLogSnr(schedule.logsnrMin + ((schedule.logsnrMax - schedule.logsnrMin) * i) / steps);
    ts.push(start * u);
  }
  return ts;
}
