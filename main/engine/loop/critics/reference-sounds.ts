/**
 * Sounds that contain no particular event, part of the reference set a CLAP critic compares an
 * event's text against to learn what "chance" similarity looks like for that text: near-silence
 * and white, pink and brown noise, deterministic (seeded). Deliberately no band-limited noises or
 * tones: to an audio model those are events (a low band of noise is a rumble), not chance.
 */
import { seededRandom } from '../../seeded-random';

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

/** The reference sounds, each `seconds` long, mono at `rate`. */
export function referenceSounds(rate: number, seconds: number): { name: string; samples: Float32Array }[] {
  const n = Math.max(1, Math.round(seconds * rate));
  const rand = seededRandom(0x5eed);
  const out = [
    // Not digital zero: a model's log-mel of exact zeros is a degenerate input.
    { name: 'silence', samples: normalise(white(n, rand), -90) },
    { name: 'white noise', samples: normalise(white(n, rand), -20) },
    { name: 'pink noise', samples: normalise(pink(n, rand), -20) },
    { name: 'brown noise', samples: normalise(brown(n, rand), -20) },
  ];
  return out;
}
