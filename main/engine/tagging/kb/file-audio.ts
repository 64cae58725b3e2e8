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

/** <a, b[offsetB …]>; four running sums (about 1.4× faster than one, measured in bench:kb). */
export function dot(a: Float32Array, b: Float32Array, offsetB = 0): number {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o = offsetB + i;
    s0 += a[i] * b[o];
    s1 += a[i + 1] * b[o + 1];
    s2 += a[i + 2] * b[o + 2];
    s3 += a[i + 3] * b[o + 3];
  }
  for (; i < n; i++) s0 += a[i] * b[offsetB + i];
  return s0 + s1 + s2 + s3;
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
