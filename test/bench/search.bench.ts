/**
 * Vector search benchmark: every candidate layout for the vectors of one embedding space, on the
 * same synthetic CLAP-like data, measured the same way. Prints figures; never passes or fails.
 *
 *   npm run bench:search -- [--n 100000] [--layout all|name,name] [--queries 100] [--seed 1]
 *                           [--k 10] [--oversample 200] [--page-size 16384] [--sweep] [--keep]
 *
 * Data: `--clusters` gaussian centres on the unit sphere, all pulled toward one shared direction
 * (`--offset`; CLAP embeddings sit in a cone rather than all over the sphere), each cluster with a
 * few principal directions of its own (`--rank`, spread `--spread`) plus isotropic noise
 * (`--noise`), then normalised. Two query sets of `--queries` each:
 *   near: held-out points drawn like the data (audio-to-audio: the best match is close, ~0.85);
 *   far:  a cluster centre plus heavy noise (like a text query: the best match is ~0.45 away).
 * Ground truth is exact brute force in JavaScript (Float32Array dot products).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openDatabase, type Db } from '../../main/engine/db/open';
import { openVectorStore, type VectorStoreOptions } from '../../main/engine/library/vector-store';
import { clusteredVectors } from './clustered-vectors';

const D = 512;

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    layout: { type: 'string', default: 'all' },
    queries: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    k: { type: 'string', default: '10' },
    oversample: { type: 'string', default: '200' },
    clusters: { type: 'string', default: '512' },
    rank: { type: 'string', default: '16' },
    spread: { type: 'string', default: '0.5' },
    noise: { type: 'string', default: '0.25' },
    offset: { type: 'string', default: '0.8' },
    'far-noise': { type: 'string', default: '2' },
    batch: { type: 'string', default: '1000' },
    'page-size': { type: 'string' },
    sweep: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    dir: { type: 'string' },
  },
});

const N = Number(args.n);
const Q = Number(args.queries);
const K = Number(args.k);
const OVERSAMPLE = Number(args.oversample);
const BATCH = Number(args.batch);
/** The app asks the store for limit × candidateFactor = 50 × 8 windows per query. */
const APP_K = 400;

// ---- data ------------------------------------------------------------------------------------

function makeData() {
  const spread = Number(args.spread);
  const { point, pick } = clusteredVectors({
    seed: Number(args.seed),
    dim: D,
    clusters: Number(args.clusters),
    rank: Number(args.rank),
    spread,
    noise: Number(args.noise),
    offset: Number(args.offset),
  });
  const data = new Float32Array(N * D);
  for (let i = 0; i < N; i++) point(data.subarray(i * D, (i + 1) * D), pick());
  const near: Float32Array[] = [];
  const far: Float32Array[] = [];
  for (let i = 0; i < Q; i++) near.push(point(new Float32Array(D), pick()));
  for (let i = 0; i < Q; i++) far.push(point(new Float32Array(D), pick(), spread, Number(args['far-noise'])));
  return { data, queries: { near, far } };
}

const vectorOf = (data: Float32Array, i: number) => data.subarray(i * D, (i + 1) * D);
/** Ids start at 1 (SQLite rowids); vector i has id i + 1. */
const idOf = (i: number) => i + 1;

/** Exact top-`keep` ids and scores of every query, by brute force, queries in blocks for cache reuse. */
function groundTruth(data: Float32Array, queries: Float32Array[], keep: number): { ids: number[]; scores: number[] }[] {
  const out: { ids: number[]; scores: number[] }[] = [];
  const block = 32;
  for (let b = 0; b < queries.length; b += block) {
    const qs = queries.slice(b, b + block);
    const m = qs.length;
    const qflat = new Float32Array(m * D);
    qs.forEach((q, j) => qflat.set(q, j * D));
    const scores = new Float32Array(m * N);
    // Four queries per pass over a vector: each component is loaded once for four dot products.
    for (let i = 0; i < N; i++) {
      const o = i * D;
      for (let j = 0; j < m; j += 4) {
        const q0 = j * D;
        const q1 = Math.min(j + 1, m - 1) * D;
        const q2 = Math.min(j + 2, m - 1) * D;
        const q3 = Math.min(j + 3, m - 1) * D;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let t = 0; t < D; t++) {
          const x = data[o + t];
          s0 += qflat[q0 + t] * x;
          s1 += qflat[q1 + t] * x;
          s2 += qflat[q2 + t] * x;
          s3 += qflat[q3 + t] * x;
        }
        scores[j * N + i] = s0;
        if (j + 1 < m) scores[(j + 1) * N + i] = s1;
        if (j + 2 < m) scores[(j + 2) * N + i] = s2;
        if (j + 3 < m) scores[(j + 3) * N + i] = s3;
      }
    }
    for (let j = 0; j < m; j++) {
      const row = scores.subarray(j * N, (j + 1) * N);
      // Threshold by a partial sort of a sample-free copy: keep the top `keep` by selection.
      const idx = topIndices(row, keep);
      out.push({ ids: idx.map(idOf), scores: idx.map((i) => row[i]) });
    }
  }
  return out;
}

function topIndices(row: Float32Array, keep: number): number[] {
  const copy = Float32Array.from(row).sort();
  const cut = copy[Math.max(0, copy.length - keep)];
  const idx: number[] = [];
  for (let i = 0; i < row.length; i++) if (row[i] >= cut) idx.push(i);
  return idx.sort((a, b) => row[b] - row[a] || a - b).slice(0, keep);
}

// ---- layouts ---------------------------------------------------------------------------------

interface Layout {
  /** Writes all vectors. */
  build(db: Db, data: Float32Array): void;
  /** Work done once after opening the database, before the first query (loading caches). */
  open(db: Db): void;
  search(q: Float32Array, k: number): number[];
  /** Bytes held in process memory by the layout. */
  memoryBytes(): number;
  note: string;
}

const blob = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

function batched(db: Db, data: Float32Array, write: (id: number, v: Float32Array) => void): void {
  for (let s = 0; s < N; s += BATCH) {
    db.transaction(() => {
      for (let i = s; i < Math.min(N, s + BATCH); i++) write(idOf(i), vectorOf(data, i));
    })();
  }
}

function rerank(db: Db, q: Float32Array, ids: number[], k: number): number[] {
  const rows = db.prepare(`SELECT id, vector FROM floats WHERE id IN (SELECT value FROM json_each(?))`).raw().all(JSON.stringify(ids)) as [number, Buffer][];
  const scored = rows.map(([id, b]) => {
    const v = new Float32Array(b.buffer, b.byteOffset, D);
    let s = 0;
    for (let i = 0; i < D; i++) s += q[i] * v[i];
    return { id, s };
  });
  return scored.sort((a, b) => b.s - a.s || a.id - b.id).slice(0, k).map((x) => x.id);
}

function vec0Layout(kind: 'float' | 'int8' | 'bit'): Layout {
  const column = kind === 'float' ? 'float[512]' : kind === 'int8' ? 'int8[512]' : 'bit[512]';
  const wrap = kind === 'float' ? '?' : kind === 'int8' ? `vec_quantize_int8(?, 'unit')` : 'vec_quantize_binary(?)';
  let db!: Db;
  return {
    note:
      kind === 'float'
        ? 'vec0 float[512], brute-force KNN, scores straight from vec0'
        : `vec0 ${column} KNN to ${OVERSAMPLE} candidates, exact rerank from a plain float table`,
    build(d, data) {
      // Unit vectors: cosine ranks as L2 does; bit columns always use Hamming distance.
      d.exec(`CREATE VIRTUAL TABLE v USING vec0(embedding ${column}${kind === 'bit' ? '' : ' distance_metric=cosine'})`);
      if (kind !== 'float') d.exec(`CREATE TABLE floats (id INTEGER PRIMARY KEY, vector BLOB NOT NULL)`);
      const ins = d.prepare(`INSERT INTO v (rowid, embedding) VALUES (?, ${wrap})`);
      const insF = kind !== 'float' ? d.prepare(`INSERT INTO floats (id, vector) VALUES (?, ?)`) : null;
      batched(d, data, (id, v) => {
        ins.run(BigInt(id), blob(v));
        insF?.run(id, blob(v));
      });
    },
    open(d) {
      db = d;
    },
    search(q, k) {
      const kk = kind === 'float' ? k : Math.max(k, OVERSAMPLE);
      const ids = (db.prepare(`SELECT rowid FROM v WHERE embedding MATCH ${wrap} AND k = ?`).pluck().all(blob(q), kk) as number[]).map(Number);
      return kind === 'float' ? ids : rerank(db, q, ids, k);
    },
    memoryBytes: () => 0,
  };
}

function memoryLayout(options: VectorStoreOptions, note: string): Layout {
  let store!: ReturnType<typeof openVectorStore>;
  return {
    note,
    build(d, data) {
      const s = openVectorStore(d, 'bench', D, options);
      const items: { id: number; vector: Float32Array }[] = [];
      for (let i = 0; i < N; i++) {
        items.push({ id: idOf(i), vector: vectorOf(data, i) });
        if (items.length === BATCH || i === N - 1) {
          d.transaction(() => s.upsert(items))();
          items.length = 0;
        }
      }
    },
    open(d) {
      store = openVectorStore(d, 'bench', D, options);
      store.warm();
    },
    search: (q, k) => store.search(q, k).map((h) => h.id),
    memoryBytes: () => store.stats().memoryBytes,
  };
}

const LAYOUTS: Record<string, () => Layout> = {
  'vec0-float': () => vec0Layout('float'),
  'vec0-int8': () => vec0Layout('int8'),
  'vec0-bit': () => vec0Layout('bit'),
  'memory-bits-js': () =>
    memoryLayout({ kernel: 'js' }, 'chosen cascade, Hamming scan in plain JavaScript (SWAR popcount) instead of WebAssembly'),
  'memory-bits-nosigndot': () =>
    memoryLayout(
      { hamming: 0, hammingFraction: 0, hammingPerRerank: 1 },
      'in-memory sign bits, Hamming top-R straight to the exact rerank (no sign-dot stage)',
    ),
  'memory-bits': () =>
    memoryLayout({}, 'CHOSEN: in-memory sign bits (WebAssembly popcount) -> sign-dot -> exact rerank from a plain float table'),
};

// ---- measurement -----------------------------------------------------------------------------

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

function dbBytes(file: string): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(file + suffix)) total += fs.statSync(file + suffix).size;
  return total;
}

function recall(found: number[], truth: number[]): number {
  const t = new Set(truth);
  return found.filter((id) => t.has(id)).length / truth.length;
}

interface Truths {
  near: { ids: number[] }[];
  far: { ids: number[] }[];
}

function measureQueries(layout: Layout, queries: Record<'near' | 'far', Float32Array[]>, truth: Truths, k: number, within = k) {
  const out: Record<string, { p50: number; p95: number; recall: number; top: number }> = {};
  for (const kind of ['near', 'far'] as const) {
    for (const q of queries[kind].slice(0, 3)) layout.search(q, k); // warm-up
    const times: number[] = [];
    let rsum = 0;
    let tsum = 0;
    queries[kind].forEach((q, i) => {
      const t0 = performance.now();
      const ids = layout.search(q, k);
      times.push(performance.now() - t0);
      rsum += recall(ids, truth[kind][i].ids.slice(0, k));
      tsum += recall(ids, truth[kind][i].ids.slice(0, within));
    });
    out[kind] = { p50: pct(times, 50), p95: pct(times, 95), recall: rsum / queries[kind].length, top: tsum / queries[kind].length };
  }
  return out;
}

const fmtMs = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

function main(): void {
  const cpus = os.cpus();
  console.log(`# Cuebank vector search benchmark`);
  console.log(`machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.arch()}, Node ${process.version}`);
  console.log(
    `data: n=${N} dim=${D} clusters=${args.clusters} rank=${args.rank} spread=${args.spread} noise=${args.noise} offset=${args.offset} far-noise=${args['far-noise']} seed=${args.seed}; queries: ${Q} near + ${Q} far; k=${K}`,
  );

  let t0 = performance.now();
  const { data, queries } = makeData();
  console.log(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const mean = new Float64Array(D);
  for (let i = 0; i < N; i++) for (let j = 0; j < D; j++) mean[j] += data[i * D + j] / N;
  console.log(`data mean vector norm ${Math.hypot(...mean).toFixed(2)} (0 = spread over the sphere, 1 = one direction)`);

  t0 = performance.now();
  const keep = args.sweep || args.layout === 'all' || args.layout.includes('memory-bits') ? Math.max(K, APP_K) : K;
  const truth = { near: groundTruth(data, queries.near, keep), far: groundTruth(data, queries.far, keep) };
  console.log(`exact ground truth (top ${keep}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const kind of ['near', 'far'] as const) {
    const t = truth[kind];
    const avg = (j: number) => t.reduce((s, x) => s + x.scores[j], 0) / t.length;
    console.log(`  ${kind} queries: mean similarity of exact #1 ${avg(0).toFixed(3)}, #${K} ${avg(K - 1).toFixed(3)}`);
  }

  const names = args.layout === 'all' ? Object.keys(LAYOUTS) : args.layout.split(',').map((s) => s.trim());
  for (const name of names) if (!LAYOUTS[name]) throw new Error(`Unknown layout ${name}; known: ${Object.keys(LAYOUTS).join(', ')}`);

  const dir = args.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cuebank-bench-'));
  fs.mkdirSync(dir, { recursive: true });
  const cleanup = () => {
    if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  const rows: string[] = [];
  try {
    for (const name of names) {
      const layout = LAYOUTS[name]();
      const file = path.join(dir, `${name}.db`);
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
      console.log(`\n## ${name}: ${layout.note}`);

      if (args['page-size']) {
        // A new database takes its page size before the first table is written (and before WAL).
        const pre = new Database(file);
        pre.pragma(`page_size = ${Number(args['page-size'])}`);
        pre.exec('VACUUM');
        pre.close();
      }
      let db = openDatabase(file);
      t0 = performance.now();
      layout.build(db, data);
      const buildS = (performance.now() - t0) / 1000;
      db.pragma('wal_checkpoint(TRUNCATE)');
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      db.close();
      const size = dbBytes(file);
      console.log(`build ${buildS.toFixed(1)} s (${Math.round(N / buildS)} vectors/s, ${BATCH} per transaction), database ${mb(size)} (${pageSize}-byte pages)`);

      db = openDatabase(file);
      const heap0 = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
      t0 = performance.now();
      layout.open(db);
      const openMs = performance.now() - t0;
      const heap1 = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
      console.log(`open (load before first query) ${fmtMs(openMs)} ms, in-process memory ${mb(layout.memoryBytes())} by the store's count (${mb(Math.max(0, heap1 - heap0))} heap+buffers grew)`);

      const r = measureQueries(layout, queries, truth, K);
      for (const kind of ['near', 'far'] as const) {
        console.log(`top-${K} ${kind}: p50 ${fmtMs(r[kind].p50)} ms, p95 ${fmtMs(r[kind].p95)} ms, recall@${K} ${r[kind].recall.toFixed(3)}`);
      }
      rows.push(
        `| ${name} | ${buildS.toFixed(0)} s | ${mb(size)} | ${fmtMs(openMs)} ms | ${mb(layout.memoryBytes())} | ${fmtMs(r.near.p50)} / ${fmtMs(r.near.p95)} ms | ${r.near.recall.toFixed(3)} | ${fmtMs(r.far.p50)} / ${fmtMs(r.far.p95)} ms | ${r.far.recall.toFixed(3)} |`,
      );

      if (name === 'memory-bits' && keep >= APP_K) {
        const a = measureQueries(layout, queries, truth, APP_K, 50);
        for (const kind of ['near', 'far'] as const) {
          console.log(
            `top-${APP_K} (the app's limit × candidateFactor) ${kind}: p50 ${fmtMs(a[kind].p50)} ms, p95 ${fmtMs(a[kind].p95)} ms, ` +
              `recall@${APP_K} ${a[kind].recall.toFixed(3)}, exact top-50 found among the ${APP_K} ${a[kind].top.toFixed(3)}`,
          );
        }
      }
      if (name === 'memory-bits' && args.sweep) sweep(db, queries, truth);
      db.close();
      if (!args.keep) for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    }
  } finally {
    cleanup();
  }

  console.log(`\n## summary (n=${N}, top-${K}; latency p50 / p95)`);
  console.log(`| layout | build | database | open | memory | near latency | near recall | far latency | far recall |`);
  console.log(`|---|---|---|---|---|---|---|---|---|`);
  for (const r of rows) console.log(r);
}

/** Recall and latency of the chosen layout over its two candidate counts, on the database just built. */
function sweep(db: Db, queries: Record<'near' | 'far', Float32Array[]>, truth: Truths): void {
  console.log(`\nsweep of memory-bits settings (rerank = exact candidates, hamming = sign-dot candidates):`);
  for (const rerank of [128, 256, 512, 1024, 2048]) {
    for (const hamming of [rerank, 4096, 8192, 16384]) {
      if (hamming < rerank) continue;
      const store = openVectorStore(db, 'bench', D, {
        rerank,
        rerankFraction: 0,
        rerankPerResult: 0,
        hamming,
        hammingFraction: 0,
        hammingPerRerank: 0,
      });
      store.warm();
      const layout: Layout = { note: '', build() {}, open() {}, search: (q, k) => store.search(q, k).map((h) => h.id), memoryBytes: () => 0 };
      const r = measureQueries(layout, queries, truth, K);
      console.log(
        `  rerank ${String(rerank).padStart(4)} hamming ${String(hamming).padStart(5)}${hamming === rerank ? ' (no sign-dot)' : '              '}: near p50 ${fmtMs(r.near.p50)} ms recall ${r.near.recall.toFixed(3)}; far p50 ${fmtMs(r.far.p50)} ms recall ${r.far.recall.toFixed(3)}`,
      );
    }
  }
}

main();
