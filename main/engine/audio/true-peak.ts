/**
 * True-peak estimation per ITU-R BS.1770-4 Annex 2: oversample with a polyphase FIR interpolator to
 * at least 192 kHz (4× at 48 kHz, 5× at 44.1 kHz, 2× at 96 kHz, none from 192 kHz) and take the
 * largest absolute value.
 *
 * The Annex's printed 48-tap filter is an example; its passband ripple (±0.4 dB up to 0.4·fs) and
 * early roll-off make it read real material up to 1 dB below the band-limited peak (and below
 * ffmpeg's ebur128). This interpolator is a Kaiser-windowed sinc, 32 input taps per phase, designed
 * for any factor: flat within 0.01 dB to 0.43·fs, −0.3 dB at 0.45·fs. Phase 0 is the input itself
 * (the kernel is zero at whole-sample offsets), so only the in-between phases are computed and the
 * true peak is never below the sample peak.
 */

/** Input samples each interpolated value is computed from. */
const TAPS = 32;
const KAISER_BETA = 8;
/** The oversampled rate BS.1770-4 Annex 2 asks for. */
const TARGET_RATE = 192_000;

export function oversamplingFactor(sampleRate: number): number {
  return Math.max(1, Math.ceil(TARGET_RATE / sampleRate - 1e-9));
}

/** Modified Bessel function of the first kind, order 0 (for the Kaiser window). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Coefficients for the value `fraction` of a sample after input m − TAPS/2, from inputs m − k
 * (k = 0 … TAPS − 1), normalised to unit gain at DC.
 */
function phaseCoefficients(fraction: number): Float64Array {
  const half = TAPS / 2;
  const c = new Float64Array(TAPS);
  let sum = 0;
  for (let k = 0; k < TAPS; k++) {
    const t = fraction - (half - k); // distance from input m − k to the output position, in samples
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    const u = t / half;
    const window = Math.abs(u) < 1 ? besselI0(KAISER_BETA * Math.sqrt(1 - u * u)) / besselI0(KAISER_BETA) : 0;
    c[k] = sinc * window;
    sum += c[k];
  }
  for (let k = 0; k < TAPS; k++) c[k] /= sum;
  return c;
}

const ZERO_PHASE = new Float64Array(TAPS);

/** Outputs scanned per check of whether a stretch can raise the peak at all. */
const CHUNK = 64;

/**
 * One channel's true-peak detector. Each interpolated value depends only on the last TAPS input
 * samples, so feeding a signal in any split gives the same peak.
 */
export class TruePeakDetector {
  private readonly phases: Float64Array[];
  /** No interpolated value exceeds the largest nearby |input| times this (sum of |coefficients|). */
  private readonly gainBound: number;
  /** The last TAPS − 1 input samples, oldest first (zeros before the signal starts). */
  private readonly history = new Float64Array(TAPS - 1);
  private scratch = new Float64Array(0);
  private max = 0;

  constructor(sampleRate: number) {
    const factor = oversamplingFactor(sampleRate);
    this.phases = Array.from({ length: factor - 1 }, (_, p) => phaseCoefficients((p + 1) / factor));
    this.gainBound = Math.max(1, ...this.phases.map((c) => c.reduce((s, v) => s + Math.abs(v), 0)));
  }

  push(samples: Float32Array, start = 0, end = samples.length): void {
    const n = end - start;
    if (n <= 0) return;
    const keep = TAPS - 1;
    if (this.scratch.length < keep + n) this.scratch = new Float64Array(keep + n);
    const buf = this.scratch;
    buf.set(this.history, 0);
    for (let i = 0; i < n; i++) buf[keep + i] = samples[start + i];
    this.scan(buf, keep, keep + n);
    this.history.set(buf.subarray(n, n + keep));
  }

  /**
   * The peak so far (linear), including the interpolated values still owed for the last samples if
   * the signal ended here (followed by zeros); the detector itself is not changed.
   */
  peak(): number {
    const keep = TAPS - 1;
    const tail = new Float64Array(keep + keep);
    tail.set(this.history, 0);
    const before = this.max;
    this.scan(tail, keep, keep + keep);
    const peak = this.max;
    this.max = before;
    return peak;
  }

  /** Raises `max` with every sample and interpolated value whose newest input is buf[from..to). */
  private scan(buf: Float64Array, from: number, to: number): void {
    let max = this.max;
    for (let i = from; i < to; i++) {
      const a = Math.abs(buf[i]);
      if (a > max) max = a;
    }
    for (let lo = from; lo < to; lo += CHUNK) {
      const hi = Math.min(to, lo + CHUNK);
      let local = 0;
      for (let i = lo - (TAPS - 1); i < hi; i++) {
        const a = Math.abs(buf[i]);
        if (a > local) local = a;
      }
      // Nothing in this stretch can beat the peak already found: skip the filtering.
      if (local * this.gainBound <= max) continue;
      // Two phases per pass share each input load.
      for (let p = 0; p < this.phases.length; p += 2) {
        const c = this.phases[p];
        const d = this.phases[p + 1] ?? ZERO_PHASE;
        let i = lo;
        // …and two outputs per pass share each coefficient load.
        for (; i + 1 < hi; i += 2) {
          let c0 = 0;
          let d0 = 0;
          let c1 = 0;
          let d1 = 0;
          for (let k = 0; k < TAPS; k++) {
            const x0 = buf[i - k];
            const x1 = buf[i + 1 - k];
            const ck = c[k];
            const dk = d[k];
            c0 += ck * x0;
            d0 += dk * x0;
            c1 += ck * x1;
            d1 += dk * x1;
          }
          const a = Math.max(Math.abs(c0), Math.abs(d0), Math.abs(c1), Math.abs(d1));
          if (a > max) max = a;
        }
        for (; i < hi; i++) {
          let acc = 0;
          let acd = 0;
          for (let k = 0; k < TAPS; k++) {
            const x = buf[i - k];
            acc += c[k] * x;
            acd += d[k] * x;
          }
          const a = Math.max(Math.abs(acc), Math.abs(acd));
          if (a > max) max = a;
        }
      }
    }
    this.max = max;
  }
}
