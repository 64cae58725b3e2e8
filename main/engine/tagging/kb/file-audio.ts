import type { Db } from '../../db/open';
import type { VectorSpaces } from '../../library/spaces';

/** Ids per `IN (json_each)` statement. */
const ID_CHUNK = 8_192;

/** v / |v| in place; a zero vector stays zero. */
export function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

export function dot(a: Float32Array, b: Float32Array, offsetB = 0): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[offsetB + i];
  return s;
}

/**
 * A file's audio embedding as the knowledge base uses it: the mean of its stored window vectors
 * in the space, normalised (seed 001's Enc_A(A) for a sound longer than one window). Files with no
 * windows in the space are absent from the result.
 */
export function fileAudioVectors(db: Db, spaces: VectorSpaces, space: string, fileIds: readonly number[]): Map<number, Float32Array> {
  const out = new Map<number, Float32Array>();
  const store = spaces.existing(space);
  if (!store || !fileIds.length) return out;
  const stmt = db.prepare(`SELECT id, file_id FROM windows WHERE space = ? AND file_id IN (SELECT value FROM json_each(?))`);
  for (let i = 0; i < fileIds.length; i += ID_CHUNK) {
    const rows = stmt.all(space, JSON.stringify(fileIds.slice(i, i + ID_CHUNK))) as { id: number; file_id: number }[];
    for (const r of rows) {
      const v = store.get(r.id);
      if (!v) continue;
      const sum = out.get(r.file_id);
      if (sum) for (let d = 0; d < v.length; d++) sum[d] += v[d];
      else out.set(r.file_id, Float32Array.from(v));
    }
  }
  for (const v of out.values()) normalize(v);
  return out;
}
