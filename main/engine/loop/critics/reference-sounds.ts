/**
 * A fixed bank of synthetic sounds spanning the spectrum, from which the CLAP critic learns what
 * "chance" similarity looks like for an event's text: near-silence; white, pink and brown noise;
 * octave bands of noise; harmonic and pure tones at several pitches; click trains. Deterministic
 * (seeded), the same for every user and library. Several of these are events to an audio model (a
 * low band of noise is a rumble, a 110 Hz harmonic tone a hum): which ones differs per event, so
 * the critic drops, per event, every reference the model itself describes as that event
 * (contrast-bank.ts, clap-critic.ts) and calibrates on the rest.
 */
import { seededRandom } from '../../seeded-random';

export interface ReferenceSound {
  name: string;
  samples: Float32Array;
}

function normalise(x: Float32Array, rmsDb: number): Float32Array {
  let s = 0;
  for (const v of x) s += v * v;
  const rms = Math.sqrt(s / Math.max(1, x.length));
  const g = rms > 0 ? Math.pow(10, rmsDb / 20) / rms : 0;
  for (let i = 0; i < x.length; i++) x[i] *= g;
  return x;
}

function white(n: number, rand: () => number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rand() * 2 - 1;
  return x;
}

/** Pink noise by Paul Kellet's economical filter. */
function pink(n: number, rand: () => number): Float32Array {
  const x = new Float32Array(n);
  let b0 = 0, b1 = 0, b2 = 0;
  for (let i = 0; i < n; i++) {
    const w = rand() * 2 - 1;
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    x[i] = b0 + b1 + b2 + w * 0.1848;
  }
  return x;
}

/** Brown noise: leaky integrated white noise. */
function brown(n: number, rand: () => number): Float32Array {
  const x = new Float32Array(n);
  let y = 0;
  for (let i = 0; i < n; i++) {
    y = 0.995 * y + (rand() * 2 - 1) * 0.1;
    x[i] = y;
  }
  return x;
}

/**
 * Noise in [lo, hi] Hz as a sum of many sines at random frequencies and phases (no filter, so the
 * band edges are exact at any rate). Each sine is a rotating phasor: no Math.sin per sample.
 */
function bandNoise(n: number, rate: number, lo: number, hi: number, rand: () => number): Float32Array {
  const x = new Float32Array(n);
  const partials = 64;
  for (let p = 0; p < partials; p++) {
    // Spread evenly on a log scale, jittered: noise with a pink-like slope inside the band.
    const f = lo * Math.pow(hi / lo, (p + rand()) / partials);
    const w = (2 * Math.PI * f) / rate;
    const ph = rand() * 2 * Math.PI;
    const cw = Math.cos(w);
    const sw = Math.sin(w);
    let re = Math.cos(ph);
    let im = Math.sin(ph);
    for (let i = 0; i < n; i++) {
      x[i] += im;
      const r = re * cw - im * sw;
      im = re * sw + im * cw;
      re = r;
    }
  }
  return x;
}

/** A harmonic tone: harmonics 1..count of f0 at 1/h, those below the guard only. */
function harmonic(n: number, rate: number, f0: number, count: number, guard: number, rand: () => number): Float32Array {
  const x = new Float32Array(n);
  for (let h = 1; h <= count && h * f0 < guard; h++) {
    const w = (2 * Math.PI * f0 * h) / rate;
    const ph = rand() * 2 * Math.PI;
    for (let i = 0; i < n; i++) x[i] += Math.sin(w * i + ph) / h;
  }
  return x;
}

/** Clicks: single-sample impulses `perSecond` times a second. */
function clicks(n: number, rate: number, perSecond: number): Float32Array {
  const x = new Float32Array(n);
  const step = Math.max(1, Math.round(rate / perSecond));
  for (let i = Math.floor(step / 2); i < n; i += step) x[i] = 1;
  return x;
}

const OCTAVE_CENTRES = [31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000];
// Half-octave steps: a hum between two of them still has a near neighbour here.
const HARMONIC_F0 = [55, 78, 110, 156, 220, 311, 440, 622, 880];
const PURE_TONES = [100, 250, 630, 1600, 4000, 10000];

/**
 * The reference sounds, each `seconds` long, mono at `rate`, at −20 dBFS RMS (silence at −90).
 * `maxFrequency` (the model's top) keeps bands and tones where the model looks.
 */
export function referenceSounds(rate: number, seconds: number, maxFrequency = rate / 2): ReferenceSound[] {
  const n = Math.max(1, Math.round(seconds * rate));
  const rand = seededRandom(0x5eed);
  const top = Math.min(maxFrequency, 0.45 * rate);
  const out: ReferenceSound[] = [
    // Not digital zero: a model's log-mel of exact zeros is a degenerate input.
    { name: 'silence', samples: normalise(white(n, rand), -90) },
    { name: 'white noise', samples: normalise(white(n, rand), -20) },
    { name: 'pink noise', samples: normalise(pink(n, rand), -20) },
    { name: 'brown noise', samples: normalise(brown(n, rand), -20) },
  ];
  for (const c of OCTAVE_CENTRES) {
    const lo = c / Math.SQRT2;
    const hi = Math.min(c * Math.SQRT2, top);
    if (lo >= hi) continue;
    out.push({ name: `noise octave ${c} Hz`, samples: normalise(bandNoise(n, rate, lo, hi, rand), -20) });
  }
  for (const f0 of HARMONIC_F0) out.push({ name: `harmonic tone ${f0} Hz`, samples: normalise(harmonic(n, rate, f0, 8, top, rand), -20) });
  for (const f of PURE_TONES) {
    if (f >= top) continue;
    out.push({ name: `tone ${f} Hz`, samples: normalise(harmonic(n, rate, f, 1, top, rand), -20) });
  }
  out.push({ name: 'clicks 4/s', samples: normalise(clicks(n, rate, 4), -20) });
  out.push({ name: 'clicks 40/s', samples: normalise(clicks(n, rate, 40), -20) });
  return out;
}
