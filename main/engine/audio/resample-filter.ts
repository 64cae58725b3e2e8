/**
 * Windowed-sinc (Kaiser) low-pass filters for polyphase resampling.
 *
 * Output sample n sits at input position n*M/L. Its value is the dot product of `taps` input samples
 * starting at floor(n*M/L) - half + 1 with one row of the table: the row of the exact phase
 * (n*M mod L) for small L, or two rows blended linearly from a finer fixed grid when L is large.
 *
 * Two designs:
 * - strict (the default, for anything a user hears or exports): flat to 0.9 of the lower Nyquist
 *   frequency, at least 80 dB down from the lower Nyquist frequency on.
 * - analysis (`passbandHz` given, for model input): flat to passbandHz, and everything that would
 *   land below passbandHz in the output after resampling (aliases of input above the output
 *   Nyquist, images of the input spectrum) at least 80 dB down. Output content between passbandHz
 *   and the output Nyquist is unspecified. For a target rate R the stopband may start at
 *   R - passbandHz instead of R/2: a component at g > R/2 folds to R - g, which is above
 *   passbandHz exactly when g < R - passbandHz; images of input content (at multiples of the input
 *   rate F, minus or plus it) start at F/2, which is above passbandHz whenever the design applies
 *   (passbandHz < 0.9 of the lower Nyquist). The transition band is thus R - 2*passbandHz wide
 *   instead of 0.1 of the lower Nyquist: 20 kHz instead of 2.2 kHz for 44.1k -> 48k at 14 kHz,
 *   which takes 16 taps instead of 112. Where passbandHz is not below 0.9 of the lower Nyquist
 *   (e.g. 22.05k -> 48k at 14 kHz: the input has nothing above 11.025 kHz, and images from
 *   11.025 kHz up would land below 14 kHz) nothing can be relaxed and the strict design is used.
 */

/** Passband edge and stopband start as fractions of the lower Nyquist frequency. */
export const PASSBAND = 0.9;
export const STOPBAND = 1.0;
/** Attenuation the Kaiser design aims for before taps are rounded up (which only adds to it). */
const TARGET_DB = 85;
/** Rows of the interpolated table per input sample; linear interpolation error is below -100 dB. */
const GRID = 256;
/** Rows beyond which an exact table costs more memory than it is worth. */
const MAX_EXACT_ROWS = 4096;
const MAX_EXACT_COEFFS = 1 << 20;
/** Taps are padded to a multiple of 16 so the SIMD kernel runs four 4-lane accumulators. */
const TAP_MULTIPLE = 16;

export interface PolyphaseFilter {
  /** Output steps: output n is at input position n*M/L (L = to/g, M = from/g). */
  L: number;
  M: number;
  taps: number;
  /** taps / 2: the first tap of output n is input floor(n*M/L) - half + 1. */
  half: number;
  /** True when rows are a GRID-per-sample grid blended linearly, false for one exact row per phase. */
  interpolated: boolean;
  rows: number;
  table: Float32Array;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

const cache = new Map<string, PolyphaseFilter>();

/** Band edges of a design, in Hz. */
export interface FilterBands {
  /** Flat (ripple well under 0.01 dB) up to here. */
  passHz: number;
  /** At least 80 dB down from here on (in the upsampled domain, i.e. including images). */
  stopHz: number;
  /** False when the strict design is used (no passband given, or one it cannot relax). */
  analysis: boolean;
}

function checkRates(fromRate: number, toRate: number): void {
  if (!(Number.isInteger(fromRate) && Number.isInteger(toRate) && fromRate > 0 && toRate > 0)) {
    throw new RangeError(`Sample rates must be positive integers (got ${fromRate} -> ${toRate})`);
  }
}

/** Throws a RangeError unless passbandHz is undefined or a positive finite number of Hz. */
export function checkPassband(passbandHz: number | undefined): void {
  if (passbandHz !== undefined && !(Number.isFinite(passbandHz) && passbandHz > 0)) {
    throw new RangeError(`passbandHz must be a positive number of Hz (got ${passbandHz})`);
  }
}

/** The band edges designFilter uses for these rates and passband (see the header comment). */
export function filterBands(fromRate: number, toRate: number, passbandHz?: number): FilterBands {
  checkRates(fromRate, toRate);
  checkPassband(passbandHz);
  const nyquist = Math.min(fromRate, toRate) / 2;
  if (passbandHz === undefined || passbandHz >= PASSBAND * nyquist) {
    return { passHz: PASSBAND * nyquist, stopHz: STOPBAND * nyquist, analysis: false };
  }
  return { passHz: passbandHz, stopHz: toRate - passbandHz, analysis: true };
}

/**
 * The polyphase filter for fromRate -> toRate: the strict design, or the analysis design when
 * `passbandHz` is given and below 0.9 of the lower Nyquist frequency (see the header comment).
 */
export function designFilter(fromRate: number, toRate: number, passbandHz?: number): PolyphaseFilter {
  const bands = filterBands(fromRate, toRate, passbandHz);
  const { analysis } = bands;
  const g = gcd(fromRate, toRate);
  const L = toRate / g;
  const M = fromRate / g;
  // Frequencies in cycles per input sample.
  let cutoff: number;
  let width: number;
  let key: string;
  if (!analysis) {
    // The lower of the two rates sets the band edges (kept in this form: the strict table is unchanged).
    const scale = Math.min(1, L / M);
    cutoff = ((PASSBAND + STOPBAND) / 2) * 0.5 * scale;
    width = (STOPBAND - PASSBAND) * 0.5 * scale;
    key = `${L}/${M}`;
  } else {
    // With the stopband at toRate - passbandHz the cutoff is always the output Nyquist frequency.
    cutoff = (bands.passHz + bands.stopHz) / 2 / fromRate;
    width = (bands.stopHz - bands.passHz) / fromRate;
    key = `${L}/${M}/${fromRate}/${bands.passHz}`;
  }
  const hit = cache.get(key);
  if (hit) return hit;

  const minTaps = (TARGET_DB - 7.95) / (14.36 * width) + 1;
  const taps = Math.ceil(minTaps / TAP_MULTIPLE) * TAP_MULTIPLE;
  const half = taps / 2;
  // Kaiser's formula run backwards for the rounded-up length gives the beta the extra taps afford.
  const atten = 14.36 * width * (taps - 1) + 7.95;
  const beta = 0.1102 * (atten - 8.7);
  const i0beta = besselI0(beta);

  const interpolated = L > MAX_EXACT_ROWS || L * taps > MAX_EXACT_COEFFS;
  const rows = interpolated ? GRID + 2 : L;
  const table = new Float32Array(rows * taps);
  const raw = new Float64Array(rows * taps);
  const sums = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const frac = interpolated ? r / GRID : r / L;
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const t = frac + half - 1 - k; // distance from the output instant to this tap's input sample
      const u = t / half;
      const w = u <= -1 || u >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - u * u)) / i0beta;
      const x = 2 * cutoff * t;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const h = 2 * cutoff * sinc * w;
      raw[r * taps + k] = h;
      sum += h;
    }
    sums[r] = sum;
  }
  // Strict: each row sums to one so DC passes with unit gain at every phase (its row sums differ
  // from one only by what the stopband lets through). Analysis: one common gain, the mean over the
  // phases, or the filter would change: where the image of DC at the input rate lies in the
  // transition band (e.g. 32k -> 48k: 32 kHz < 34 kHz), row sums legitimately differ by phase, and
  // forcing each to one would modulate every signal, putting spurs below the passband edge.
  let mean = 0;
  const phases = interpolated ? GRID : rows;
  for (let r = 0; r < phases; r++) mean += sums[r] / phases;
  for (let r = 0; r < rows; r++) {
    const gain = analysis ? mean : sums[r];
    for (let k = 0; k < taps; k++) table[r * taps + k] = raw[r * taps + k] / gain;
  }
  const filter: PolyphaseFilter = { L, M, taps, half, interpolated, rows, table };
  if (cache.size >= 32) cache.delete(cache.keys().next().value!);
  cache.set(key, filter);
  return filter;
}
