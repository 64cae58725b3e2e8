import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/open';
import { CuebankError } from '../errors';
import { BitCodeArena, signCode } from './vector-kernels';
import type { VectorHit, VectorStore } from './vector-types';

/**
 * The vectors of one embedding space, in two plain tables per space plus a small meta table:
 *
 *   <base>_vectors (id INTEGER PRIMARY KEY, vector BLOB)  float32 little-endian: the truth
 *   <base>_codes   (id INTEGER PRIMARY KEY, code BLOB)    sign bits of the vector (dim/8 bytes, padded to 8)
 *   <base>_meta    (key TEXT PRIMARY KEY, value TEXT)     layout, space, dim, write generation
 *
 * Search is a three-stage cascade, chosen by measurement (BENCHMARKS.md, "Search"; 1M × 512-d on
 * 2 cores: p50 ≈ 18 ms, recall@10 ≈ 0.997 against exact search):
 *   1. Hamming distance from the query's sign bits to every stored code, in memory, in a tiny
 *      WebAssembly popcount loop (≈6 ms for 1,000,000 codes on one core);
 *   2. the ~8,000 nearest codes re-ranked by the asymmetric estimate q·sign(x);
 *   3. the best ~1,000 read from <base>_vectors and ranked by exact cosine similarity.
 * sqlite-vec's vec0 tables were measured against this and lost: brute-force KNN over 1M float[512]
 * vectors takes ~0.9 s per query here, int8[512] ~1.2 s, and bit[512] KNN gets slower as k grows
 * (~0.22 s at k = 200, too few candidates for text-like queries), and a vec0 row read by rowid
 * costs ~0.8 ms, so vec0 cannot feed an exact rerank either.
 *
 * The codes are loaded into memory on the first search (≈78 MB and ≈0.4 s per million vectors
 * when the file is in the OS cache; the id → slot map for writes, ≈40 MB per million, is built on
 * the first write after that) and kept in step with every write made through this object. Writes
 * go to SQLite in the caller's transaction; each write also stamps a random generation into the
 * meta table, and every read compares it with the generation the memory copy was made at, so a
 * rolled-back transaction or a write from another connection makes the memory copy reload
 * instead of going stale.
 */

const LAYOUT = 'signbits+f32/1';

export interface VectorStoreOptions {
  /** Least number of candidates re-ranked with their exact float vectors (default 256). */
  rerank?: number;
  /** Exact candidates as a fraction of the space (default 1/1000: 1,000 of 1M). */
  rerankFraction?: number;
  /** Exact candidates per requested result (default 4: k = 400 reranks 1,600). */
  rerankPerResult?: number;
  /** Least number of Hamming candidates passed to the sign-dot stage (default 4,096). */
  hamming?: number;
  /** Hamming candidates as a fraction of the space (default 1/128: 7,813 of 1M). */
  hammingFraction?: number;
  /** Hamming candidates per exact candidate (default 8). */
  hammingPerRerank?: number;
  /** Force the JavaScript kernels instead of WebAssembly (tests, benchmarks). */
  kernel?: 'wasm' | 'js';
}

/**
 * Candidate counts, tuned with `npm run bench:search` at 1,000,000 vectors: the exact stage is
 * what recall depends on (text-like queries, whose best matches are only ~0.45 similar, need about
 * 1,000 exact candidates at 1M for recall@10 ≥ 0.99, audio-like ones fewer than 128), and the
 * number needed grows with the density of the space, hence a fraction of it.
 */
const DEFAULTS = {
  rerank: 256,
  rerankFraction: 1 / 1000,
  rerankPerResult: 4,
  hamming: 4096,
  hammingFraction: 1 / 128,
  hammingPerRerank: 8,
};

/** Beyond this share of the space, reading every vector is cheaper than the cascade. */
const EXACT_SHARE = 0.5;
/** Codes per statement when loading them into memory. */
const LOAD_CHUNK = 65_536;
/** Ids per `IN (json_each)` statement. */
const ID_CHUNK = 16_384;

/** Table names of a space: a readable slug plus a hash of the exact name (names differ by case or punctuation). */
export function vectorTableBase(space: string): string {
  const slug = space
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  const hash = createHash('sha256').update(space, 'utf8').digest('hex').slice(0, 12);
  return `vs_${slug ? `${slug}_` : ''}${hash}`;
}

function tables(space: string) {
  const base = vectorTableBase(space);
  return { vectors: `"${base}_vectors"`, codes: `"${base}_codes"`, meta: `"${base}_meta"` };
}

function checkSpace(space: string): void {
  if (typeof space !== 'string' || !space.trim()) throw new CuebankError('invalid_input', 'A vector space needs a name.');
}

/**
 * Opens the vector store of a space, registering the space and creating its tables on first use.
 * A space keeps the dimension it was created with: asking for another one is refused.
 */
export function openVectorStore(db: Db, space: string, dim: number, options: VectorStoreOptions = {}): SqliteVectorStore {
  checkSpace(space);
  if (!Number.isInteger(dim) || dim < 1 || dim > 65_536) {
    throw new CuebankError('invalid_input', `Vector dimension must be a whole number from 1 to 65536, not ${dim}.`);
  }
  const t = tables(space);
  db.transaction(() => {
    const row = db.prepare(`SELECT dim FROM vector_spaces WHERE name = ?`).get(space) as { dim: number } | undefined;
    if (row && row.dim !== dim) {
      throw new CuebankError(
        'invalid_input',
        `Vector space "${space}" holds ${row.dim}-dimensional vectors, not ${dim}. ` +
          `A model with another output size needs its own space (or drop this one and re-index).`,
      );
    }
    if (!row) db.prepare(`INSERT INTO vector_spaces (name, dim, created_at) VALUES (?, ?, ?)`).run(space, dim, Date.now());
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${t.meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS ${t.vectors} (id INTEGER PRIMARY KEY, vector BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS ${t.codes} (id INTEGER PRIMARY KEY, code BLOB NOT NULL);
    `);
    const meta = new Map(
      (db.prepare(`SELECT key, value FROM ${t.meta}`).all() as { key: string; value: string }[]).map((r) => [r.key, r.value]),
    );
    if (meta.size === 0) {
      const put = db.prepare(`INSERT INTO ${t.meta} (key, value) VALUES (?, ?)`);
      put.run('layout', LAYOUT);
      put.run('space', space);
      put.run('dim', String(dim));
      put.run('generation', newGeneration());
    } else if (meta.get('layout') !== LAYOUT || meta.get('space') !== space || meta.get('dim') !== String(dim)) {
      throw new CuebankError(
        'database_error',
        `The vector tables of space "${space}" have an unknown layout (${meta.get('layout')}, ${meta.get('space')}, ${meta.get('dim')}).`,
      );
    }
  })();
  return new SqliteVectorStore(db, space, dim, options);
}

/**
 * Deletes a space: its vector tables, its row in vector_spaces (which deletes its windows by the
 * schema's cascade) and the "embedded in this space" mark on files, so a later index run embeds
 * them again. Returns whether the space existed. Runs in the caller's transaction if there is one.
 */
export function dropVectorSpace(db: Db, space: string): boolean {
  checkSpace(space);
  const t = tables(space);
  return db.transaction(() => {
    db.exec(`DROP TABLE IF EXISTS ${t.vectors}; DROP TABLE IF EXISTS ${t.codes}; DROP TABLE IF EXISTS ${t.meta};`);
    db.prepare(`UPDATE files SET embed_space = NULL WHERE embed_space = ?`).run(space);
    return db.prepare(`DELETE FROM vector_spaces WHERE name = ?`).run(space).changes > 0;
  })();
}

function newGeneration(): string {
  return randomBytes(12).toString('hex');
}

/** A float32 view of a blob (copied only when the blob is not 4-byte aligned). */
function floats(blob: Buffer): Float32Array {
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength >> 2);
  return new Float32Array(new Uint8Array(blob).buffer);
}

const blobOf = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** Codes of the space in memory, valid for one generation of the meta table. */
interface Memory {
  generation: string;
  arena: BitCodeArena;
  /** slot -> window id */
  ids: number[];
  /** window id -> slot; built on the first write (searching needs only slot -> id) */
  slots: Map<number, number> | null;
}

function slotsOf(mem: Memory): Map<number, number> {
  if (!mem.slots) {
    const slots = new Map<number, number>();
    mem.ids.forEach((id, slot) => slots.set(id, slot));
    mem.slots = slots;
  }
  return mem.slots;
}

export class SqliteVectorStore implements VectorStore {
  private memory: Memory | null = null;
  private readonly opt: typeof DEFAULTS;
  private readonly kernel: 'wasm' | 'js' | undefined;
  private readonly sql: ReturnType<SqliteVectorStore['prepare']>;
  private readonly codeScratch: Uint8Array;

  constructor(
    private readonly db: Db,
    readonly space: string,
    readonly dim: number,
    options: VectorStoreOptions = {},
  ) {
    const { kernel, ...rest } = options;
    this.opt = { ...DEFAULTS, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) };
    this.kernel = kernel;
    this.sql = this.prepare();
    this.codeScratch = new Uint8Array(Math.ceil(dim / 64) * 8);
  }

  private prepare() {
    const t = tables(this.space);
    const db = this.db;
    return {
      putVector: db.prepare(`INSERT INTO ${t.vectors} (id, vector) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET vector = excluded.vector`),
      putCode: db.prepare(`INSERT INTO ${t.codes} (id, code) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET code = excluded.code`),
      delVector: db.prepare(`DELETE FROM ${t.vectors} WHERE id = ?`),
      delCode: db.prepare(`DELETE FROM ${t.codes} WHERE id = ?`),
      getVector: db.prepare(`SELECT vector FROM ${t.vectors} WHERE id = ?`).pluck(),
      vectorsIn: db.prepare(`SELECT id, vector FROM ${t.vectors} WHERE id IN (SELECT value FROM json_each(?))`).raw(),
      allVectors: db.prepare(`SELECT id, vector FROM ${t.vectors}`).raw(),
      allCodes: db.prepare(`SELECT id, code FROM ${t.codes}`).raw(),
      count: db.prepare(`SELECT COUNT(*) FROM ${t.codes}`).pluck(),
      generation: db.prepare(`SELECT value FROM ${t.meta} WHERE key = 'generation'`).pluck(),
      setGeneration: db.prepare(`UPDATE ${t.meta} SET value = ? WHERE key = 'generation'`),
    };
  }

  upsert(items: { id: number; vector: Float32Array }[]): void {
    if (!items.length) return;
    for (const { id, vector } of items) {
      if (!Number.isSafeInteger(id)) throw new CuebankError('invalid_input', `Vector id must be an integer, not ${id}.`);
      this.checkVector(vector, 'Vector');
    }
    const mem = this.current();
    const generation = newGeneration();
    const codes = mem ? items.map((it) => mem.arena.encode(it.vector)) : null;
    const scratch = this.codeScratch;
    this.db.transaction(() => {
      items.forEach(({ id, vector }, i) => {
        this.sql.putVector.run(id, blobOf(vector));
        this.sql.putCode.run(id, codes ? codes[i] : signCode(vector, scratch));
      });
      this.sql.setGeneration.run(generation);
    })();
    if (!mem || !codes) return;
    mem.arena.reserve(mem.arena.size + items.length);
    const slots = slotsOf(mem);
    items.forEach(({ id }, i) => {
      const slot = slots.get(id);
      if (slot !== undefined) mem.arena.set(slot, codes[i]);
      else {
        slots.set(id, mem.arena.push(codes[i]));
        mem.ids.push(id);
      }
    });
    mem.generation = generation;
  }

  remove(ids: number[]): void {
    if (!ids.length) return;
    const mem = this.current();
    const generation = newGeneration();
    this.db.transaction(() => {
      for (const id of ids) {
        this.sql.delVector.run(id);
        this.sql.delCode.run(id);
      }
      this.sql.setGeneration.run(generation);
    })();
    if (!mem) return;
    const slots = slotsOf(mem);
    for (const id of ids) {
      const slot = slots.get(id);
      if (slot === undefined) continue;
      slots.delete(id);
      const moved = mem.arena.removeSwap(slot);
      const last = mem.ids.pop()!;
      if (moved >= 0) {
        mem.ids[slot] = last;
        slots.set(last, slot);
      }
    }
    mem.generation = generation;
  }

  search(query: Float32Array, k: number): VectorHit[] {
    this.checkVector(query, 'Query vector');
    if (!(k > 0)) return [];
    k = Math.floor(k);
    const q = unit(query);
    if (!q) return [];
    const mem = this.load();
    const n = mem.arena.size;
    if (n === 0) return [];
    const rerank = Math.min(n, Math.max(this.opt.rerank, Math.ceil(n * this.opt.rerankFraction), this.opt.rerankPerResult * k));
    if (rerank >= n * EXACT_SHARE) return this.exact(q, k);

    // 1. Hamming: the codes nearest the query's sign bits.
    const hamming = Math.min(n, Math.max(this.opt.hamming, Math.ceil(n * this.opt.hammingFraction), this.opt.hammingPerRerank * rerank));
    const picked = mem.arena.nearest(mem.arena.encode(q), hamming);
    let slots: ArrayLike<number> = picked;
    // 2. Sign-dot: the best `rerank` of those by q·sign(x).
    if (picked.length > rerank) {
      const scores = mem.arena.signDot(q);
      const cut = kthLargest(Float32Array.from(scores), rerank);
      const best: number[] = [];
      for (let i = 0; i < scores.length; i++) if (scores[i] > cut) best.push(picked[i]);
      for (let i = 0; i < scores.length && best.length < rerank; i++) if (scores[i] === cut) best.push(picked[i]);
      slots = best;
    }
    // 3. Exact cosine on the float vectors.
    const ids = Array.from(slots, (s) => mem.ids[s]);
    const hits: VectorHit[] = [];
    this.eachVector(ids, (id, v) => hits.push({ id, score: cosine(q, v) }));
    return topK(hits, k);
  }

  scoreIds(queries: readonly Float32Array[], ids: readonly number[]): Map<number, number>[] {
    for (const query of queries) this.checkVector(query, 'Query vector');
    const qs = queries.map(unit);
    const out = qs.map(() => new Map<number, number>());
    const unique = [...new Set(ids)];
    this.eachVector(unique, (id, v) => qs.forEach((q, i) => out[i].set(id, q ? cosine(q, v) : 0)));
    return out;
  }

  get(id: number): Float32Array | undefined {
    const blob = this.sql.getVector.get(id) as Buffer | undefined;
    return blob ? Float32Array.from(this.checked(floats(blob), id)) : undefined;
  }

  count(): number {
    const mem = this.current();
    return mem ? mem.arena.size : (this.sql.count.get() as number);
  }

  /** Loads the codes into memory now rather than on the first search (e.g. at start-up, off the hot path). */
  warm(): void {
    this.load();
  }

  /** What the store holds in memory, for diagnostics and benchmarks. */
  stats(): { loaded: boolean; vectors: number; memoryBytes: number; kernel: string | null } {
    const mem = this.current();
    return {
      loaded: !!mem,
      vectors: mem?.arena.size ?? (this.sql.count.get() as number),
      memoryBytes: mem ? mem.arena.bytes + mem.ids.length * 8 + (mem.slots?.size ?? 0) * 40 : 0,
      kernel: mem?.arena.kind ?? null,
    };
  }

  // ---- internals ----

  private checkVector(v: Float32Array, what: string): void {
    if (!(v instanceof Float32Array) || v.length !== this.dim) {
      throw new CuebankError(
        'invalid_input',
        `${what} must be a Float32Array of ${this.dim} values for space "${this.space}", not ${v instanceof Float32Array ? v.length : typeof v}.`,
      );
    }
  }

  private checked(v: Float32Array, id: number): Float32Array {
    if (v.length !== this.dim) {
      throw new CuebankError('database_error', `Vector ${id} of space "${this.space}" has ${v.length} values, expected ${this.dim}.`);
    }
    return v;
  }

  /** The memory copy if it matches the database as this connection sees it now, else null (and dropped). */
  private current(): Memory | null {
    if (!this.memory) return null;
    const generation = this.sql.generation.get() as string | undefined;
    if (generation !== this.memory.generation) this.memory = null;
    return this.memory;
  }

  private load(): Memory {
    const mem = this.current();
    if (mem) return mem;
    // One read transaction, so the codes and the generation are of the same snapshot.
    const loaded = this.db.transaction((): Memory => {
      const generation = this.sql.generation.get() as string;
      const arena = new BitCodeArena(this.dim, { kernel: this.kernel });
      const ids: number[] = [];
      if (!this.loadPacked(arena, ids)) {
        arena.clear();
        ids.length = 0;
        arena.reserve(this.sql.count.get() as number);
        for (const [id, code] of this.sql.allCodes.iterate() as IterableIterator<[number, Buffer]>) {
          arena.push(code);
          ids.push(id);
        }
      }
      return { generation, arena, ids, slots: null };
    })();
    this.memory = loaded;
    return loaded;
  }

  /**
   * Reads the codes a few ten thousand at a time as one concatenated blob (and their ids as one
   * list) instead of row by row: about 0.4 s instead of 2 s per million codes. The ids and codes
   * come from the same aggregate pass, so they pair up whatever order SQLite visits them in.
   * Returns false (and the caller reads row by row) if anything is not as expected.
   */
  private loadPacked(arena: BitCodeArena, ids: number[]): boolean {
    if (this.db.pragma('encoding', { simple: true }) !== 'UTF-8') return false;
    const t = tables(this.space);
    const range = this.db.prepare(`SELECT MIN(id) AS lo, MAX(id) AS hi, COUNT(*) AS n FROM ${t.codes}`).get() as { lo: number | null; hi: number | null; n: number };
    if (!range.n || range.lo === null || range.hi === null) return true;
    arena.reserve(range.n);
    const width = Math.max(1, Math.ceil(((range.hi - range.lo + 1) * LOAD_CHUNK) / range.n));
    const chunk = this.db
      .prepare(`SELECT COUNT(*), group_concat(id), CAST(group_concat(code, '') AS BLOB) FROM ${t.codes} WHERE id >= ? AND id < ?`)
      .raw();
    for (let lo = range.lo; lo <= range.hi; lo += width) {
      const [n, idList, codes] = chunk.get(lo, lo + width) as [number, string | null, Buffer | null];
      if (!n) continue;
      if (!idList || !codes || codes.length !== n * arena.codeBytes) return false;
      const part = idList.split(',');
      if (part.length !== n) return false;
      for (const x of part) ids.push(Number(x));
      arena.pushMany(codes, n);
    }
    return ids.length === range.n;
  }

  private eachVector(ids: readonly number[], fn: (id: number, v: Float32Array) => void): void {
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const chunk = ids.length <= ID_CHUNK ? ids : ids.slice(i, i + ID_CHUNK);
      for (const [id, blob] of this.sql.vectorsIn.iterate(JSON.stringify(chunk)) as IterableIterator<[number, Buffer]>) {
        fn(id, this.checked(floats(blob), id));
      }
    }
  }

  /** Every vector read and scored: for small spaces and very large k. */
  private exact(q: Float32Array, k: number): VectorHit[] {
    const hits: VectorHit[] = [];
    let floor = -Infinity;
    for (const [id, blob] of this.sql.allVectors.iterate() as IterableIterator<[number, Buffer]>) {
      const score = cosine(q, this.checked(floats(blob), id));
      if (hits.length >= k && score < floor) continue;
      hits.push({ id, score });
      if (hits.length >= 4 * k + 1024) {
        const kept = topK(hits, k);
        hits.length = 0;
        hits.push(...kept);
        floor = kept[kept.length - 1].score;
      }
    }
    return topK(hits, k);
  }
}

/** The query scaled to unit length, or null for a zero (or non-finite) vector. */
function unit(v: Float32Array): Float32Array | null {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const norm = Math.sqrt(s);
  if (!(norm > 0) || !Number.isFinite(norm)) return null;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / norm;
  return out;
}

/** Cosine similarity of a unit query to a stored vector (stored vectors are unit by contract, but not trusted to be). */
function cosine(q: Float32Array, v: Float32Array): number {
  let dot = 0;
  let nn = 0;
  for (let i = 0; i < q.length; i++) {
    const x = v[i];
    dot += q[i] * x;
    nn += x * x;
  }
  return nn > 0 ? dot / Math.sqrt(nn) : 0;
}

/** The k best hits, best first; equal scores in id order so results are deterministic. */
function topK(hits: VectorHit[], k: number): VectorHit[] {
  return hits.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, k);
}

/** The value of the k-th largest element (1-based); reorders `a`. */
function kthLargest(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target];
}
