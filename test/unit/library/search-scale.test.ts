import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchHit } from '../../../preload/contract/search';
import { resolveConfig } from '../../../main/engine/config';
import { openDatabase, type Db } from '../../../main/engine/db/open';
import { search, type SearchDeps } from '../../../main/engine/library/search';
import { VectorSpaces } from '../../../main/engine/library/spaces';
import type { Embedder } from '../../../main/engine/models/types';
import { Prng } from '../../fixtures/prng';
import { tempDir } from '../../helpers/tmp';

/**
 * The approximate path of search (vector candidates, filters applied after, widening when the
 * filter removes them all) against brute force over the same vectors. A library this size is
 * past the point where search scores every window exactly.
 */
const DIM = 128;
const CLUSTERS = 40;
const FILES = 24_000;
const WINDOWS_PER_FILE = 3;
const SPACE = 'synthetic@fp32';
/**
 * Three files in four of every cluster are stereo: a filter on stereo removes some of any query's
 * near neighbours yet keeps 54,000 windows, more than search scores exactly, so the filter is
 * applied after the vector candidates.
 */
const stereo = (file: number) => Math.floor(file / CLUSTERS) % 4 !== 0;

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return v.map((x) => x / n);
}

describe('search beyond exact scoring', () => {
  let tmp: { dir: string; cleanup: () => void };
  let db: Db;
  let deps: SearchDeps;
  let centres: Float32Array[];
  const vectors = new Map<number, { file: number; v: Float32Array }>();
  const rate = new Map<number, number>();
  /** Calls of the vector store's approximate search: none means search scored every window exactly. */
  let approximateSearches = 0;

  beforeAll(() => {
    tmp = tempDir();
    db = openDatabase(path.join(tmp.dir, 's.db'));
    const r = new Prng(7);
    centres = Array.from({ length: CLUSTERS }, () => unit(Float32Array.from({ length: DIM }, () => r.gaussian())));
    const spaces = new VectorSpaces(db);
    const store = spaces.open(SPACE, DIM);
    const approximate = store.search.bind(store);
    store.search = (q, k) => {
      approximateSearches++;
      return approximate(q, k);
    };
    db.prepare(`INSERT INTO folders (id, path, added_at) VALUES (1, '/lib', 0)`).run();
    const insertFile = db.prepare(
      `INSERT INTO files (id, folder_id, path, real_path, name, ext, size, mtime_ms, fingerprint, status, codec, sample_rate, channels, duration, embed_space, indexed_at)
       VALUES (?, 1, ?, ?, ?, 'wav', 1, 1, 'x', 'ok', 'pcm_s16le', ?, ?, 30, ?, 0)`,
    );
    const insertWindow = db.prepare(`INSERT INTO windows (id, file_id, space, start, end) VALUES (?, ?, ?, ?, ?)`);
    db.transaction(() => {
      let w = 0;
      for (let f = 1; f <= FILES; f++) {
        const cluster = f % CLUSTERS;
        // Cluster 0 is all 44.1 kHz: a filter on 48 kHz removes every near neighbour of centre 0.
        const sr = cluster === 0 ? 44_100 : 48_000;
        rate.set(f, sr);
        insertFile.run(f, `/lib/f${f}.wav`, `/lib/f${f}.wav`, `f${f}.wav`, sr, stereo(f) ? 2 : 1, SPACE);
        const items = [];
        for (let k = 0; k < WINDOWS_PER_FILE; k++) {
          w++;
          const v = unit(centres[cluster].map((x) => x + 0.35 * r.gaussian() / Math.sqrt(DIM) * 4));
          insertWindow.run(w, f, SPACE, k * 10, k * 10 + 10);
          vectors.set(w, { file: f, v });
          items.push({ id: w, vector: v });
        }
        store.upsert(items);
      }
    })();
    const fake: Embedder = {
      space: SPACE,
      dim: DIM,
      sampleRate: 48_000,
      windowSeconds: 10,
      maxFrequency: 14_000,
      embedText: async (texts) => texts.map((t) => centres[Number(t.replace(/\D/g, ''))]),
      embedAudio: async () => {
        throw new Error('not used');
      },
      dispose: async () => undefined,
    };
    const cfg = resolveConfig({ dbPath: '', modelsDir: '' });
    deps = { db, spaces, embedder: fake, settings: cfg.search, index: cfg.index, noEmbedderNote: '' };
  });

  afterAll(() => {
    db?.close();
    tmp?.cleanup();
  });

  /** Best window per file by exact cosine, highest first; ties by file id. */
  function bruteForce(query: Float32Array, keep: (file: number) => boolean, limit: number): number[] {
    const best = new Map<number, number>();
    for (const { file, v } of vectors.values()) {
      if (!keep(file)) continue;
      let s = 0;
      for (let i = 0; i < DIM; i++) s += v[i] * query[i];
      if (s > (best.get(file) ?? -Infinity)) best.set(file, s);
    }
    return [...best.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, limit).map(([f]) => f);
  }

  const files = (hits: SearchHit[]) => hits.map((h) => h.fileId);

  /** Runs a search and checks it took the approximate path (vector candidates, not every window scored). */
  async function approximateSearch(q: Parameters<typeof search>[1]): Promise<SearchHit[]> {
    const before = approximateSearches;
    const { results } = await search(deps, q);
    expect(approximateSearches).toBeGreaterThan(before);
    return results;
  }

  /** Share of the true top results that search returned (its scores are exact, its candidates approximate). */
  const recall = (got: number[], truth: number[]) => got.filter((f) => truth.includes(f)).length / truth.length;

  it('finds the top results without a filter, ranked by exact score', async () => {
    for (const c of [3, 17, 29]) {
      const hits = await approximateSearch({ text: `cluster ${c}`, limit: 20 });
      expect(hits).toHaveLength(20);
      expect(recall(files(hits), bruteForce(centres[c], () => true, 20))).toBeGreaterThanOrEqual(0.9);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
    }
  });

  it('applies a filter that keeps most of the library after the vector candidates', async () => {
    const hits = await approximateSearch({ text: 'cluster 5', limit: 15, filters: { channels: [2] } });
    expect(hits).toHaveLength(15);
    for (const h of hits) expect(h.channels).toBe(2);
    expect(recall(files(hits), bruteForce(centres[5], stereo, 15))).toBeGreaterThanOrEqual(0.9);
    // The filter mattered: some of the unfiltered best files are mono.
    expect(bruteForce(centres[5], () => true, 15).some((f) => !stereo(f))).toBe(true);
  });

  it('widens the candidates when the filter removes every near neighbour', async () => {
    const hits = await approximateSearch({ text: 'cluster 0', limit: 10, filters: { sampleRates: [48_000] } });
    expect(hits).toHaveLength(10);
    for (const h of hits) expect(h.sampleRate).toBe(48_000);
    expect(files(hits)).toEqual(bruteForce(centres[0], (f) => rate.get(f) === 48_000, 10));
  });
});
