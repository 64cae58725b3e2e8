/**
 * Refinement of the knowledge base (seed 001 §3.5). The seed keeps the knowledge-base pairs that
 * pairs of a trusted training set retrieve with their concatenated [Enc_A; Enc_T] embeddings
 * (eq. 7–9). A user's library has no trusted set, so each pair is tested against its own two
 * halves instead: Enc_T(T_i) must be closer to Enc_A(A_i) than to reference sounds (a sample of the
 * library, and event-free noises; agreement.ts) by `agreementZ` robust spreads. This is the cross
 * term of the seed's concatenated similarity (<[a;t],[a';t']> = <a,a'> + <t,t'>, whose pairs agree
 * only when text and audio point the same way), measured against references instead of a
 * training set. A caption the text encoder cannot tell from an empty text is excluded too: it
 * would match every query alike. README "Knowledge base" explains the choice.
 */
import { dot } from './file-audio';
import type { ReferenceSounds } from './agreement';
import type { KbSettings } from './types';

/** What refinement measures of a pair; the verdict follows from the thresholds when it is read. */
export interface PairMeasure {
  /** The caption's z on its own audio against the reference sounds; null when untested (too few references). */
  agreement: number | null;
  /** Cosine similarity of the caption's vector to the empty text's. */
  emptySimilarity: number;
}

export interface PairVerdict {
  kept: boolean;
  agreement: number | null;
  /** Why it was excluded, or why it was kept untested; null for a plain pass. */
  reason: string | null;
}

export type RefineThresholds = Pick<KbSettings, 'agreementZ' | 'emptyTextSimilarity'>;

export function measurePair(
  pair: { fileId: number; text: Float32Array; audio: Float32Array },
  references: ReferenceSounds,
  emptyText: Float32Array,
  minSpread: number,
): PairMeasure {
  return { agreement: references.z(pair.text, pair.audio, minSpread, pair.fileId), emptySimilarity: dot(pair.text, emptyText) };
}

/**
 * The verdict of a measured pair. Thresholds apply when a verdict is read, so changing a setting
 * takes effect without measuring again.
 */
export function verdictOf(m: PairMeasure, s: RefineThresholds): PairVerdict {
  if (m.emptySimilarity >= s.emptyTextSimilarity) return { kept: false, agreement: m.agreement, reason: 'the caption says nothing the model understands' };
  if (m.agreement === null) return { kept: true, agreement: null, reason: 'untested: too few other embedded sounds in the library' };
  if (m.agreement < s.agreementZ) {
    return { kept: false, agreement: m.agreement, reason: `the caption does not match its audio (z ${m.agreement.toFixed(2)} < ${s.agreementZ})` };
  }
  return { kept: true, agreement: m.agreement, reason: null };
}

/** SQL condition (over kb_refinement r) equal to verdictOf(...).kept, with its two parameters. */
export const KEPT_SQL = `(r.empty_similarity < ? AND (r.agreement IS NULL OR r.agreement >= ?))`;
export const keptParams = (s: RefineThresholds) => [s.emptyTextSimilarity, s.agreementZ];
