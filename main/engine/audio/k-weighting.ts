/**
 * ITU-R BS.1770-4 K-weighting: a high-frequency shelf (the head's acoustic effect) followed by the
 * RLB high-pass. BS.1770 tabulates the two biquads only for 48 kHz; for any other rate they are
 * derived by the bilinear transform from the analog prototypes that reproduce the 48 kHz table,
 * the same parameters libebur128 uses, so a 44.1 kHz or 96 kHz file is measured at its own rate.
 */

/** y[n] = b0·x[n] + b1·x[n−1] + b2·x[n−2] − a1·y[n−1] − a2·y[n−2] (a0 normalised to 1). */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** Shelf prototype: centre frequency (Hz), gain (dB), quality. */
const SHELF = { f0: 1681.974450955533, gainDb: 3.999843853973347, q: 0.7071752369554196, bandExponent: 0.4996667741545416 };
/** RLB high-pass prototype. */
const HIGH_PASS = { f0: 38.13547087602444, q: 0.5003270373238773 };

export function kWeightingBiquads(sampleRate: number): { shelf: Biquad; highPass: Biquad } {
  if (!(sampleRate > 2 * SHELF.f0)) throw new RangeError(`K-weighting needs a sample rate above ${Math.ceil(2 * SHELF.f0)} Hz (got ${sampleRate})`);
  let k = Math.tan((Math.PI * SHELF.f0) / sampleRate);
  const vh = 10 ** (SHELF.gainDb / 20);
  const vb = vh ** SHELF.bandExponent;
  let a0 = 1 + k / SHELF.q + k * k;
  const shelf: Biquad = {
    b0: (vh + (vb * k) / SHELF.q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / SHELF.q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / SHELF.q + k * k) / a0,
  };
  k = Math.tan((Math.PI * HIGH_PASS.f0) / sampleRate);
  a0 = 1 + k / HIGH_PASS.q + k * k;
  // BS.1770 keeps the RLB numerator at 1, −2, 1 (not rescaled by a0): its table does the same.
  const highPass: Biquad = { b0: 1, b1: -2, b2: 1, a1: (2 * (k * k - 1)) / a0, a2: (1 - k / HIGH_PASS.q + k * k) / a0 };
  return { shelf, highPass };
}

/**
 * One channel's K-weighting filter. `sumSquares` filters a run of samples and adds their squared outputs
 * to `sum`, one by one; filter state and sum carry over, so any split of a signal into runs gives
 * bit-identical sums.
 */
export class KWeightingFilter {
  private readonly s: Biquad;
  private readonly h: Biquad;
  // Direct form I state: shelf input/output and high-pass output history.
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;
  private z1 = 0;
  private z2 = 0;

  constructor(sampleRate: number) {
    const { shelf, highPass } = kWeightingBiquads(sampleRate);
    this.s = shelf;
    this.h = highPass;
  }

  sumSquares(samples: Float32Array, start: number, end: number, sum: number): number {
    const { b0, b1, b2, a1, a2 } = this.s;
    const { b0: c0, b1: c1, b2: c2, a1: d1, a2: d2 } = this.h;
    let { x1, x2, y1, y2, z1, z2 } = this;
    for (let i = start; i < end; i++) {
      const x = samples[i];
      const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      const z = c0 * y + c1 * y1 + c2 * y2 - d1 * z1 - d2 * z2;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      z2 = z1;
      z1 = z;
      sum += z * z;
    }
    this.x1 = x1;
    this.x2 = x2;
    this.y1 = y1;
    this.y2 = y2;
    this.z1 = z1;
    this.z2 = z2;
    return sum;
  }

  /**
   * After digital silence the recursive state decays into subnormal doubles, which are many times
   * slower to compute with. Called at fixed sample positions (not at block edges) so that streaming
   * in any block size still gives identical results; 1e-30 is 600 dB below full scale.
   */
  flushTinyState(): void {
    const tiny = (v: number) => Math.abs(v) < 1e-30;
    if (tiny(this.y1) && tiny(this.y2) && tiny(this.z1) && tiny(this.z2)) {
      this.y1 = this.y2 = this.z1 = this.z2 = 0;
    }
  }
}
