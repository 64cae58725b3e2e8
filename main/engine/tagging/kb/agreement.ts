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

/**
 * The reference sounds a text is calibrated against, two sets: a fixed, spread-out sample of the
 * library (does the text pick this sound out of the user's own sounds?) and synthetic noises that
 * contain no event (does it match this sound better than chance?). A text's z is the larger of the
 * two: the library alone would fail every right pair of a library made of one kind of sound (ten
 * thunder files: the median reference is thunder), the noises alone know nothing of the user's
 * sounds; a wrong caption fails both.
 */
export class ReferenceSounds {
  /** Levels per text key: captioning asks about the same synonyms and captions again and again. */
  private readonly levels = new Map<string, { library: Level | null; noise: Level | null }>();

  constructor(
    readonly library: readonly { fileId: number; vector: Float32Array }[],
    readonly noise: readonly Float32Array[],
  ) {}

  private libraryScores(text: Float32Array, excludeFileId?: number): number[] {
    const out: number[] = [];
    for (const r of this.library) if (r.fileId !== excludeFileId) out.push(dot(text, r.vector));
    return out;
  }

  private levelsOf(text: Float32Array, minSpread: number, excludeFileId?: number) {
    return {
      library: robustLevel(this.libraryScores(text, excludeFileId), minSpread),
      noise: robustLevel(this.noise.map((v) => dot(text, v)), minSpread),
    };
  }

  /** z of the text on this audio (the larger of library and noise), leaving the pair's own file out; null: too few references. */
  z(text: Float32Array, audio: Float32Array, minSpread: number, excludeFileId?: number): number | null {
    return zOf(dot(text, audio), this.levelsOf(text, minSpread, excludeFileId));
  }

  /**
   * The same z, its levels computed once per `key` (the text itself, or a pair's id and caption)
   * with every library reference: one file among hundreds moves the median and MAD by a rank.
   */
  zCached(key: string, text: Float32Array, audio: Float32Array, minSpread: number): number | null {
    let l = this.levels.get(key);
    if (!l) this.levels.set(key, (l = this.levelsOf(text, minSpread)));
    return zOf(dot(text, audio), l);
  }
}

function zOf(score: number, l: { library: Level | null; noise: Level | null }): number | null {
  const zs = [l.library, l.noise].filter((x): x is Level => !!x).map((x) => (score - x.level) / x.spread);
  return zs.length ? Math.max(...zs) : null;
}
