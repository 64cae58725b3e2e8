/**
 * Pair-to-pair retrieval (seed 001 §3.3–3.4): S = W·<A_q, A_k> + (1−W)·<T_q, T_k> (eq. 4, 6) over
 * every refined pair, exactly (no approximate index: a knowledge base is the library's described
 * files rather than its windows, and W is per query, so no single index serves all W). Rows are in
 * file-id order and ties keep that order, so W = 1 ranks exactly as audio alone and W = 0 as text
 * alone.
 */
import { dot } from './file-audio';
import { WasmRowScorer } from './row-scores-wasm';
import type { KbHit } from './types';

/** The refined pairs as two row-major matrices, one row per pair, in file-id order. */
export interface PairMatrix {
  dim: number;
  fileIds: number[];
  paths: string[];
  captions: string[];
  audio: RowScorer;
  text: RowScorer;
}

/** Scores query vectors against the rows of a matrix. */
export interface RowScorer {
  scores(v: Float32Array): Float32Array;
  /** The row as stored. */
  row(i: number): Float32Array;
}

/** A row-major matrix scored by the SIMD kernel where the host has one, else by a JavaScript loop. */
export function rowScorer(matrix: Float32Array, dim: number, kernel: 'wasm' | 'js' = 'wasm'): RowScorer {
  const wasm = kernel === 'wasm' ? WasmRowScorer.create(matrix, dim) : null;
  const n = matrix.length / dim;
  return {
    scores: wasm
      ? (v) => wasm.scores(v)
      : (v) => {
          const out = new Float32Array(n);
          for (let i = 0; i < n; i++) out[i] = dot(v, matrix, i * dim);
          return out;
        },
    row: (i) => matrix.subarray(i * dim, (i + 1) * dim),
  };
}

/**
 * The top k pairs. `textScores` may be given when the same text query is asked again (label
 * phrases repeat across files): the text half of S is then not computed again.
 */
export function rankPairs(
  m: PairMatrix,
  q: { audio: Float32Array; text: Float32Array },
  o: { w: number; k: number; excludeFileId?: number },
  textScores: Float32Array = m.text.scores(q.text),
): KbHit[] {
  const k = Math.max(0, Math.min(o.k, m.fileIds.length));
  if (!k) return [];
  const audioScores = m.audio.scores(q.audio);
  // Top k by insertion: k is small, and a later row enters only with a strictly higher score,
  // so equal scores keep file-id order.
  const best: number[] = [];
  const score = (i: number) => o.w * audioScores[i] + (1 - o.w) * textScores[i];
  for (let i = 0; i < m.fileIds.length; i++) {
    if (m.fileIds[i] === o.excludeFileId) continue;
    const s = score(i);
    if (best.length === k && s <= score(best[k - 1])) continue;
    let j = best.length === k ? k - 1 : best.length;
    while (j > 0 && score(best[j - 1]) < s) {
      best[j] = best[j - 1];
      j--;
    }
    best[j] = i;
  }
  return best.map((i) => ({
    fileId: m.fileIds[i],
    path: m.paths[i],
    caption: m.captions[i],
    score: score(i),
    audioScore: audioScores[i],
    textScore: textScores[i],
  }));
}
