/**
 * Float → integer PCM with TPDF dither. The noise is the sum of two independent uniform values of
 * ±½ LSB (triangular, ±1 LSB peak), which makes the quantisation error independent of the signal.
 * The generator is seeded so an export is reproducible byte for byte.
 */
import { seededRandom } from '../../seeded-random';

/** Seed used when the caller gives none: the same audio always exports to the same bytes. */
export const DEFAULT_DITHER_SEED = 0x43554542; // 'CUEB'

/**
 * Quantises planar float channels to signed `bits`-bit integers (scale 2^(bits-1), the scale every
 * Cuebank decoder and ffmpeg read back with). Input is clamped to [-1, 1) first, and the dithered
 * result to the integer range, so full-scale or over-range input never wraps.
 */
export function quantise(channels: Float32Array[], bits: number, seed = DEFAULT_DITHER_SEED): Int32Array[] {
  const random = seededRandom(seed);
  const scale = 2 ** (bits - 1);
  const min = -scale;
  const max = scale - 1;
  const top = 1 - 1 / scale;
  return channels.map((c) => {
    const out = new Int32Array(c.length);
    for (let i = 0; i < c.length; i++) {
      const x = c[i];
      const v = x > top ? top : x >= -1 ? x : x < -1 ? -1 : 0; // NaN → 0
      const q = Math.round(v * scale + random() - random());
      out[i] = q > max ? max : q < min ? min : q;
    }
    return out;
  });
}
