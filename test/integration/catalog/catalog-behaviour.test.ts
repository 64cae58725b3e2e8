import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMeta } from '../../../main/engine/audio';
import { searchCatalogText } from '../../../main/engine/catalog/catalog-search';
import { resolveConfig } from '../../../main/engine/config';
import type { Embedder } from '../../../main/engine/models/types';
import { openTeamPool } from '../../../main/engine/catalog/postgres/connect';
import { PostgresCatalog } from '../../../main/engine/catalog/postgres/postgres-catalog';
import { teamInit } from '../../../main/engine/catalog/postgres/team-admin';
import { SqliteCatalog } from '../../../main/engine/catalog/sqlite/sqlite-catalog';
import type { CatalogFileInput, CatalogFilters, LibraryCatalog } from '../../../main/engine/catalog/types';
import { openDatabase, type Db } from '../../../main/engine/db/open';
import { ftsDocument } from '../../../main/engine/library/keywords';
import { seededRandom } from '../../../main/engine/seeded-random';
import { corpusDir, corpusFiles, hasCorpus } from '../../helpers/corpus';
import { createTestDatabase, skipPg, type TestDatabase } from '../../helpers/postgres';
import { tempDir } from '../../helpers/tmp';

/**
 * One behaviour suite, run against the local SQLite catalog and the team catalog on PostgreSQL:
 * whatever an area can observe through the interface must be the same on both.
 */

const DIM = 64;

function unitVector(rand: () => number, dim = DIM): Float32Array {
  const v = new Float32Array(dim);
  let n = 0;
  for (let i = 0; i < dim; i++) {
    // Box-Muller: Gaussian components make directions uniform on the sphere.
    v[i] = Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
    n += v[i] * v[i];
  }
  n = Math.sqrt(n);
  for (let i = 0; i < dim; i++) v[i] /= n;
  return v;
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

function fileInput(relPath: string, over: Partial<CatalogFileInput> = {}): CatalogFileInput {
  return {
    relPath,
    size: 1000,
    mtimeMs: 1_700_000_000_000,
    fingerprint: `fp-${relPath}`,
    status: 'ok',
    error: null,
    codec: 'pcm_s16le',
    sampleRate: 48_000,
    channels: 1,
    bitsPerSample: 16,
    frames: 48_000,
    duration: 1,
    metaJson: null,
    words: ftsDocument(`/lib/${relPath}`, '/lib', null),
    ...over,
  };
}

interface Impl {
  name: 'sqlite' | 'postgres';
  skip: boolean;
  open(): Promise<{ catalog: LibraryCatalog; close(): Promise<void> }>;
}

const impls: Impl[] = [
  {
    name: 'sqlite',
    skip: false,
    async open() {
      const tmp = tempDir();
      const db: Db = openDatabase(path.join(tmp.dir, 'lib.db'));
      return {
        catalog: new SqliteCatalog(db),
        async close() {
          db.close();
          tmp.cleanup();
        },
      };
    },
  },
  {
    name: 'postgres',
    skip: skipPg,
    async open() {
      const database: TestDatabase = await createTestDatabase();
      await teamInit(database.url);
      const pool = openTeamPool(database.url);
      return {
        catalog: await PostgresCatalog.open(pool, database.url),
        async close() {
          await pool.end();
          await database.drop();
        },
      };
    },
  },
];

for (const impl of impls) {
  describe.skipIf(impl.skip)(`library catalog behaviour: ${impl.name}`, () => {
    let catalog: LibraryCatalog;
    let close: () => Promise<void>;
    let root: number;
    const libDir = path.resolve('/studio/sfx');

    beforeAll(async () => {
      ({ catalog, close } = await impl.open());
      root = (await catalog.addRoot('SFX', libDir)).id;
    }, 60_000);
    afterAll(async () => close?.());

    it('keeps roots by name: adding one twice gives the same root', async () => {
      const again = await catalog.addRoot('SFX', libDir);
      expect(again.id).toBe(root);
      const other = await catalog.addRoot('MUSIC', path.resolve('/studio/music'));
      expect(other.id).not.toBe(root);
      expect((await catalog.roots()).map((r) => r.name).sort()).toEqual(['MUSIC', 'SFX']);
    });

    it('upserts files by relative path: one row per path, updated in place', async () => {
      const [a, b] = await catalog.upsertFiles(root, [fileInput('doors/DoorSlam_Heavy.wav'), fileInput('weather/Rain_Loop.wav', { duration: 30 })]);
      expect(a).not.toBe(b);
      const [a2] = await catalog.upsertFiles(root, [fileInput('doors/DoorSlam_Heavy.wav', { size: 2000 })]);
      expect(a2).toBe(a);
      const files = await catalog.filesOfRoot(root);
      expect(files.map((f) => [f.relPath, f.size])).toEqual([
        ['doors/DoorSlam_Heavy.wav', 2000],
        ['weather/Rain_Loop.wav', 1000],
      ]);
      expect((await catalog.roots()).find((r) => r.id === root)?.files).toBe(2);
      expect(await catalog.fileByPath(root, 'weather/Rain_Loop.wav')).toMatchObject({ id: b, rootId: root, name: 'Rain_Loop.wav', duration: 30 });
      expect(await catalog.fileByPath(root, 'weather/Nope.wav')).toBeNull();
    });

    it('refuses a path that leaves its root and writes nothing of that batch', async () => {
      const before = (await catalog.counts()).files;
      await expect(catalog.upsertFiles(root, [fileInput('ok/Fine.wav'), fileInput('../escape.wav')])).rejects.toMatchObject({ code: 'invalid_input' });
      expect((await catalog.counts()).files).toBe(before);
    });

    it.skipIf(!hasCorpus)('keeps the metadata of real recordings as read from them', async () => {
      const files = corpusFiles().slice(0, 6);
      const inputs: CatalogFileInput[] = [];
      for (const file of files) {
        const meta = await readMeta(file);
        const rel = path.relative(corpusDir, file).split(path.sep).join('/');
        inputs.push(
          fileInput(`corpus/${rel}`, {
            size: fs.statSync(file).size,
            codec: meta.format.codec,
            sampleRate: meta.format.sampleRate,
            channels: meta.format.channels,
            bitsPerSample: meta.format.bitsPerSample,
            frames: meta.format.frames,
            duration: meta.format.duration,
            metaJson: JSON.stringify(meta),
            words: ftsDocument(file, corpusDir, meta),
          }),
        );
      }
      const ids = await catalog.upsertFiles(root, inputs);
      for (const [i, id] of ids.entries()) {
        const stored = await catalog.file(id);
        expect(stored).toMatchObject({
          relPath: inputs[i].relPath,
          sampleRate: inputs[i].sampleRate,
          channels: inputs[i].channels,
          frames: inputs[i].frames,
          codec: inputs[i].codec,
        });
        expect(stored!.duration).toBeCloseTo(inputs[i].duration!, 9);
        expect(JSON.parse(stored!.metaJson!)).toEqual(JSON.parse(inputs[i].metaJson!));
      }
    });

    it('finds files by keywords in names, folders and tags, with a prefix for the last word, and filters them', async () => {
      const hits = await catalog.keywordSearch('door slam', {}, 10);
      const files = await Promise.all(hits.map((h) => catalog.file(h.fileId)));
      expect(files[0]?.relPath).toBe('doors/DoorSlam_Heavy.wav');
      expect(hits[0].score).toBe(1);
      const prefix = await catalog.keywordSearch('rai', {}, 10);
      expect((await catalog.file(prefix[0].fileId))?.relPath).toBe('weather/Rain_Loop.wav');
      expect(await catalog.keywordSearch('rai', { maxDuration: 10 }, 10)).toEqual([]);
      expect(await catalog.keywordSearch('nothingmatchesthis', {}, 10)).toEqual([]);
    });

    it('stores windows with vectors, and a changed file loses its stale windows', async () => {
      const rand = seededRandom(7);
      const [id] = await catalog.upsertFiles(root, [fileInput('vec/Single.wav')]);
      const before = (await catalog.counts()).windows;
      const ids = await catalog.putWindows(id, 'test-space', DIM, [
        { start: 0, end: 1, vector: unitVector(rand) },
        { start: 1, end: 2, vector: unitVector(rand) },
      ]);
      expect(ids).toHaveLength(2);
      expect((await catalog.file(id))?.embedSpace).toBe('test-space');
      expect((await catalog.counts()).windows).toBe(before + 2);
      // Same content again: the windows stay. New content: they go, and the file awaits embedding.
      await catalog.upsertFiles(root, [fileInput('vec/Single.wav', { size: 5 })]);
      expect((await catalog.counts()).windows).toBe(before + 2);
      await catalog.upsertFiles(root, [fileInput('vec/Single.wav', { fingerprint: 'new-audio' })]);
      expect((await catalog.counts()).windows).toBe(before);
      expect((await catalog.file(id))?.embedSpace).toBeNull();
      await expect(catalog.putWindows(id, 'test-space', DIM + 1, [{ start: 0, end: 1, vector: unitVector(rand, DIM + 1) }])).rejects.toMatchObject({
        code: 'invalid_input',
      });
    });

    describe('vector search', () => {
      const FILES = 1200;
      const rand = seededRandom(42);
      const truth = new Map<number, { vectors: Float32Array[]; duration: number; rate: number; cat: string | null }>();

      beforeAll(async () => {
        const items = [];
        for (let i = 0; i < FILES; i++) {
          const duration = 0.5 + (i % 20);
          const rate = i % 3 === 0 ? 44_100 : 48_000;
          const windows = [0, 1].map((w) => ({ start: w, end: w + 1, vector: unitVector(rand) }));
          items.push({ file: fileInput(`many/take_${i}.wav`, { duration, sampleRate: rate }), windows });
        }
        const ids: number[] = [];
        for (let i = 0; i < items.length; i += 200) ids.push(...(await catalog.writeBatch(root, 'space-a', DIM, items.slice(i, i + 200))));
        for (const [i, id] of ids.entries()) {
          const cat = i % 10 === 0 ? 'DOORCreak' : null;
          truth.set(id, { vectors: items[i].windows.map((w) => w.vector), duration: items[i].file.duration!, rate: items[i].file.sampleRate!, cat });
          if (cat) await catalog.setTag(id, { caption: 'a creaking door', catId: cat, keywords: ['creak'], confidence: 0.9, source: 'accepted' });
        }
      }, 120_000);

      const exactTop = (q: Float32Array, k: number, pass: (t: { duration: number; rate: number; cat: string | null }) => boolean) =>
        [...truth.entries()]
          .filter(([, t]) => pass(t))
          .map(([id, t]) => ({ id, score: Math.max(...t.vectors.map((v) => dot(q, v))) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, k)
          .map((h) => h.id);

      const recall = (got: number[], want: number[]) => got.filter((id) => want.includes(id)).length / want.length;

      it('finds the file a query vector came from, best window first, at recall ≥ 0.9 against exact search', async () => {
        const [someId, t] = [...truth.entries()][321];
        const q = t.vectors[1].map((x) => x + 0.02 * (rand() - 0.5));
        const hits = await catalog.vectorSearch('space-a', q, 10, {});
        expect(hits[0]).toMatchObject({ fileId: someId, start: 1, end: 2 });
        expect(hits[0].score).toBeGreaterThan(0.99);
        expect(recall(hits.map((h) => h.fileId), exactTop(q, 10, () => true))).toBeGreaterThanOrEqual(0.9);
        for (let i = 1; i < hits.length; i++) expect(hits[i].score).toBeLessThanOrEqual(hits[i - 1].score);
      });

      it.each<[string, CatalogFilters, (t: { duration: number; rate: number; cat: string | null }) => boolean]>([
        ['duration', { minDuration: 5, maxDuration: 8 }, (t) => t.duration >= 5 && t.duration <= 8],
        ['sample rate', { sampleRates: [44_100] }, (t) => t.rate === 44_100],
        ['category', { catIds: ['DOORCreak'] }, (t) => t.cat === 'DOORCreak'],
        ['all three', { minDuration: 2, sampleRates: [48_000], catIds: ['DOORCreak'] }, (t) => t.duration >= 2 && t.rate === 48_000 && t.cat === 'DOORCreak'],
      ])('keeps its recall with a %s filter, and returns only files that pass it', async (_name, filters, pass) => {
        let total = 0;
        for (let trial = 0; trial < 5; trial++) {
          const q = unitVector(rand);
          const hits = await catalog.vectorSearch('space-a', q, 10, filters);
          for (const h of hits) expect(pass(truth.get(h.fileId)!)).toBe(true);
          const want = exactTop(q, 10, pass);
          expect(hits).toHaveLength(want.length);
          total += recall(hits.map((h) => h.fileId), want);
        }
        expect(total / 5).toBeGreaterThanOrEqual(0.9);
      });

      it('names its vector spaces, and tells a client with another CLAP pack so instead of mixing spaces', async () => {
        expect((await catalog.spaces())[0]).toEqual({ name: 'space-a', dim: DIM, windows: 2 * FILES });
        const otherPack = {
          space: 'another-pack@fp32',
          dim: DIM,
          embedText: async () => {
            throw new Error('a query vector of another space must not be computed, let alone compared');
          },
        } as unknown as Embedder;
        const settings = resolveConfig({ dbPath: ':memory:', modelsDir: '' }).search;
        const r = await searchCatalogText(catalog, otherPack, settings, { text: 'take 7', limit: 5, rootMap: new Map() });
        expect(r.mode).toBe('keyword');
        expect(r.notes.join(' ')).toMatch(/embedded with space-a; this app uses another-pack@fp32/);
        expect(r.hits.length).toBeGreaterThan(0);
      });

      it('sees windows written and removed after its first search (incremental catch-up)', async () => {
        const q = unitVector(rand);
        await catalog.vectorSearch('space-a', q, 5, {});
        const [id] = await catalog.writeBatch(root, 'space-a', DIM, [{ file: fileInput('late/Arrival.wav'), windows: [{ start: 0, end: 1, vector: q }] }]);
        const found = await catalog.vectorSearch('space-a', q, 5, {});
        expect(found[0]).toMatchObject({ fileId: id });
        expect(found[0].score).toBeCloseTo(1, 5);
        await catalog.removeFiles([id]);
        const after = await catalog.vectorSearch('space-a', q, 5, {});
        expect(after.map((h) => h.fileId)).not.toContain(id);
      });
    });

    it('keeps one current tag per file, and a tag makes its file findable by its words', async () => {
      const [id] = await catalog.upsertFiles(root, [fileInput('untitled/Take_001.wav')]);
      expect(await catalog.tag(id)).toBeNull();
      await catalog.setTag(id, { caption: 'glass shatter', catId: 'DOORGate', keywords: ['shards'], confidence: 0.7, source: 'suggested' });
      await catalog.setTag(id, { caption: 'glass shatter', catId: 'DOORGate', keywords: ['shards'], confidence: 0.7, source: 'accepted' });
      expect(await catalog.tag(id)).toEqual({ caption: 'glass shatter', catId: 'DOORGate', keywords: ['shards'], confidence: 0.7, source: 'accepted' });
      const hits = await catalog.keywordSearch('shards', {}, 10);
      expect(hits.map((h) => h.fileId)).toEqual([id]);
      await catalog.setTag(id, { caption: 'glass shatter', catId: 'DOORGate', keywords: ['shards'], confidence: 0.7, source: 'rejected' });
      expect(await catalog.keywordSearch('shards', {}, 10)).toEqual([]);
      await expect(catalog.setTag(99_999_999, { caption: 'x', catId: null, keywords: [], confidence: null, source: 'accepted' })).rejects.toMatchObject({ code: 'not_found' });
    });
  });
}
