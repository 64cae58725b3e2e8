/** One nearest-neighbour hit: the window id and its cosine similarity to the query (higher is closer). */
export interface VectorHit {
  id: number;
  score: number;
}

/**
 * The vectors of one embedding space (one model pack + dtype), keyed by window id. Vectors are
 * L2-normalised by the caller. Writes join the caller's transaction.
 */
export interface VectorStore {
  readonly space: string;
  readonly dim: number;
  upsert(items: { id: number; vector: Float32Array }[]): void;
  remove(ids: number[]): void;
  /** Approximately the k most similar windows, scores exact. */
  search(query: Float32Array, k: number): VectorHit[];
  /**
   * Exact similarity of each query to each given window id, one map per query (ids without a
   * vector are absent). The vectors are read once for all the queries.
   */
  scoreIds(queries: readonly Float32Array[], ids: readonly number[]): Map<number, number>[];
  /** The stored vector of a window, or undefined. */
  get(id: number): Float32Array | undefined;
  count(): number;
}
