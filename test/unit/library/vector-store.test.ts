import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../main/engine/db/open';
import { CuebankError } from '../../../main/engine/errors';
import { BitCodeArena } from '../../../main/engine/library/vector-kernels';
import { dropVectorSpace, openVectorStore, vectorTableBase, type VectorStoreOptions } from '../../../main/engine/library/vector-store';
import type { VectorHit } from '../../../main/engine/library/vector-types';
import { Prng } from '../../fixtures/prng';

const DIM = 64;

let dir: string;
let file: string;
let db: Db;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-vectors-'));
  file = path.join(dir, 'library.db');
  db = openDatabase(file);
});

afterEach(() => {
  if (db.open) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function unit(v: Float32Array): Float32Array {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

function randomVectors(count: number, seed: number, dim = DIM): Float32Array[] {
  const r = new Prng(seed);
  return Array.from({ length: count }, () => unit(Float32Array.from({ length: dim }, () => r.gaussian())));
}

/**
 * Points around a few centres, each cluster spread along a few directions of its own plus a little
 * noise, so nearest neighbours are meaningful (as with real embeddings, unlike uniform noise).
 */
function clustered(count: number, seed: number, centres = 12, dim = DIM): Float32Array[] {
  const r = new Prng(seed);
  const cs = randomVectors(centres, 1000, dim);
  const dirs = cs.map((_, c) => randomVectors(4, 2000 + c, dim));
  return Array.from({ length: count }, () => {
    const c = Math.floor(r.next() * centres);
    const v = cs[c].map((x) => x + (0.1 * r.gaussian()) / Math.sqrt(dim));
    for (const d of dirs[c]) {
      const z = 0.3 * r.gaussian();
      for (let i = 0; i < dim; i++) v[i] += z * d[i];
    }
    return unit(v);
  });
}

function cosine(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += a[i] * b[i];
  return d / (Math.hypot(...a) * Math.hypot(...b));
}

function bruteForce(q: Float32Array, vectors: Map<number, Float32Array>, k: number): VectorHit[] {
  return [...vectors]
    .map(([id, v]) => ({ id, score: cosine(q, v) }))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, k);
}

function fill(store: ReturnType<typeof openVectorStore>, vectors: Float32Array[], firstId = 1): Map<number, Float32Array> {
  const items = vectors.map((vector, i) => ({ id: firstId + i, vector }));
  db.transaction(() => store.upsert(items))();
  return new Map(items.map((it) => [it.id, it.vector]));
}

/** Options that force the approximate cascade (Hamming, sign-dot, exact rerank) on a small set. */
const CASCADE: VectorStoreOptions = { rerank: 40, rerankPerResult: 2, hamming: 200, hammingFraction: 0, hammingPerRerank: 4 };

describe('openVectorStore', () => {
  it('registers the space with its dimension and refuses another dimension', () => {
    openVectorStore(db, 'clap/fp32', DIM);
    expect(db.prepare(`SELECT name, dim FROM vector_spaces`).all()).toEqual([{ name: 'clap/fp32', dim: DIM }]);
    expect(() => openVectorStore(db, 'clap/fp32', DIM + 1)).toThrow(CuebankError);
    expect(() => openVectorStore(db, 'clap/fp32', DIM + 1)).toThrow(/holds 64-dimensional vectors, not 65/);
    expect(() => openVectorStore(db, '', DIM)).toThrow(CuebankError);
    expect(() => openVectorStore(db, 'x', 0)).toThrow(CuebankError);
    // Opening again with the right dimension is fine.
    expect(openVectorStore(db, 'clap/fp32', DIM).dim).toBe(DIM);
  });

  it('derives safe, distinct table names from any space name', () => {
    const names = ['clap/fp32', 'CLAP/fp32', 'clap_fp32', `"; DROP TABLE files; --`, 'звук'];
    const bases = names.map(vectorTableBase);
    expect(new Set(bases).size).toBe(names.length);
    for (const b of bases) expect(b).toMatch(/^vs_[a-z0-9_]+$/);
    for (const n of names) openVectorStore(db, n, DIM).upsert([{ id: 1, vector: randomVectors(1, 3)[0] }]);
    expect(db.prepare(`SELECT COUNT(*) FROM files`).pluck().get()).toBe(0);
    expect(db.prepare(`SELECT COUNT(*) FROM vector_spaces`).pluck().get()).toBe(names.length);
  });

  it('rejects vectors and queries of the wrong length', () => {
    const store = openVectorStore(db, 's', DIM);
    expect(() => store.upsert([{ id: 1, vector: new Float32Array(DIM - 1) }])).toThrow(/64 values/);
    expect(() => store.search(new Float32Array(DIM + 1), 5)).toThrow(CuebankError);
    expect(() => store.scoreIds([new Float32Array(3)], [1])).toThrow(CuebankError);
    expect(store.count()).toBe(0);
  });
});

describe('VectorStore writes', () => {
  it('upserts, replaces, gets, counts and removes', () => {
    const store = openVectorStore(db, 's', DIM);
    const [a, b, c, d] = randomVectors(4, 1);
    store.upsert([
      { id: 10, vector: a },
      { id: 11, vector: b },
      { id: 12, vector: c },
    ]);
    expect(store.count()).toBe(3);
    expect(Array.from(store.get(11)!)).toEqual(Array.from(b));
    expect(store.get(99)).toBeUndefined();

    store.upsert([{ id: 11, vector: d }]);
    expect(store.count()).toBe(3);
    expect(Array.from(store.get(11)!)).toEqual(Array.from(d));

    store.remove([10, 12, 404]);
    expect(store.count()).toBe(1);
    expect(store.get(10)).toBeUndefined();
    expect(store.get(12)).toBeUndefined();
    expect(store.search(d, 5).map((h) => h.id)).toEqual([11]);
    store.upsert([]);
    store.remove([]);
    expect(store.count()).toBe(1);
  });

  it('returns a copy from get, not a view of internal memory', () => {
    const store = openVectorStore(db, 's', DIM);
    const [a] = randomVectors(1, 2);
    store.upsert([{ id: 1, vector: a }]);
    const got = store.get(1)!;
    got.fill(0);
    expect(Array.from(store.get(1)!)).toEqual(Array.from(a));
  });

  it('leaves nothing behind when the caller’s transaction rolls back', () => {
    const store = openVectorStore(db, 's', DIM);
    const vectors = randomVectors(30, 4);
    const kept = fill(store, vectors.slice(0, 10));
    expect(store.search(vectors[0], 3)[0].id).toBe(1); // memory copy loaded

    const fail = db.transaction(() => {
      store.upsert(vectors.slice(10).map((vector, i) => ({ id: 100 + i, vector })));
      store.remove([1, 2]);
      expect(store.count()).toBe(28); // visible inside the transaction
      throw new Error('crash in the middle of a batch');
    });
    expect(fail).toThrow('crash');

    expect(store.count()).toBe(10);
    for (let i = 0; i < 20; i++) expect(store.get(100 + i)).toBeUndefined();
    expect(store.get(1)).toBeDefined();
    for (const q of vectors) {
      const hits = store.search(q, 10);
      expect(hits.map((h) => h.id).sort((x, y) => x - y)).toEqual([...kept.keys()]);
    }
    // Also through the approximate path.
    const cascade = openVectorStore(db, 's', DIM, { ...CASCADE, rerank: 4, rerankPerResult: 0, hamming: 4, hammingPerRerank: 1 });
    expect(cascade.search(vectors[15], 4).every((h) => kept.has(h.id))).toBe(true);
  });

  it('follows a rolled-back savepoint inside a transaction that commits', () => {
    const store = openVectorStore(db, 's', DIM);
    const vectors = randomVectors(6, 5);
    fill(store, vectors.slice(0, 3));
    store.search(vectors[0], 1);
    db.transaction(() => {
      try {
        db.transaction(() => {
          store.upsert([{ id: 50, vector: vectors[5] }]);
          throw new Error('inner');
        })();
      } catch {
        // the inner savepoint is rolled back, the outer transaction goes on
      }
      store.upsert([{ id: 60, vector: vectors[4] }]);
    })();
    expect(store.get(50)).toBeUndefined();
    expect(store.count()).toBe(4);
    expect(store.search(vectors[5], 10).map((h) => h.id)).not.toContain(50);
    expect(store.search(vectors[4], 1)[0].id).toBe(60);
  });

  it('keeps its vectors when the database is closed and reopened', () => {
    let store = openVectorStore(db, 'clap', DIM);
    const vectors = fill(store, randomVectors(50, 6));
    store.remove([7]);
    vectors.delete(7);
    db.close();

    db = openDatabase(file);
    store = openVectorStore(db, 'clap', DIM);
    expect(store.count()).toBe(49);
    expect(Array.from(store.get(3)!)).toEqual(Array.from(vectors.get(3)!));
    expect(store.get(7)).toBeUndefined();
    const q = randomVectors(1, 7)[0];
    expect(store.search(q, 5)).toEqual(bruteForce(q, vectors, 5).map((h) => ({ id: h.id, score: expect.closeTo(h.score, 5) })));
  });

  it('sees writes made by another connection to the same file', () => {
    const store = openVectorStore(db, 's', DIM);
    const vectors = randomVectors(5, 8);
    fill(store, vectors.slice(0, 4));
    expect(store.search(vectors[4], 1)[0].id).not.toBe(99);

    const other = openDatabase(file);
    try {
      openVectorStore(other, 's', DIM).upsert([{ id: 99, vector: vectors[4] }]);
      openVectorStore(other, 's', DIM).remove([1]);
    } finally {
      other.close();
    }
    expect(store.count()).toBe(4);
    expect(store.search(vectors[4], 1)[0].id).toBe(99);
    expect(store.search(vectors[0], 10).map((h) => h.id)).not.toContain(1);
  });
});

describe('VectorStore search', () => {
  it('returns the exact top k with cosine similarity scores on a small set', () => {
    const store = openVectorStore(db, 's', DIM);
    const vectors = fill(store, randomVectors(300, 9));
    for (const q of randomVectors(8, 10)) {
      const got = store.search(q, 10);
      const want = bruteForce(q, vectors, 10);
      expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
      got.forEach((h, i) => expect(h.score).toBeCloseTo(want[i].score, 5));
      // Cosine: the query's length does not matter.
      const scaled = store.search(q.map((x) => x * 7.5), 10);
      expect(scaled.map((h) => h.id)).toEqual(got.map((h) => h.id));
      scaled.forEach((h, i) => expect(h.score).toBeCloseTo(got[i].score, 5));
    }
    const self = store.search(vectors.get(42)!, 1)[0];
    expect(self.id).toBe(42);
    expect(self.score).toBeCloseTo(1, 5);
    expect(store.search(vectors.get(1)!, 1000)).toHaveLength(300);
    expect(store.search(vectors.get(1)!, 0)).toEqual([]);
    expect(store.search(new Float32Array(DIM), 5)).toEqual([]);
  });

  it('finds the nearest neighbours through the approximate cascade, with exact scores', () => {
    const store = openVectorStore(db, 's', DIM, CASCADE);
    const vectors = fill(store, clustered(3000, 11));
    let found = 0;
    const queries = clustered(20, 12);
    for (const q of queries) {
      const got = store.search(q, 10);
      expect(got).toHaveLength(10);
      for (let i = 1; i < got.length; i++) expect(got[i - 1].score).toBeGreaterThanOrEqual(got[i].score);
      for (const h of got) expect(h.score).toBeCloseTo(cosine(q, vectors.get(h.id)!), 5);
      const want = new Set(bruteForce(q, vectors, 10).map((h) => h.id));
      found += got.filter((h) => want.has(h.id)).length;
    }
    expect(found / (10 * queries.length)).toBeGreaterThanOrEqual(0.9);
  });

  it('never returns removed ids, before or after reopening', () => {
    let store = openVectorStore(db, 's', DIM, CASCADE);
    const vectors = fill(store, clustered(1500, 13));
    const queries = clustered(10, 14);
    store.search(queries[0], 10); // memory copy loaded before the removals
    const removed = new Set<number>();
    for (const q of queries) for (const h of bruteForce(q, vectors, 5)) removed.add(h.id);
    for (let id = 1; id <= 1500; id += 7) removed.add(id);
    db.transaction(() => store.remove([...removed]))();
    for (const id of removed) vectors.delete(id);
    expect(store.count()).toBe(vectors.size);

    const check = () => {
      for (const q of queries) {
        for (const k of [1, 10, 100, 2000]) {
          const got = store.search(q, k);
          expect(got.length).toBe(Math.min(k, vectors.size));
          for (const h of got) expect(removed.has(h.id)).toBe(false);
        }
        const exact = openVectorStore(db, 's', DIM, { rerank: 1e9 }).search(q, 10).map((h) => h.id);
        expect(exact).toEqual(bruteForce(q, vectors, 10).map((h) => h.id));
      }
    };
    check();
    // Re-adding a removed id brings it back, once.
    store.upsert([{ id: [...removed][0], vector: queries[0] }]);
    expect(store.search(queries[0], 1)[0].id).toBe([...removed][0]);
    store.remove([[...removed][0]]);
    db.close();
    db = openDatabase(file);
    store = openVectorStore(db, 's', DIM, CASCADE);
    check();
  });

  it('gives the same results with the WebAssembly and the JavaScript Hamming kernels', () => {
    const wasm = openVectorStore(db, 's', DIM, CASCADE);
    fill(wasm, clustered(2000, 15));
    const js = openVectorStore(db, 's', DIM, { ...CASCADE, kernel: 'js' });
    for (const q of clustered(5, 16)) expect(js.search(q, 10)).toEqual(wasm.search(q, 10));
    expect(wasm.stats().kernel).toBe('wasm');
    expect(js.stats().kernel).toBe('js');
  });

  it('scores exactly the given ids and leaves out ids without a vector', () => {
    const store = openVectorStore(db, 's', DIM);
    const vectors = fill(store, randomVectors(40, 17));
    const q = randomVectors(1, 18)[0];
    const [scores] = store.scoreIds([q], [3, 5, 5, 39, 1000, -1]);
    expect([...scores.keys()].sort((a, b) => a - b)).toEqual([3, 5, 39]);
    for (const id of [3, 5, 39]) expect(scores.get(id)).toBeCloseTo(cosine(q, vectors.get(id)!), 6);
    expect(store.scoreIds([q], [])[0].size).toBe(0);
    // Several queries in one call: one map per query, in order, each as if scored alone.
    const q2 = randomVectors(1, 21)[0];
    const both = store.scoreIds([q2, q], [39, 3, 5]);
    expect(both).toHaveLength(2);
    expect(both[1]).toEqual(store.scoreIds([q], [39, 3, 5])[0]);
    for (const id of [3, 5, 39]) expect(both[0].get(id)).toBeCloseTo(cosine(q2, vectors.get(id)!), 6);
    expect(both[0].get(3)).not.toBe(both[1].get(3));
    expect(store.scoreIds([], [3, 5])).toEqual([]);
  });
});

describe('vector spaces', () => {
  it('keeps two spaces independent, even with the same ids', () => {
    const a = openVectorStore(db, 'clap-a', DIM);
    const b = openVectorStore(db, 'clap-b', 32);
    const va = randomVectors(20, 19);
    const vb = randomVectors(20, 20, 32);
    fill(a, va);
    db.transaction(() => b.upsert(vb.map((vector, i) => ({ id: i + 1, vector }))))();
    a.remove([1, 2, 3]);
    expect(a.count()).toBe(17);
    expect(b.count()).toBe(20);
    expect(Array.from(b.get(1)!)).toEqual(Array.from(vb[0]));
    expect(b.search(vb[1], 1)[0]).toEqual({ id: 2, score: expect.closeTo(1, 5) });
    expect(a.search(va[0], 20).map((h) => h.id)).not.toContain(1);
  });

  it('drops a space: its tables, its windows and the embedded mark on its files', () => {
    const store = openVectorStore(db, 'old', DIM);
    const other = openVectorStore(db, 'keep', DIM);
    fill(store, randomVectors(5, 21));
    fill(other, randomVectors(5, 22));
    db.prepare(`INSERT INTO folders (id, path, added_at) VALUES (1, '/lib', 0)`).run();
    db.prepare(
      `INSERT INTO files (id, folder_id, path, real_path, name, ext, size, mtime_ms, fingerprint, status, embed_space, indexed_at)
       VALUES (1, 1, '/lib/a.wav', '/lib/a.wav', 'a.wav', 'wav', 1, 0, 'x', 'ok', 'old', 0),
              (2, 1, '/lib/b.wav', '/lib/b.wav', 'b.wav', 'wav', 1, 0, 'y', 'ok', 'keep', 0)`,
    ).run();
    db.prepare(`INSERT INTO windows (id, file_id, space, start, end) VALUES (1, 1, 'old', 0, 1), (2, 2, 'keep', 0, 1)`).run();

    expect(dropVectorSpace(db, 'old')).toBe(true);
    expect(dropVectorSpace(db, 'old')).toBe(false);
    const tablesLeft = db.prepare(`SELECT name FROM sqlite_master WHERE name LIKE ?`).pluck().all(`${vectorTableBase('old')}%`);
    expect(tablesLeft).toEqual([]);
    expect(db.prepare(`SELECT name FROM vector_spaces`).pluck().all()).toEqual(['keep']);
    expect(db.prepare(`SELECT id FROM windows`).pluck().all()).toEqual([2]);
    expect(db.prepare(`SELECT id, embed_space FROM files ORDER BY id`).all()).toEqual([
      { id: 1, embed_space: null },
      { id: 2, embed_space: 'keep' },
    ]);
    expect(other.count()).toBe(5);
    // The name can be used again, even with another dimension.
    const fresh = openVectorStore(db, 'old', 16);
    expect(fresh.count()).toBe(0);
  });
});

describe('loading codes into memory', () => {
  it('pairs every id with its code across load chunks, zero bytes and sparse ids included', () => {
    const dim = 16;
    let store = openVectorStore(db, 'big', dim);
    const r = new Prng(23);
    const items = Array.from({ length: 70_000 }, (_, i) => {
      // Codes are mostly zero bytes (16 bits padded to 64); a few vectors are all negative
      // (their codes are all zero bytes); ids are sparse.
      const v = unit(Float32Array.from({ length: dim }, () => (i % 5000 === 0 ? -0.1 - r.next() : r.gaussian())));
      return { id: 3 * i + 7, vector: v };
    });
    db.transaction(() => store.upsert(items))();
    db.close();
    db = openDatabase(file);
    // The 14 all-negative vectors share one code: enough exact candidates to hold all of them.
    store = openVectorStore(db, 'big', dim, { rerank: 32, rerankFraction: 0, rerankPerResult: 1, hamming: 64, hammingFraction: 0 });
    expect(store.count()).toBe(70_000);
    for (const i of [0, 1, 4, 5000, 65_000, 65_535, 65_536, 65_537, 69_999]) {
      const hit = store.search(items[i].vector, 1)[0];
      expect(hit.score).toBeCloseTo(1, 5);
      expect(Array.from(store.get(hit.id)!)).toEqual(Array.from(items[i].vector));
    }
    expect(store.stats()).toMatchObject({ loaded: true, vectors: 70_000 });
  });
});

describe('BitCodeArena', () => {
  it('scores the picked codes by q·sign(x), the same in both kernels', () => {
    const dim = 100; // not a multiple of 64: the code is padded with zero bits
    const vectors = randomVectors(50, 24, dim);
    const q = randomVectors(1, 25, dim)[0];
    const results = (['wasm', 'js'] as const).map((kernel) => {
      const arena = new BitCodeArena(dim, { kernel });
      for (const v of vectors) arena.push(arena.encode(v));
      const picked = Array.from(arena.nearest(arena.encode(q), 20));
      const scores = Array.from(arena.signDot(q));
      return { picked, scores };
    });
    expect(results[1]).toEqual(results[0]);
    const { picked, scores } = results[0];
    expect(picked).toHaveLength(20);
    picked.forEach((slot, i) => {
      const v = vectors[slot];
      let want = 0;
      for (let j = 0; j < dim; j++) if (v[j] > 0) want += q[j];
      expect(scores[i]).toBeCloseTo(want, 4);
    });
  });

  it('finds the codes nearest in Hamming distance, ties in slot order, the same in both kernels', () => {
    for (const kernel of ['wasm', 'js'] as const) {
      const arena = new BitCodeArena(128, { kernel });
      expect(arena.kind).toBe(kernel);
      const codes = [0, 1, 3, 2, 0, 5].map((bits) => {
        const c = new Uint8Array(16);
        for (let i = 0; i < bits; i++) c[i * 3] |= 1 << (i % 8);
        return c;
      });
      for (const c of codes) arena.push(c);
      const q = new Uint8Array(16);
      expect(Array.from(arena.nearest(q, 1))).toEqual([0]);
      expect(Array.from(arena.nearest(q, 2))).toEqual([0, 4]);
      expect(Array.from(arena.nearest(q, 3))).toEqual([0, 1, 4]);
      expect(Array.from(arena.nearest(q, 100))).toEqual([0, 1, 2, 3, 4, 5]);
      expect(arena.removeSwap(1)).toBe(5); // the last code moved into slot 1
      expect(arena.size).toBe(5);
      expect(Array.from(arena.nearest(q, 3))).toEqual([0, 3, 4]);
      // Growth keeps the codes.
      arena.reserve(50_000);
      expect(Array.from(arena.nearest(q, 2))).toEqual([0, 4]);
    }
  });
});
