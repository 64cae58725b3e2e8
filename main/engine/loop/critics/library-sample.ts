import type { Db } from '../../db/open';
import type { VectorSpaces } from '../../library/spaces';

/**
 * A fixed, spread-out sample of the library's stored window embeddings in one space, for the CLAP
 * critic's reference set: real sounds of the user's own kind, without a model call. The order is
 * a multiplicative hash of the id, so the sample is the same every time for the same library.
 */
export function libraryReferenceVectors(db: Db, spaces: VectorSpaces, space: string, count: number): Float32Array[] {
  if (count <= 0) return [];
  const store = spaces.existing(space);
  if (!store) return [];
  const ids = db
    .prepare(`SELECT id FROM windows WHERE space = ? ORDER BY (id * 2654435761) % 4294967296 LIMIT ?`)
    .all(space, count) as { id: number }[];
  return ids.map((r) => store.get(r.id)).filter((v): v is Float32Array => !!v);
}
