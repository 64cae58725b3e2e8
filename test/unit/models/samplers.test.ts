/**
 * The samplers against a denoiser whose exact solution is known: data x0 ~ N(μ, s²) per coordinate.
 * For x_t = α(t)·x0 + σ(t)·ε the posterior means are closed-form (V = α²s² + σ²):
 *   E[x0 | x_t] = μ + α·s²/V·(x_t − α·μ),   E[ε | x_t] = σ/V·(x_t − α·μ),
 * so every parametrisation's exact prediction is known, and the probability-flow ODE carries the
 * noise z at t = 1 to exactly μ + s·z at t = 0. Euler must converge to that endpoint as steps grow
 * (first order). Ping-pong is exact for single-point data at any step count, and samples the data
 * distribution exactly when the denoiser draws its clean estimate from the posterior (the distilled
 * models it is made for).
 */
import { describe, expect, it } from 'vitest';
import { CuebankError } from '../../../main/engine/errors';
import {
  COSINE,
  combineGuidance,
  GaussianNoise,
  guided,
  RECTIFIED_FLOW,
  sample,
  timesteps,
  type DenoiseFn,
  type DiffusionProcess,
  type PredictionKind,
} from '../../../main/engine/models/generator';

const MU = 0.7;
const S = 0.3;

/** The exact prediction of a Gaussian-data denoiser in the given parametrisation. */
function gaussianDenoiser(process: DiffusionProcess, kind: PredictionKind, mu = MU, s = S): DenoiseFn & { calls: number } {
  const fn = (async (x: Float32Array, t: number) => {
    fn.calls++;
    const a = process.alpha(t);
    const sg = process.sigma(t);
    const V = a * a * s * s + sg * sg;
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - a * mu;
      const x0 = mu + ((a * s * s) / V) * d;
      const eps = (sg / V) * d;
      out[i] = kind === 'velocity' ? eps - x0 : kind === 'v' ? a * eps - sg * x0 : kind === 'eps' ? eps : x0;
    }
    return out;
  }) as DenoiseFn & { calls: number };
  fn.calls = 0;
  return fn;
}

const noiseOf = (n: number, seed: number) => new GaussianNoise(seed).fill(new Float32Array(n));

async function run(
  steps: number,
  o: { sampler: 'euler' | 'pingpong'; process?: DiffusionProcess; kind?: PredictionKind; z: Float32Array; seed?: number; mu?: number; s?: number },
) {
  const process = o.process ?? RECTIFIED_FLOW;
  const kind = o.kind ?? 'velocity';
  return sample(o.z, {
    sampler: o.sampler,
    process,
    prediction: kind,
    timesteps: timesteps(steps, 1, { spacing: 'linear' }, process),
    denoise: gaussianDenoiser(process, kind, o.mu, o.s),
    noise: new GaussianNoise(o.seed ?? 99),
  });
}

const STEPS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

describe('Euler on a Gaussian whose ODE solution is known', () => {
  const cases: [string, DiffusionProcess, PredictionKind][] = [
    ['rectified flow, velocity', RECTIFIED_FLOW, 'velocity'],
    ['rectified flow, eps', RECTIFIED_FLOW, 'eps'],
    ['rectified flow, x0', RECTIFIED_FLOW, 'x0'],
    ['cosine, v', COSINE, 'v'],
    ['cosine, eps', COSINE, 'eps'],
    ['cosine, x0', COSINE, 'x0'],
  ];

  it.each(cases)('converges to μ + s·z as steps grow (%s)', async (_label, process, kind) => {
    const z = noiseOf(4096, 1);
    const errors: number[] = [];
    for (const steps of STEPS) {
      const x = await run(steps, { sampler: 'euler', process, kind, z });
      let worst = 0;
      for (let i = 0; i < z.length; i++) worst = Math.max(worst, Math.abs(x[i] - (MU + S * z[i])));
      errors.push(worst);
    }
    // Monotone: every doubling of the steps lowers the endpoint error.
    for (let i = 1; i < errors.length; i++) expect(errors[i], `errors ${errors.map((e) => e.toExponential(2))}`).toBeLessThan(errors[i - 1]);
    // Worst coordinate (|z| up to ~3.8) at 256 steps; ε-prediction pays a little for α ≈ 0 at t = 1.
    expect(errors[errors.length - 1]).toBeLessThan(0.02);
    expect(errors[errors.length - 1]).toBeLessThan(errors[0] / 50);
    // First order: doubling the steps roughly halves the error.
    const ratio = errors[errors.length - 2] / errors[errors.length - 1];
    expect(ratio).toBeGreaterThan(1.6);
    expect(ratio).toBeLessThan(2.5);
  });

  it('is exact in any number of steps when the data is a single point (straight paths)', async () => {
    const z = noiseOf(256, 2);
    for (const sampler of ['euler', 'pingpong'] as const) {
      for (const steps of [1, 3, 8]) {
        const x = await run(steps, { sampler, z, s: 0 });
        for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - MU)).toBeLessThan(1e-5);
      }
    }
  });
});

describe('ping-pong on the same Gaussian', () => {
  /**
   * Ping-pong re-noises its clean estimate fully at every step, so it is exact for denoisers whose
   * clean estimate is a draw from p(x0 | x_t) — what distilled, adversarially post-trained models such
   * as Stable Audio Open Small give — and for single-point data (above). This denoiser draws from the
   * Gaussian posterior N(E[x0|x_t], s²·t²/V) with its own seeded noise.
   */
  function posteriorSampler(seed: number, seenVariance: [number, number][]): DenoiseFn {
    const own = new GaussianNoise(seed);
    return async (x, t) => {
      let m = 0;
      for (const v of x) m += v;
      m /= x.length;
      let v2 = 0;
      for (const v of x) v2 += (v - m) ** 2;
      seenVariance.push([t, v2 / x.length]);
      const a = 1 - t;
      const V = a * a * S * S + t * t;
      const sd = Math.sqrt((S * S * t * t) / V);
      const out = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const x0 = MU + ((a * S * S) / V) * (x[i] - a * MU) + sd * own.gaussian();
        out[i] = (x[i] - x0) / t; // the velocity whose clean estimate x - t·v is that draw
      }
      return out;
    };
  }

  /** Φ via Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7). */
  function normalCdf(z: number): number {
    const x = Math.abs(z) / Math.SQRT2;
    const k = 1 / (1 + 0.3275911 * x);
    const erf = 1 - k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429)))) * Math.exp(-x * x);
    return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
  }

  /** Kolmogorov–Smirnov distance of the samples from N(μ, s²). */
  function ksDistance(x: Float32Array): number {
    const sorted = Float64Array.from(x).sort();
    let d = 0;
    for (let i = 0; i < sorted.length; i++) {
      const f = normalCdf((sorted[i] - MU) / S);
      d = Math.max(d, Math.abs(f - i / sorted.length), Math.abs(f - (i + 1) / sorted.length));
    }
    return d;
  }

  it('samples the data distribution exactly, re-noising to the true marginal at every step', async () => {
    const n = 100_000;
    for (const steps of [1, 2, 8, 32]) {
      const seen: [number, number][] = [];
      const x = await sample(noiseOf(n, 3), {
        sampler: 'pingpong',
        process: RECTIFIED_FLOW,
        prediction: 'velocity',
        timesteps: timesteps(steps, 1, { spacing: 'linear' }, RECTIFIED_FLOW),
        denoise: posteriorSampler(10 + steps, seen),
        noise: new GaussianNoise(1000 + steps),
      });
      // The KS critical value at 1% for 100k draws is 0.0052.
      expect(ksDistance(x), `${steps} steps`).toBeLessThan(0.0052);
      // Every x_t the denoiser saw had the variance of the true marginal at t: α²s² + t².
      expect(seen).toHaveLength(steps);
      for (const [t, v] of seen) expect(Math.abs(v - ((1 - t) ** 2 * S * S + t * t)), `t = ${t}`).toBeLessThan(0.01);
    }
    // The same sampler with the Euler step (deterministic, ignores the fresh noise) is not a sampler
    // for this denoiser; the check above would catch a ping-pong that forgot to re-noise.
  });

  it('follows its closed-form moments with a posterior-mean denoiser (each step keeps only E[x0 | x_t])', async () => {
    // With a mean-predicting denoiser every full re-noise loses the posterior spread: the output
    // variance stays below s² however many steps (why ping-pong is used with distilled models).
    const moments = (steps: number) => {
      const ts = timesteps(steps, 1, { spacing: 'linear' }, RECTIFIED_FLOW);
      let m = 0;
      let v = 1;
      let out = { mean: 0, std: 0 };
      for (let i = 0; i < steps; i++) {
        const a = 1 - ts[i];
        const k = (a * S * S) / (a * a * S * S + ts[i] * ts[i]);
        out = { mean: MU + k * (m - a * MU), std: Math.abs(k) * Math.sqrt(v) };
        const an = 1 - ts[i + 1];
        m = an * out.mean;
        v = an * an * out.std * out.std + ts[i + 1] * ts[i + 1];
      }
      return out;
    };
    const n = 100_000;
    for (const steps of [1, 4, 16]) {
      const x = await run(steps, { sampler: 'pingpong', z: noiseOf(n, 3), seed: 1000 + steps });
      let mean = 0;
      for (const v of x) mean += v;
      mean /= n;
      let v2 = 0;
      for (const v of x) v2 += (v - mean) ** 2;
      const expected = moments(steps);
      expect(Math.abs(mean - expected.mean)).toBeLessThan(0.005);
      expect(Math.abs(Math.sqrt(v2 / n) - expected.std)).toBeLessThan(0.005);
      expect(expected.std).toBeLessThan(S);
    }
  });

  it('draws its fresh noise from the seed: same seed same result, other seed other result', async () => {
    const z = noiseOf(512, 4);
    const a = await run(8, { sampler: 'pingpong', z, seed: 5 });
    const b = await run(8, { sampler: 'pingpong', z, seed: 5 });
    const c = await run(8, { sampler: 'pingpong', z, seed: 6 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });
});

describe('classifier-free guidance', () => {
  it('at scale 1 equals the conditional prediction exactly, without running the unconditional pass', async () => {
    const cond = gaussianDenoiser(RECTIFIED_FLOW, 'velocity', 0.7);
    const uncond = gaussianDenoiser(RECTIFIED_FLOW, 'velocity', -0.4);
    const g = guided(cond, uncond, 1);
    const x = noiseOf(64, 7);
    const withGuide = await g(x, 0.6);
    const plain = await gaussianDenoiser(RECTIFIED_FLOW, 'velocity', 0.7)(x, 0.6);
    expect(Array.from(withGuide)).toEqual(Array.from(plain));
    expect(uncond.calls).toBe(0);

    // A whole sampling run under scale-1 guidance is the conditional run, bit for bit.
    const z = noiseOf(256, 8);
    const opts = { sampler: 'pingpong' as const, process: RECTIFIED_FLOW, prediction: 'velocity' as const, timesteps: timesteps(8, 1, { spacing: 'linear' }, RECTIFIED_FLOW) };
    const guidedRun = await sample(z, { ...opts, denoise: guided(cond, uncond, 1), noise: new GaussianNoise(1) });
    const condRun = await sample(z, { ...opts, denoise: cond, noise: new GaussianNoise(1) });
    expect(Array.from(guidedRun)).toEqual(Array.from(condRun));
    expect(uncond.calls).toBe(0);
  });

  it('extrapolates away from the unconditional prediction at other scales', async () => {
    const cond = gaussianDenoiser(RECTIFIED_FLOW, 'velocity', 0.7);
    const uncond = gaussianDenoiser(RECTIFIED_FLOW, 'velocity', -0.4);
    const x = noiseOf(64, 9);
    const c = await cond(x, 0.3);
    const u = await uncond(x, 0.3);
    const g = await guided(cond, uncond, 3)(x, 0.3);
    for (let i = 0; i < x.length; i++) expect(g[i]).toBeCloseTo(u[i] + 3 * (c[i] - u[i]), 5);
    expect(Array.from(combineGuidance(c, u, 0))).toEqual(Array.from(u));
    expect(() => guided(cond, null, 2)).toThrow(/unconditional/);
  });
});

describe('sampler control', () => {
  it('reports every step and stops between steps when cancelled', async () => {
    const seen: [number, number][] = [];
    const denoise = gaussianDenoiser(RECTIFIED_FLOW, 'velocity');
    const base = {
      sampler: 'euler' as const,
      process: RECTIFIED_FLOW,
      prediction: 'velocity' as const,
      timesteps: timesteps(6, 1, { spacing: 'linear' }, RECTIFIED_FLOW),
      denoise,
      noise: new GaussianNoise(1),
    };
    await sample(noiseOf(8, 1), { ...base, onStep: (s, n) => seen.push([s, n]) });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6].map((s) => [s, 6]));

    const ctl = new AbortController();
    denoise.calls = 0;
    const err = await sample(noiseOf(8, 1), { ...base, signal: ctl.signal, onStep: (s) => s === 2 && ctl.abort() }).catch((e) => e);
    expect(err).toBeInstanceOf(CuebankError);
    expect((err as CuebankError).code).toBe('cancelled');
    expect(denoise.calls).toBe(2);
  });

  it('builds decreasing schedules from the start time to 0', () => {
    expect(timesteps(4, 1, { spacing: 'linear' }, RECTIFIED_FLOW)).toEqual([1, 0.75, 0.5, 0.25, 0]);
    expect(timesteps(2, 0.4, { spacing: 'linear' }, RECTIFIED_FLOW)).toEqual([0.4, 0.2, 0]);
    const ts = timesteps(8, 1, { spacing: 'logsnr', logsnrMin: -6, logsnrMax: 2 }, RECTIFIED_FLOW);
    expect(ts[0]).toBe(1);
    expect(ts[8]).toBe(0);
    for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeLessThan(ts[i - 1]);
    // log-SNR -6 at the second point of an 8-step schedule from -6: t = 1 / (1 + e^(-6/2 + 1))
    expect(ts[1]).toBeCloseTo(1 / (1 + Math.exp((-6 + 1) / 2)), 10);
  });

  it('gives the same noise for the same seed, and standard normal values', () => {
    const a = noiseOf(50_000, 42);
    expect(Array.from(noiseOf(16, 42))).toEqual(Array.from(a.subarray(0, 16)));
    expect(Array.from(noiseOf(16, 43))).not.toEqual(Array.from(a.subarray(0, 16)));
    let m = 0;
    for (const v of a) m += v;
    m /= a.length;
    let v2 = 0;
    for (const v of a) v2 += (v - m) ** 2;
    expect(Math.abs(m)).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(v2 / a.length) - 1)).toBeLessThan(0.02);
  });
});
