/**
 * UCS classification of one file: zero-shot CLAP scores against every CatID's class vector, fused
 * with the file's own words, turned into a calibrated confidence.
 *
 *   logit_c = max_w cos(A_w, C_c) / T + wordWeight · words_c
 *   confidence_c = softmax(logit)_c over all 752 CatIDs
 *
 * A_w are the file's stored window vectors: a long file is the category of its most telling window
 * (a whoosh then a whistle is both, not the blend of the two that its mean vector would be). A raw
 * cosine is not a probability (CLAP cosines crowd into a narrow band whose place depends on
 * the pack), so the confidence is a softmax with temperature T: T is fitted by maximum likelihood on
 * the library's own labelled files (those that carry a CatID) when there are enough of them, else
 * the configured default (README "Tagging" says why this default). Word evidence adds to the logit
 * (a log-likelihood ratio per matching word), so a file named "Thunder_Far_03" leans to WEATHER-THUNDER
 * even before its audio is heard, and a file with no CLAP vector is still classified by its words.
 */
import type { CatScore } from '../../../preload/contract/tagging';
import type { UcsCatalogue, UcsCategory } from '../ucs/catalogue';
import type { ClassVectors } from './classify-text';
import type { UcsWordIndex } from './classify-words';

export interface ClassifierSettings {
  temperature: number;
  wordWeight: number;
}

export interface Classification {
  /** The top 3, best first. */
  top: CatScore[];
  best: UcsCategory;
}

/** The grid the temperature is fitted on: 0.005 … 1, log-spaced. */
const T_GRID = Array.from({ length: 48 }, (_, i) => 0.005 * Math.pow(200, i / 47));

export class UcsClassifier {
  private temperature: number;

  constructor(
    readonly ucs: UcsCatalogue,
    private readonly classes: ClassVectors | null,
    private readonly words: UcsWordIndex,
    private readonly settings: ClassifierSettings,
  ) {
    this.temperature = settings.temperature;
  }

  get currentTemperature(): number {
    return this.temperature;
  }

  /** Per CatID, the best cosine of any of the (unit) window vectors with its class vector. */
  audioScores(windows: readonly Float32Array[]): Float32Array {
    const { matrix, dim } = this.classes!;
    const n = this.ucs.categories.length;
    const out = new Float32Array(n).fill(-Infinity);
    // Four partial sums: this loop is the classification's whole cost (752 × 512 per window), and
    // independent accumulators let the JIT overlap the multiply-adds (about twice as fast).
    const tail = dim - (dim % 4);
    for (const audio of windows) {
      for (let c = 0; c < n; c++) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let o = c * dim;
        let d = 0;
        for (; d < tail; d += 4, o += 4) {
          s0 += audio[d] * matrix[o];
          s1 += audio[d + 1] * matrix[o + 1];
          s2 += audio[d + 2] * matrix[o + 2];
          s3 += audio[d + 3] * matrix[o + 3];
        }
        for (; d < dim; d++, o++) s0 += audio[d] * matrix[o];
        const s = s0 + s1 + s2 + s3;
        if (s > out[c]) out[c] = s;
      }
    }
    return out;
  }

  /**
   * Fits T by maximum likelihood of the labelled files' own CatIDs under the audio-only softmax;
   * returns the T now in use (unchanged when fewer than `minFiles` labels are given).
   */
  fitTemperature(labelled: { windows: Float32Array[]; catId: string }[], minFiles: number): number {
    if (!this.classes || labelled.length < minFiles) return this.temperature;
    const rows = labelled
      .map((l) => ({ scores: this.audioScores(l.windows), target: this.indexOf(l.catId) }))
      .filter((r) => r.target >= 0);
    if (rows.length < minFiles) return this.temperature;
    let best = { t: this.temperature, nll: Infinity };
    for (const t of T_GRID) {
      let nll = 0;
      for (const r of rows) nll -= logSoftmaxAt(r.scores, 1 / t, r.target);
      if (nll < best.nll) best = { t, nll };
    }
    this.temperature = best.t;
    return best.t;
  }

  classify(windows: readonly Float32Array[] | null, fileWords: string[]): Classification | null {
    const n = this.ucs.categories.length;
    const wordScores = this.words.score(fileWords);
    const audioScores = windows?.length && this.classes ? this.audioScores(windows) : null;
    if (!audioScores && !wordScores.size) return null;
    const logits = new Float64Array(n);
    for (let c = 0; c < n; c++) {
      logits[c] = (audioScores ? audioScores[c] / this.temperature : 0) + this.settings.wordWeight * (wordScores.get(c)?.score ?? 0);
    }
    let max = -Infinity;
    for (let c = 0; c < n; c++) max = Math.max(max, logits[c]);
    let sum = 0;
    for (let c = 0; c < n; c++) sum += Math.exp(logits[c] - max);
    const order = topK(logits, 3);
    const top = order.map((c) => {
      const cat = this.ucs.categories[c];
      return {
        catId: cat.catId,
        category: cat.category,
        subCategory: cat.subCategory,
        confidence: Math.exp(logits[c] - max) / sum,
        audio: audioScores ? audioScores[c] : null,
        words: wordScores.get(c)?.words ?? [],
      };
    });
    return { top, best: this.ucs.categories[order[0]] };
  }

  private indexOf(catId: string): number {
    const found = this.ucs.lookup(catId);
    return found ? this.ucs.categories.indexOf(found) : -1;
  }
}

function logSoftmaxAt(scores: Float32Array, scale: number, target: number): number {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i] * scale);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += Math.exp(scores[i] * scale - max);
  return scores[target] * scale - max - Math.log(sum);
}

/** Indices of the k largest values, largest first (ties: lower index first). */
function topK(values: Float64Array, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (best.length < k || values[i] > values[best[best.length - 1]]) {
      best.push(i);
      best.sort((a, b) => values[b] - values[a] || a - b);
      if (best.length > k) best.pop();
    }
  }
  return best;
}
