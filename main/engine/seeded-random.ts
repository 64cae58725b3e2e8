/**
 * The engine's one seeded pseudo-random generator: mulberry32, a 32-bit generator whose sequence
 * depends only on its seed, so whatever draws from it (export dither, variation order, the
 * critic's reference noises) comes out the same byte for byte on every run and machine. Changing
 * it changes exported files: the dither tests pin its output.
 */

/** mulberry32 seeded with `seed` (taken as an unsigned 32-bit integer); returns values in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
