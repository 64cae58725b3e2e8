import type { Embedder } from '../../models/types';

/** Texts kept per embedder: UCS synonyms and label phrases repeat across thousands of files. */
const LIMIT = 20_000;
const caches = new WeakMap<Embedder, Map<string, Float32Array>>();

/** Text embeddings, each text embedded once per embedder (while fewer than LIMIT are kept). */
export async function embedTexts(embedder: Embedder, texts: readonly string[]): Promise<Float32Array[]> {
  let cache = caches.get(embedder);
  if (!cache) caches.set(embedder, (cache = new Map()));
  const missing = [...new Set(texts.filter((t) => !cache.has(t)))];
  if (missing.length) {
    const vectors = await embedder.embedText(missing);
    if (cache.size + missing.length > LIMIT) cache.clear();
    missing.forEach((t, i) => cache.set(t, vectors[i]));
  }
  return texts.map((t) => cache.get(t)!);
}
