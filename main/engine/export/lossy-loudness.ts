import { measureLoudness } from '../audio/loudness';
import { decodeFile } from '../audio/read';
import { discardTemp, writeTemp } from './atomic-write';

/** Below this the encoder's shift is not worth a second encode (LU). */
const TOLERANCE_LU = 0.05;

/**
 * Lossy encoders (Vorbis) move integrated loudness by a few tenths of a LU, so a file normalised
 * before encoding misses its target as a player measures it. This decodes the encoded bytes (via a
 * temporary file beside the final one: the decoders read files) and returns the gain, in dB, that
 * brings the decoded loudness to the target, or 0 when it is already within tolerance.
 */
export async function lossyLoudnessCorrection(encoded: Uint8Array, finalPath: string, targetLufs: number): Promise<number> {
  const tmp = writeTemp(finalPath, encoded);
  try {
    const { audio } = await decodeFile(tmp);
    const measured = measureLoudness(audio).integrated;
    if (measured === null) return 0;
    const delta = targetLufs - measured;
    return Math.abs(delta) > TOLERANCE_LU ? delta : 0;
  } finally {
    discardTemp(tmp);
  }
}
