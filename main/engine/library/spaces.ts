import type { Db } from '../db/open';
import { openVectorStore } from './vector-store';
import type { VectorStore } from './vector-types';

/** The vector stores of this database, one per embedding space, opened once and kept. */
export class VectorSpaces {
  private readonly stores = new Map<string, VectorStore>();

  constructor(private readonly db: Db) {}

  open(space: string, dim: number): VectorStore {
    let store = this.stores.get(space);
    if (!store) {
      store = openVectorStore(this.db, space, dim);
      this.stores.set(space, store);
    }
    return store;
  }

  /** The store of a space that already has vectors, or undefined. */
  existing(space: string): VectorStore | undefined {
    const row = this.db.prepare(`SELECT dim FROM vector_spaces WHERE name = ?`).get(space) as { dim: number } | undefined;
    return row ? this.open(space, row.dim) : undefined;
  }

  /** Removes the given windows' vectors from their spaces. */
  removeWindows(bySpace: Map<string, number[]>): void {
    for (const [space, ids] of bySpace) this.existing(space)?.remove(ids);
  }
}
