/**
 * Refinement of the knowledge base (seed 001 §3.5). The seed keeps the knowledge-base pairs that
 * pairs of a trusted training set retrieve with their concatenated [Enc_A; Enc_T] embeddings
 * (eq. 7–9). A user's library has no trusted set, so each pair is tested against its own two
 * halves instead: its caption must pick its own sound out of the library, i.e. Enc_T(T_i) must be
 * closer to Enc_A(A_i) than to the library's reference sounds by `agreementZ` robust spreads. This
 * is the cross term of the seed's concatenated similarity (<[a;t],[a';t']> = <a,a'> + <t,t'>, whose
 * pairs agree only when text and audio point the same way), measured against the library instead
 * of a training set. A caption the text encoder cannot tell from an empty text is excluded too: it
 * would match every query alike. README "Knowledge base" explains the choice.
 */
import { dot } from './file-audio';
import type { ReferenceSounds } from './agreement';
import type { KbSettings } from './types';

export interface PairVerdict {
  kept: boolean;
  /** The caption's z on its own audio; null when untested. */
  agreement: number | null;
  /** Why it was excluded, or why it was kept untested; null for a plain pass. */
  reason: string | null;
}

export function judgePair(
  pair: { fileId: number; text: Float32Array; audio: Float32Array },
  references: ReferenceSounds,
  emptyText: Float32Array,
  s: Pick<KbSettings, 'agreementZ' | 'minSpread' | 'emptyTextSimilarity'>,
): PairVerdict {
  if (dot(pair.text, emptyText) >= s.emptyTextSimilarity) {
    return { kept: false, agreement: null, reason: 'the caption says nothing the model understands' };
  }
  const z = references.z(pair.text, pair.audio, s.minSpread, pair.fileId);
  if (z === null) return { kept: true, agreement: null, reason: 'untested: too few other embedded sounds in the library' };
  if (z < s.agreementZ) {
    return { kept: false, agreement: z, reason: `the caption does not match its audio (z ${z.toFixed(2)} < ${s.agreementZ})` };
  }
  return { kept: true, agreement: z, reason: null };
}
