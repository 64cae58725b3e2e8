import { LoudnessMeter } from '../audio/loudness';
import { acquireDecoder, releaseDecoder, type DecodedChunk } from '../audio/decoders';
import { CuebankError } from '../errors';

/** Below this the encoder's shift is not worth a second encode (LU). */
const TOLERANCE_LU = 0.05;

/** Encoded bytes handed to the decoder per call, as the file decoder reads them. */
const FEED_BYTES = 512 * 1024;

/**
 * Lossy encoders (Vorbis) move integrated loudness by a few tenths of a LU, so a file normalised
 * before encoding misses its target as a player measures it. This decodes the encoded Ogg Vorbis
 * bytes in memory, metering each decoded piece as it comes, and returns the gain, in dB, that brings
 * the decoded loudness to the target, or 0 when it is already within tolerance.
 */
export async function lossyLoudnessCorrection(encoded: Uint8Array, targetLufs: number): Promise<number> {
  const decoder = await acquireDecoder('vorbis');
  let meter: LoudnessMeter | null = null;
  const take = (d: DecodedChunk) => {
    if (!d.samplesDecoded) return;
    meter ??= new LoudnessMeter(d.sampleRate, d.channelData.length);
    meter.push(d.channelData);
  };
  let clean = false;
  try {
    // A fresh copy per call: the parser keeps references to partial pages between calls.
    for (let o = 0; o < encoded.length; o += FEED_BYTES) take(await decoder.decode(encoded.slice(o, o + FEED_BYTES)));
    take(await decoder.flush());
    clean = true;
  } finally {
    releaseDecoder('vorbis', decoder, clean);
  }
  if (!meter) throw new CuebankError('internal', 'The encoded Ogg Vorbis could not be decoded to check its loudness');
  const measured = (meter as LoudnessMeter).report().integrated;
  if (measured === null) return 0;
  const delta = targetLufs - measured;
  return Math.abs(delta) > TOLERANCE_LU ? delta : 0;
}
