/**
 * Vector search over a team catalog on a stock PostgreSQL (no extension): each client keeps the
 * sign-bit codes of one space in memory, synced incrementally from the windows table, and runs
 * the project's own cascade (library/vector-store.ts) on them: Hamming distance over every code,
 * the nearest re-ranked by the asymmetric sign-dot estimate, then the best few hundred re-ranked
 * exactly with their float vectors fetched from the server by id. Chosen by measurement against
 * pgvector (BENCHMARKS.md, "Team library").
 *
 * Filters keep their recall: the attributes filters read (duration, sample rate, channels; the
 * tag's CatID through a set of file ids) are kept beside each code, the passing codes are copied
 * into a scratch arena and the cascade runs on those alone, so a filter that keeps 1% of the
 * library is searched as a library of that size, not as the top of the whole one.
 *
 * Catch-up: every window row carries the id of the transaction that wrote it. A sync reads the
 * rows of transactions at or above the xmin of the previous sync's snapshot (every transaction
 * that snapshot could not see yet), so a transaction that commits late is never skipped; rows
 * seen twice are recognised by id.
 */
import type pg from 'pg';
import { BitCodeArena } from '../../library/vector-kernels';
import type { CatalogFilters } from '../types';

/** Rows per sync statement. */
const SYNC_CHUNK = 50_000;
/**
 * Candidate counts as the local store (vector-store.ts DEFAULTS, tuned there at 1M vectors), except
 * the exact re-rank's floor: 1,000 instead of 256, because a filter leaves a small dense subset
 * where text-like queries need more (measured: bench:team at 200,000, a CatID filter keeping ~2,900
 * windows gave recall@10 0.94 with 256).
 */
const RERANK_MIN = 1000;
const RERANK_FRACTION = 1 / 1000;
const RERANK_PER_RESULT = 4;
const HAMMING_MIN = 4096;
const HAMMING_FRACTION = 1 / 128;
const HAMMING_PER_RERANK = 8;

export interface WindowHit {
  id: number;
  fileId: number;
  score: number;
}

class Grow {
  ids = new Float64Array(1024);
  fileIds = new Float64Array(1024);
  duration = new Float32Array(1024);
  rate = new Int32Array(1024);
  channels = new Int32Array(1024);
  codes: Uint8Array;
  constructor(readonly codeBytes: number) {
    this.codes = new Uint8Array(1024 * codeBytes);
  }
  reserve(n: number): void {
    if (n <= this.ids.length) return;
    const cap = Math.max(n, Math.ceil(this.ids.length * 1.5));
    const grow = <T extends Float64Array | Float32Array | Int32Array | Uint8Array>(a: T, len: number): T => {
      const b = new (a.constructor as new (n: number) => T)(len);
      b.set(a);
      return b;
    };
    this.ids = grow(this.ids, cap);
    this.fileIds = grow(this.fileIds, cap);
    this.duration = grow(this.duration, cap);
    this.rate = grow(this.rate, cap);
    this.channels = grow(this.channels, cap);
    this.codes = grow(this.codes, cap * this.codeBytes);
  }
}

export class TeamCodeIndex {
  private readonly cols: Grow;
  private n = 0;
  private readonly slots = new Map<number, number>();
  /** The xmin of the snapshot the last sync read at (as text: xid8 exceeds 2^53 in theory). */
  private xmin: string | null = null;
  private full: BitCodeArena | null = null;
  private scratch: BitCodeArena | null = null;

  constructor(
    readonly space: string,
    readonly dim: number,
  ) {
    this.cols = new Grow(Math.ceil(dim / 64) * 8);
  }

  get size(): number {
    return this.n;
  }

  /** Bytes held for this space's codes and attributes. */
  get bytes(): number {
    return this.cols.ids.length * (8 + 8 + 4 + 4 + 4 + this.cols.codeBytes) + this.slots.size * 40;
  }

  /**
   * False only while a change feed vouches that nothing changed since the last sync (set by the
   * catalog when it follows a feed); without a feed every search syncs.
   */
  stale = true;

  /** Reads what changed since the last sync (everything on the first); returns rows added and removed. */
  async sync(client: pg.ClientBase): Promise<{ added: number; removed: number }> {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const snap = await client.query(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`);
      const since = this.xmin ?? '0';
      let removed = 0;
      const gone = await client.query({
        text: `SELECT window_id::float8 AS id FROM window_removals WHERE space = $1 AND tx >= $2::xid8`,
        values: [this.space, since],
        rowMode: 'array',
      });
      for (const [id] of gone.rows as [number][]) if (this.remove(id)) removed++;
      let added = 0;
      let sawRows = false;
      let after = 0;
      // Each chunk comes back as one row of packed columns (ids, file ids, codes, attributes
      // concatenated in id order; numbers big-endian as PostgreSQL's *send functions write them)
      // instead of 50,000 rows: the client then parses a few buffers, not a million row objects.
      for (;;) {
        const r = await client.query({
          text: `SELECT COUNT(*)::int, MAX(x.window_id)::float8,
                        string_agg(int8send(x.window_id), '' ORDER BY x.window_id), string_agg(int8send(x.file_id), '' ORDER BY x.window_id),
                        string_agg(x.code, '' ORDER BY x.window_id), string_agg(float4send(COALESCE(x.duration, 0)), '' ORDER BY x.window_id),
                        string_agg(int4send(COALESCE(x.sample_rate, 0)), '' ORDER BY x.window_id),
                        string_agg(int4send(COALESCE(x.channels, 0)), '' ORDER BY x.window_id)
                   FROM (SELECT window_id, file_id, code, duration, sample_rate, channels FROM window_codes
                          WHERE space = $1 AND tx >= $2::xid8 AND window_id > $3
                          ORDER BY window_id LIMIT ${SYNC_CHUNK}) x`,
          values: [this.space, since, after],
          rowMode: 'array',
        });
        const [n, last, ids, fileIds, codes, durations, rates, channels] = r.rows[0] as [number, number | null, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
        if (!n) break;
        sawRows = true;
        const cb = this.cols.codeBytes;
        if (codes.length !== n * cb || ids.length !== n * 8) throw new Error(`The team library's codes of space "${this.space}" are not ${cb} bytes each.`);
        this.cols.reserve(this.n + n);
        const id = new DataView(ids.buffer, ids.byteOffset, ids.byteLength);
        const fid = new DataView(fileIds.buffer, fileIds.byteOffset, fileIds.byteLength);
        const dur = new DataView(durations.buffer, durations.byteOffset, durations.byteLength);
        const rate = new DataView(rates.buffer, rates.byteOffset, rates.byteLength);
        const ch = new DataView(channels.buffer, channels.byteOffset, channels.byteLength);
        for (let i = 0; i < n; i++) {
          const wid = Number(id.getBigInt64(i * 8));
          // Seen before (a transaction read twice, or a window rewritten in place): overwrite its slot.
          let s = this.slots.get(wid);
          if (s === undefined) {
            s = this.n++;
            this.slots.set(wid, s);
            added++;
          }
          this.cols.ids[s] = wid;
          this.cols.fileIds[s] = Number(fid.getBigInt64(i * 8));
          this.cols.duration[s] = dur.getFloat32(i * 4);
          this.cols.rate[s] = rate.getInt32(i * 4);
          this.cols.channels[s] = ch.getInt32(i * 4);
          this.cols.codes.set(codes.subarray(i * cb, (i + 1) * cb), s * cb);
        }
        if (n < SYNC_CHUNK) break;
        after = last!;
      }
      await client.query('COMMIT');
      this.xmin = snap.rows[0].xmin as string;
      // Any row read may have changed a code in place: the full arena is rebuilt on next use.
      if (added || removed || sawRows) this.full = null;
      return { added, removed };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /**
   * The `m` windows passing the filter whose codes are nearest the query (Hamming, then sign-dot),
   * as candidates for the exact re-rank; `catFiles` is the set of file ids a CatID filter allows.
   */
  candidates(query: Float32Array, k: number, filters: CatalogFilters, catFiles: Set<number> | null): { ids: number[]; fileIds: number[]; passing: number } {
    const slots = this.passing(filters, catFiles);
    const n = slots ? slots.length : this.n;
    if (n === 0) return { ids: [], fileIds: [], passing: 0 };
    const arena = slots ? this.gather(slots) : this.fullArena();
    const rerank = Math.min(n, Math.max(RERANK_MIN, Math.ceil(n * RERANK_FRACTION), RERANK_PER_RESULT * k));
    const slotOf = (i: number) => (slots ? slots[i] : i);
    if (rerank >= n) {
      const all = Array.from({ length: n }, (_, i) => slotOf(i));
      return { ids: all.map((s) => this.cols.ids[s]), fileIds: all.map((s) => this.cols.fileIds[s]), passing: n };
    }
    const hamming = Math.min(n, Math.max(HAMMING_MIN, Math.ceil(n * HAMMING_FRACTION), HAMMING_PER_RERANK * rerank));
    const picked = Array.from(arena.nearest(arena.encode(query), hamming));
    let chosen = picked;
    if (picked.length > rerank) {
      const scores = arena.signDot(query);
      const order = picked.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || picked[a] - picked[b]);
      chosen = order.slice(0, rerank).map((i) => picked[i]);
    }
    const real = chosen.map(slotOf);
    return { ids: real.map((s) => this.cols.ids[s]), fileIds: real.map((s) => this.cols.fileIds[s]), passing: n };
  }

  // ---- internals ----

  private remove(id: number): boolean {
    const s = this.slots.get(id);
    if (s === undefined) return false;
    this.slots.delete(id);
    const last = --this.n;
    if (s !== last) {
      const c = this.cols;
      c.ids[s] = c.ids[last];
      c.fileIds[s] = c.fileIds[last];
      c.duration[s] = c.duration[last];
      c.rate[s] = c.rate[last];
      c.channels[s] = c.channels[last];
      c.codes.copyWithin(s * c.codeBytes, last * c.codeBytes, (last + 1) * c.codeBytes);
      this.slots.set(c.ids[s], s);
    }
    this.full = null;
    return true;
  }

  /** Slots passing the filters, or null when there are no filters (every slot passes). */
  private passing(f: CatalogFilters, catFiles: Set<number> | null): Int32Array | null {
    const rates = f.sampleRates?.length ? new Set(f.sampleRates) : null;
    const chans = f.channels?.length ? new Set(f.channels) : null;
    const min = f.minDuration;
    const max = f.maxDuration;
    if (!rates && !chans && min === undefined && max === undefined && !catFiles) return null;
    const c = this.cols;
    const out = new Int32Array(this.n);
    let m = 0;
    for (let s = 0; s < this.n; s++) {
      if (min !== undefined && c.duration[s] < min - 1e-6) continue;
      if (max !== undefined && c.duration[s] > max + 1e-6) continue;
      if (rates && !rates.has(c.rate[s])) continue;
      if (chans && !chans.has(c.channels[s])) continue;
      if (catFiles && !catFiles.has(c.fileIds[s])) continue;
      out[m++] = s;
    }
    return out.subarray(0, m);
  }

  private fullArena(): BitCodeArena {
    if (!this.full) {
      const arena = new BitCodeArena(this.dim);
      arena.pushMany(this.cols.codes, this.n);
      this.full = arena;
    }
    return this.full;
  }

  private gather(slots: Int32Array): BitCodeArena {
    // Copied as 32-bit words (codes are whole 64-bit words): no view object per code.
    const words = this.cols.codeBytes >> 2;
    const from = new Uint32Array(this.cols.codes.buffer, this.cols.codes.byteOffset, this.cols.codes.byteLength >> 2);
    const to = new Uint32Array(slots.length * words);
    for (let i = 0, o = 0; i < slots.length; i++) {
      const at = slots[i] * words;
      for (let w = 0; w < words; w++) to[o++] = from[at + w];
    }
    const buf = new Uint8Array(to.buffer);
    this.scratch ??= new BitCodeArena(this.dim);
    this.scratch.clear();
    this.scratch.pushMany(buf, slots.length);
    return this.scratch;
  }
}
