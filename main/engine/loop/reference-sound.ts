import { decodeRange } from '../audio';
import type { DecodedAudio } from '../audio/types';
import { CuebankError } from '../errors';
import { trimLeadingSilence } from './mix';

/**
 * The part of a library file a reference points at: its matching window, from where the sound
 * starts (leading silence skipped), at most `maxSeconds` long. The library file is only read.
 */
export async function loadReferenceSound(ref: { path: string; start: number; end: number }, maxSeconds: number): Promise<DecodedAudio> {
  const end = Math.max(ref.end, ref.start + 0.05);
  let audio: DecodedAudio;
  try {
    // Only the window is read: a reference may point into a long ambience.
    ({ audio } = await decodeRange(ref.path, ref.start, end));
  } catch (err) {
    throw new CuebankError('not_found', `Reference ${ref.path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const window = trimLeadingSilence(audio);
  const n = Math.min(window.channels[0]?.length ?? 0, Math.round(maxSeconds * window.sampleRate));
  if (n <= 0) throw new CuebankError('corrupt_file', `Reference ${ref.path} has no audio in ${ref.start}–${ref.end} s`);
  return { sampleRate: window.sampleRate, channels: window.channels.map((c) => c.slice(0, n)) };
}
