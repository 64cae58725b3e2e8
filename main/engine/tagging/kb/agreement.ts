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

export interface Level {
  level: number;
  spread: number;
}

/** Median and floored 1.4826·MAD of the reference scores; null when there are too few. */
export function robustLevel(references: number[], minSpread: number): Level | null {
  if (references.length < MIN_REFERENCES) return null;
  const level = median(references);
  const spread = Math.max(minSpread, MAD_SCALE * median(references.map((r) => Math.abs(r - level))));
  return { level, spread };
}

/** z of `own` against the reference scores; null when there are too few references. */
export function robustZ(own: number, references: number[], minSpread: number): number | null {
  const l = robustLevel(references, minSpread);
  return l && (own - l.level) / l.spread;
}

/** A fixed set of reference sounds (audio vectors with their files) to calibrate texts against. */
export class ReferenceSounds {
  /** Level and spread per text key: captioning asks about the same synonyms and captions again and again. */
  private readonly levels = new Map<string, Level | null>();

  constructor(readonly items: readonly { fileId: number; vector: Float32Array }[]) {}

  /** The text's similarity to every reference except the given file's (leave-one-out). */
  scores(text: Float32Array, excludeFileId?: number): number[] {
    const out: number[] = [];
    for (const r of this.items) if (r.fileId !== excludeFileId) out.push(dot(text, r.vector));
    return out;
  }

  /** z of the text on this audio against the references, leaving the pair's own file out (null: too few references). */
  z(text: Float32Array, audio: Float32Array, minSpread: number, excludeFileId?: number): number | null {
    return robustZ(dot(text, audio), this.scores(text, excludeFileId), minSpread);
  }

  /**
   * The same z against all references, their level and spread computed once per `key` (the text
   * itself, or a pair's id and caption). Used when captioning, where one file among hundreds of
   * references changes the median and MAD by at most one rank.
   */
  zCached(key: string, text: Float32Array, audio: Float32Array, minSpread: number): number | null {
    let l = this.levels.get(key);
    if (l === undefined) this.levels.set(key, (l = robustLevel(this.scores(text), minSpread)));
    return l && (dot(text, audio) - l.level) / l.spread;
  }
}
