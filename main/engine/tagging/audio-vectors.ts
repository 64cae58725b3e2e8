/**
 * A file's stored window vectors in one embedding space, read in batches, and their mean
 * (normalised): the knowledge base's Enc_A of the whole file.
 */
import type { Db } from '../db/open';
import type { VectorSpaces } from '../library/spaces';

/** Ids per `IN (json_each)` statement. */
const ID_CHUNK = 8_192;

export function fileWindowVectors(db: Db, spaces: VectorSpaces, space: string, fileIds: readonly number[]): Map<number, Float32Array[]> {
  const out = new Map<number, Float32Array[]>();
  const store = spaces.existing(space);
  if (!store || !fileIds.length) return out;
  const stmt = db.prepare(`SELECT id, file_id FROM windows WHERE space = ? AND file_id IN (SELECT value FROM json_each(?)) ORDER BY file_id, start`);
  for (let i = 0; i < fileIds.length; i += ID_CHUNK) {
    for (const r of stmt.all(space, JSON.stringify(fileIds.slice(i, i + ID_CHUNK))) as { id: number; file_id: number }[]) {
      const v = store.get(r.id);
      if (!v) continue;
      const list = out.get(r.file_id);
      if (list) list.push(v);
      else out.set(r.file_id, [v]);
    }
  }
  return out;
}

/** The mean of the windows, unit length. */
export function meanVector(windows: readonly Float32Array[]): Float32Array {
  const mean = Float32Array.from(windows[0]);
  for (let w = 1; w < windows.length; w++) for (let d = 0; d < mean.length; d++) mean[d] += windows[w][d];
  let n = 0;
  for (let d = 0; d < mean.length; d++) n += mean[d] * mean[d];
  n = Math.sqrt(n);
  if (n > 0) for (let d = 0; d < mean.length; d++) mean[d] /= n;
  return mean;
}
