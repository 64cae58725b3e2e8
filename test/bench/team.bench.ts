/**
 * Team library benchmark on a real PostgreSQL: ingest, a new client's first sync, and filtered
 * top-10 search with recall against exact search. Prints figures; never passes or fails.
 *
 *   CUEBANK_TEST_PG_URL=postgres://… npm run bench:team -- [--n 1000000] [--queries 40] [--per-file 2]
 *                                                        [--batch-files 500] [--keep]
 *
 * Data: CLAP-like 512-d vectors as in search.bench.ts (gaussian clusters in a cone, each with a few
 * principal directions, normalised), `--per-file` windows per file. Files get a duration (0.3–60 s,
 * log-uniform), a sample rate (44.1/48/96 kHz) and for 30% a CatID among 20. Two query sets:
 * near (drawn like the data: audio-to-audio) and far (a centre plus heavy noise: text-like).
 * Filters: none; duration 2–10 s; 48 kHz; one CatID (~1.5% of files); all three together.
 * Ground truth: exact cosine over every window in JavaScript, best window per file, filter applied.
 *
 * Runs through the catalog interface (PostgresCatalog.writeBatch / vectorSearch), so what is
 * measured is what `cuebank index --team` and `search --team` do. Needs a role that may create a
 * database (scripts/ci-postgres.sh makes one); the database is dropped at the end unless --keep.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { TeamChangeFeed } from '../../main/engine/catalog/postgres/change-feed';
import { openTeamPool } from '../../main/engine/catalog/postgres/connect';
import { PostgresCatalog } from '../../main/engine/catalog/postgres/postgres-catalog';
import { teamInit } from '../../main/engine/catalog/postgres/team-admin';
import type { CatalogFileInput, CatalogFilters } from '../../main/engine/catalog/types';
import { clusteredVectors } from './clustered-vectors';
import { createTestDatabase, requirePgUrl } from '../helpers/postgres';
import { machineLine } from './machine';

const D = 512;
const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '1000000' },
    queries: { type: 'string', default: '40' },
    'per-file': { type: 'string', default: '2' },
    'batch-files': { type: 'string', default: '500' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(args.n);
const Q = Number(args.queries);
const PER_FILE = Number(args['per-file']);
const FILES = Math.ceil(N / PER_FILE);
const BATCH_FILES = Number(args['batch-files']);
const K = 10;
const CATS = Array.from({ length: 20 }, (_, i) => `BENCH${String(i).padStart(2, '0')}`);

/** Same generator and defaults as search.bench.ts (512 clusters, rank 16, spread 0.5, noise 0.25, offset 0.8). */
function makeData() {
  const farNoise = 2;
  const { random: r, point, pick } = clusteredVectors({ seed: Number(args.seed), dim: D, clusters: 512, rank: 16, spread: 0.5, noise: 0.25, offset: 0.8 });
  const data = new Float32Array(N * D);
  for (let i = 0; i < N; i++) point(data.subarray(i * D, (i + 1) * D), pick());
  const duration = new Float32Array(FILES);
  const rate = new Int32Array(FILES);
  const cat = new Int16Array(FILES).fill(-1);
  for (let f = 0; f < FILES; f++) {
    duration[f] = Math.fround(0.3 * Math.exp(r.next() * Math.log(200)));
    rate[f] = [44_100, 48_000, 48_000, 96_000][Math.floor(r.next() * 4)];
    if (r.next() < 0.3) cat[f] = Math.floor(r.next() * CATS.length);
  }
  const near = Array.from({ length: Q }, () => point(new Float32Array(D), pick()));
  const far = Array.from({ length: Q }, () => point(new Float32Array(D), pick(), 0.5, farNoise));
  return { data, duration, rate, cat, queries: { near, far } };
}

type Data = ReturnType<typeof makeData>;

const FILTERS: { name: string; filters: CatalogFilters; pass: (d: Data, f: number) => boolean }[] = [
  { name: 'none', filters: {}, pass: () => true },
  { name: 'duration 2–10 s', filters: { minDuration: 2, maxDuration: 10 }, pass: (d, f) => d.duration[f] >= 2 && d.duration[f] <= 10 },
  { name: '48 kHz', filters: { sampleRates: [48_000] }, pass: (d, f) => d.rate[f] === 48_000 },
  { name: `CatID ${CATS[3]}`, filters: { catIds: [CATS[3]] }, pass: (d, f) => d.cat[f] === 3 },
  {
    name: 'duration+rate+CatID',
    filters: { minDuration: 1, maxDuration: 30, sampleRates: [48_000, 96_000], catIds: [CATS[3], CATS[7]] },
    pass: (d, f) => d.duration[f] >= 1 && d.duration[f] <= 30 && (d.rate[f] === 48_000 || d.rate[f] === 96_000) && (d.cat[f] === 3 || d.cat[f] === 7),
  },
];

/** Best cosine per file for one query (every window scored exactly); filters then pick from it. */
function bestPerFile(d: Data, q: Float32Array): Float32Array {
  const best = new Float32Array(FILES).fill(-Infinity);
  for (let i = 0; i < N; i++) {
    const f = Math.floor(i / PER_FILE);
    let s = 0;
    const o = i * D;
    for (let t = 0; t < D; t++) s += q[t] * d.data[o + t];
    if (s > best[f]) best[f] = s;
  }
  return best;
}

function exactTop(best: Float32Array, pass: (f: number) => boolean): number[] {
  const idx: number[] = [];
  for (let f = 0; f < FILES; f++) if (pass(f)) idx.push(f);
  return idx.sort((a, b) => best[b] - best[a]).slice(0, K);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function main(): Promise<void> {
  requirePgUrl();
  console.log(`team library bench: ${N.toLocaleString()} vectors (${D}-d, ${PER_FILE} per file, ${FILES.toLocaleString()} files), ${Q}+${Q} queries`);
  console.log(`machine: ${machineLine()}`);
  let t = performance.now();
  const d = makeData();
  console.log(`data generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const database = await createTestDatabase();
  await teamInit(database.url);
  const pool = openTeamPool(database.url, { statementTimeoutMs: 0 });
  const server = await pool.query(`SHOW server_version`);
  console.log(`PostgreSQL ${server.rows[0].server_version}, no extensions`);
  try {
    const indexer = await PostgresCatalog.open(pool, database.url);
    const root = await indexer.addRoot('BENCH', '/bench');

    // ---- ingest ------------------------------------------------------------------------------
    t = performance.now();
    let written = 0;
    for (let f0 = 0; f0 < FILES; f0 += BATCH_FILES) {
      const items: { file: CatalogFileInput; windows: { start: number; end: number; vector: Float32Array }[] }[] = [];
      for (let f = f0; f < Math.min(FILES, f0 + BATCH_FILES); f++) {
        const windows = [];
        for (let w = 0; w < PER_FILE && f * PER_FILE + w < N; w++) {
          const i = f * PER_FILE + w;
          windows.push({ start: w * 10, end: w * 10 + 10, vector: d.data.subarray(i * D, (i + 1) * D) });
        }
        items.push({
          file: {
            relPath: `lib/${Math.floor(f / 1000)}/take_${f}.wav`,
            size: 1000 + f,
            mtimeMs: 1,
            fingerprint: `fp${f}`,
            status: 'ok',
            error: null,
            codec: 'pcm_s24le',
            sampleRate: d.rate[f],
            channels: 2,
            bitsPerSample: 24,
            frames: Math.round(d.duration[f] * d.rate[f]),
            duration: d.duration[f],
            metaJson: null,
            words: { name: `take ${f}`, folder: 'lib', description: '', metadata: '' },
          },
          windows,
        });
      }
      await indexer.writeBatch(root.id, 'bench@fp32', D, items);
      written += items.reduce((s, it) => s + it.windows.length, 0);
      if ((f0 / BATCH_FILES) % 100 === 0) process.stderr.write(`\r  ingest ${written.toLocaleString()} / ${N.toLocaleString()}`);
    }
    const ingestS = (performance.now() - t) / 1000;
    process.stderr.write('\n');
    console.log(`ingest: ${N.toLocaleString()} vectors + ${FILES.toLocaleString()} files in ${ingestS.toFixed(1)} s = ${Math.round(N / ingestS).toLocaleString()} vectors/s (batches of ${BATCH_FILES} files, one multi-row INSERT per table per batch)`);
    // Tags for the CatID filter, written in bulk (not part of the ingest figure).
    const tagged = [...d.cat].flatMap((c, f) => (c >= 0 ? [[f, c]] : []));
    await pool.query(
      `INSERT INTO tags (file_id, cat_id, source) SELECT f.id, t.cat, 'accepted' FROM unnest($1::text[], $2::text[]) AS t(rel, cat) JOIN files f ON f.rel_path = t.rel`,
      [tagged.map(([f]) => `lib/${Math.floor(f / 1000)}/take_${f}.wav`), tagged.map(([, c]) => CATS[c])],
    );
    const size = await pool.query(`SELECT pg_size_pretty(pg_database_size(current_database())) AS s`);
    console.log(`database size: ${size.rows[0].s}`);
    const fileIdOf = new Map<number, number>();
    for (const r of (await pool.query({ text: `SELECT id::float8, rel_path FROM files`, rowMode: 'array' })).rows as [number, string][]) {
      fileIdOf.set(r[0], Number(r[1].slice(r[1].lastIndexOf('_') + 1, -4)));
    }

    // ---- a new client's first sync -----------------------------------------------------------
    const clientPool = openTeamPool(database.url, { statementTimeoutMs: 0 });
    const client = await PostgresCatalog.open(clientPool, database.url);
    // Without a feed, every query syncs first (several round trips); with it, only after a change.
    const t1 = performance.now();
    const plain = await PostgresCatalog.open(clientPool, database.url);
    await plain.vectorSearch('bench@fp32', d.queries.near[0], K, {});
    const plainSync = (performance.now() - t1) / 1000;
    const noFeed: number[] = [];
    for (const q of d.queries.near) {
      const t0 = performance.now();
      await plain.vectorSearch('bench@fp32', q, K, {});
      noFeed.push(performance.now() - t0);
    }
    await plain.close();
    const feed = new TeamChangeFeed(database.url);
    await feed.start();
    client.followChanges(feed);
    const heapBefore = process.memoryUsage().rss;
    t = performance.now();
    await client.vectorSearch('bench@fp32', d.queries.near[0], K, {});
    const firstSync = (performance.now() - t) / 1000;
    console.log(
      `first sync of a new client (codes of ${N.toLocaleString()} windows + first query): ${firstSync.toFixed(1)} s, ` +
        `~${Math.round((process.memoryUsage().rss - heapBefore) / 2 ** 20)} MiB more resident memory`,
    );

    // ---- queries -----------------------------------------------------------------------------
    console.log(`a second new client, no change feed: first sync ${plainSync.toFixed(1)} s; near, no filter: p50 ${pct(noFeed, 50).toFixed(1)} ms, p95 ${pct(noFeed, 95).toFixed(1)} ms (sync before every query)`);
    console.log(`\ntop-${K} files, client following the change feed, exact re-rank from the server; recall@${K} against exact search (best window per file)`);
    console.log('queries  filter                 p50 ms   p95 ms   recall@10   passing files');
    const passing = FILTERS.map((flt) => Array.from({ length: FILES }, (_, f) => flt.pass(d, f)).filter(Boolean).length);
    for (const set of ['near', 'far'] as const) {
      const times = FILTERS.map(() => [] as number[]);
      const recall = FILTERS.map(() => 0);
      for (const q of d.queries[set]) {
        const best = bestPerFile(d, q);
        for (const [j, flt] of FILTERS.entries()) {
          const t0 = performance.now();
          const hits = await client.vectorSearch('bench@fp32', q, K, flt.filters);
          times[j].push(performance.now() - t0);
          const want = exactTop(best, (f) => flt.pass(d, f));
          const got = hits.map((h) => fileIdOf.get(h.fileId)!);
          recall[j] += want.length ? got.filter((f) => want.includes(f)).length / want.length : 1;
        }
      }
      for (const [j, flt] of FILTERS.entries()) {
        console.log(
          `${set.padEnd(8)} ${flt.name.padEnd(22)} ${pct(times[j], 50).toFixed(1).padStart(6)}   ${pct(times[j], 95).toFixed(1).padStart(6)}   ${(recall[j] / Q).toFixed(3).padStart(9)}   ${passing[j].toLocaleString()}`,
        );
      }
    }

    // ---- incremental catch-up ----------------------------------------------------------------
    const extra = 1000;
    const items = Array.from({ length: extra / PER_FILE }, (_, j) => ({
      file: { relPath: `late/take_${j}.wav`, size: 1, mtimeMs: 1, fingerprint: `late${j}`, status: 'ok' as const, error: null, codec: 'pcm_s16le', sampleRate: 48_000, channels: 1, bitsPerSample: 16, frames: 48_000, duration: 1, metaJson: null, words: null },
      windows: Array.from({ length: PER_FILE }, (_, w) => ({ start: w, end: w + 1, vector: d.data.subarray(((j * PER_FILE + w) % N) * D, ((j * PER_FILE + w) % N + 1) * D) })),
    }));
    await indexer.writeBatch(root.id, 'bench@fp32', D, items);
    t = performance.now();
    await new Promise((r) => setTimeout(r, 200)); // let the feed's notice arrive
    await client.vectorSearch('bench@fp32', d.queries.near[1], K, {});
    console.log(`\ncatch-up: the next query after ${extra} new windows took ${(performance.now() - t).toFixed(1)} ms (sync included)`);
    await feed.close();
    await clientPool.end();
  } finally {
    await pool.end();
    if (args.keep) console.log(`kept database ${database.name}`);
    else await database.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
