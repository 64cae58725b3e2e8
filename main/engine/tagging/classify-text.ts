/**
 * The UCS class vectors of a CLAP pack: each CatID's prompt ensemble embedded once per pack and
 * stored in the vector space `<embedder space>:ucs-<version>/p<prompt version>/<prompts>` (id = the
 * CatID's position in the list + 1), so later tag jobs read 752 vectors instead of embedding ~4,500
 * prompts again. A changed prompt recipe or UCS version is a new space name.
 */
import type { Db } from '../db/open';
import type { Embedder } from '../models/types';
import type { VectorSpaces } from '../library/spaces';
import type { UcsCatalogue } from '../ucs/catalogue';
import { categoryPrompts, PROMPT_VERSION } from './classify-prompts';

/** Texts per embedText call. */
const BATCH = 64;

export interface ClassVectors {
  /** Row i is the class vector of ucs.categories[i], unit length; dim per row. */
  matrix: Float32Array;
  dim: number;
  space: string;
}

export function classSpaceOf(embedderSpace: string, ucs: UcsCatalogue, promptsPerCategory: number): string {
  return `${embedderSpace}:ucs-${ucs.version}/p${PROMPT_VERSION}/${promptsPerCategory}`;
}

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

export async function classVectors(
  db: Db,
  embedder: Embedder,
  spaces: VectorSpaces,
  ucs: UcsCatalogue,
  promptsPerCategory: number,
  signal?: AbortSignal,
): Promise<ClassVectors> {
  const space = classSpaceOf(embedder.space, ucs, promptsPerCategory);
  const n = ucs.categories.length;
  const store = spaces.open(space, embedder.dim);
  const matrix = new Float32Array(n * embedder.dim);
  if (store.count() === n) {
    for (let i = 0; i < n; i++) {
      const v = store.get(i + 1);
      if (!v) break;
      matrix.set(v, i * embedder.dim);
      if (i === n - 1) return { matrix, dim: embedder.dim, space };
    }
  }
  const prompts = ucs.categories.map((c) => categoryPrompts(c, promptsPerCategory));
  const flat = prompts.flat();
  const vectors: Float32Array[] = [];
  for (let i = 0; i < flat.length; i += BATCH) {
    signal?.throwIfAborted();
    vectors.push(...(await embedder.embedText(flat.slice(i, i + BATCH))));
  }
  let k = 0;
  const items: { id: number; vector: Float32Array }[] = [];
  prompts.forEach((ps, i) => {
    const mean = new Float32Array(embedder.dim);
    for (const _ of ps) {
      const v = normalise(Float32Array.from(vectors[k++]));
      for (let d = 0; d < mean.length; d++) mean[d] += v[d];
    }
    normalise(mean);
    matrix.set(mean, i * embedder.dim);
    items.push({ id: i + 1, vector: mean });
  });
  db.transaction(() => store.upsert(items))();
  return { matrix, dim: embedder.dim, space };
}
