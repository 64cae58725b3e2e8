/**
 * Calibrated agreement between a text and a sound, shared by refinement and keywords: how many
 * robust spreads the text's similarity to this sound stands above its similarity to reference
 * sounds from the library (median and MAD, so a cluster of like sounds among the references moves
 * the level little). The same idea as the CLAP critic's z against references (README "Critics").
 */
import { dot } from './file-audio';

/** 1.4826·MAD estimates a standard deviation for normally distributed scores. */
const MAD_SCALE = 1.4826;
/** Fewer references than this give no usable level: the caller treats the text as untested. */
export const MIN_REFERENCES = 3;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** z of `own` against the reference scores; null when there are too few references. */
export function robustZ(own: number, references: number[], minSpread: number): number | null {
  if (references.length < MIN_REFERENCES) return null;
  const level = median(references);
  const spread = Math.max(minSpread, MAD_SCALE * median(references.map((r) => Math.abs(r - level))));
  return (own - level) / spread;
}

/** A fixed set of reference sounds (audio vectors with their files) to calibrate texts against. */
export class ReferenceSounds {
  constructor(readonly items: readonly { fileId: number; vector: Float32Array }[]) {}

  /** The text's similarity to every reference except the given file's (leave-one-out). */
  scores(text: Float32Array, excludeFileId?: number): number[] {
    const out: number[] = [];
    for (const r of this.items) if (r.fileId !== excludeFileId) out.push(dot(text, r.vector));
    return out;
  }

  /** z of the text on this audio against the references (null: too few references). */
  z(text: Float32Array, audio: Float32Array, minSpread: number, excludeFileId?: number): number | null {
    return robustZ(dot(text, audio), this.scores(text, excludeFileId), minSpread);
  }
}
