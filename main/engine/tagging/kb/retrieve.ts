/**
 * Pair-to-pair retrieval (seed 001 §3.3–3.4): S = W·<A_q, A_k> + (1−W)·<T_q, T_k> (eq. 4, 6) over
 * every refined pair, exactly (no approximate index: a knowledge base is the library's described
 * files, thousands rather than millions, and W is per query, so no single index serves all W).
 * Ties break by file id, so W = 1 ranks exactly as audio alone and W = 0 as text alone.
 */
import { dot } from './file-audio';
import type { KbHit } from './types';

/** The refined pairs as two row-major matrices, one row per pair. */
export interface PairMatrix {
  dim: number;
  fileIds: number[];
  paths: string[];
  captions: string[];
  audio: Float32Array;
  text: Float32Array;
}

/** Every pair's score for the query (same order as the matrix rows). */
export function pairScores(m: PairMatrix, q: { audio: Float32Array; text: Float32Array }, w: number): { score: number; audioScore: number; textScore: number }[] {
  const out = new Array(m.fileIds.length);
  for (let i = 0; i < m.fileIds.length; i++) {
    const audioScore = dot(q.audio, m.audio, i * m.dim);
    const textScore = dot(q.text, m.text, i * m.dim);
    out[i] = { score: w * audioScore + (1 - w) * textScore, audioScore, textScore };
  }
  return out;
}

export function rankPairs(m: PairMatrix, q: { audio: Float32Array; text: Float32Array }, o: { w: number; k: number; excludeFileId?: number }): KbHit[] {
  const scores = pairScores(m, q, o.w);
  const hits: KbHit[] = [];
  for (let i = 0; i < m.fileIds.length; i++) {
    if (m.fileIds[i] === o.excludeFileId) continue;
    hits.push({ fileId: m.fileIds[i], path: m.paths[i], caption: m.captions[i], ...scores[i] });
  }
  hits.sort((a, b) => b.score - a.score || a.fileId - b.fileId);
  return hits.slice(0, Math.max(0, o.k));
}
