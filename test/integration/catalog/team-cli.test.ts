import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMeta } from '../../../main/engine/audio';
import { searchCatalogText } from '../../../main/engine/catalog/catalog-search';
import { openTeamPool } from '../../../main/engine/catalog/postgres/connect';
import { PostgresCatalog } from '../../../main/engine/catalog/postgres/postgres-catalog';
import { resolveConfig } from '../../../main/engine/config';
import { EmbedderSlot } from '../../../main/engine/embedder-slot';
import { writeFixtures, type FixtureSet } from '../../fixtures';
import { runCli, startCli } from '../../helpers/cli';
import { corpusFiles, hasCorpus } from '../../helpers/corpus';
import { writeManyTakes } from '../../helpers/library';
import { createTestDatabase, skipPg, type TestDatabase } from '../../helpers/postgres';
import { tempDir } from '../../helpers/tmp';

/**
 * `cuebank team …`, `index --team` and `search --team` as a studio uses them: indexers on the same
 * root at once, one killed and restarted, artists mapping the root to their own mount paths.
 */

const TAKES = 64;

describe.skipIf(skipPg)('team library from the command line', () => {
  let tmp: { dir: string; cleanup: () => void };
  let fx: FixtureSet;
  let database: TestDatabase;
  let lib: string;
  let files: number;

  const sql = async <T = Record<string, unknown>>(text: string): Promise<T[]> => {
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    try {
      return (await c.query(text)).rows as T[];
    } finally {
      await c.end();
    }
  };
  /** Rows that would be duplicates if the constraints or claims failed: must all be zero. */
  const duplicates = () =>
    sql(`SELECT (SELECT COUNT(*) - COUNT(DISTINCT (root_id, rel_path)) FROM files)::int AS files,
                (SELECT COUNT(*) - COUNT(DISTINCT (file_id, space, start)) FROM windows)::int AS windows,
                (SELECT COUNT(*) FROM files f WHERE status = 'ok' AND NOT EXISTS (SELECT 1 FROM windows w WHERE w.file_id = f.id))::int AS unembedded`);
  const fileCount = async () => {
    try {
      return Number((await sql<{ n: string }>(`SELECT COUNT(*) AS n FROM files`))[0].n);
    } catch {
      return 0;
    }
  };

  beforeAll(async () => {
    tmp = tempDir();
    fx = writeFixtures(path.join(tmp.dir, 'fx'));
    lib = path.join(tmp.dir, 'nas', 'sfx');
    writeManyTakes(path.join(lib, 'takes'), TAKES);
    // Real recordings beside the fixture sounds (BWF from recorders and DAWs, Ogg field recordings).
    fs.mkdirSync(path.join(lib, 'corpus'), { recursive: true });
    for (const f of corpusFiles()) fs.copyFileSync(f, path.join(lib, 'corpus', path.basename(f)));
    files = TAKES + corpusFiles().length;
    database = await createTestDatabase();
  }, 120_000);
  afterAll(async () => {
    await database?.drop();
    tmp?.cleanup();
  });

  it('team init sets up the schema and roles; status says what the library holds', () => {
    const init = runCli(['team', 'init', database.url, '--json']);
    expect(init.stderr).toBe('');
    expect(JSON.parse(init.stdout)).toMatchObject({ schemaVersion: 3, applied: [1, 2, 3] });
    const status = runCli(['team', 'status', database.url, '--json']);
    expect(JSON.parse(status.stdout)).toEqual({ schemaVersion: 3, roots: [], files: 0, windows: 0, space: null });
    const bad = runCli(['team', 'status', 'mysql://x/y']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/postgres:\/\//);
  });

  it('resumes a killed indexer with no duplicates, while a second indexer works the same root', async () => {
    const args = ['index', '--team', database.url, '--root', `SFX=${lib}`, lib, '--models', fx.modelsDir, '--json'];
    const first = startCli(args);
    const exited = new Promise<void>((resolve) => first.on('exit', () => resolve()));
    let killedAt = -1;
    for (let i = 0; i < 6000 && killedAt < 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const n = await fileCount();
      if (n > 0) {
        first.kill('SIGKILL');
        killedAt = n;
      }
    }
    await exited;
    expect(killedAt).toBeGreaterThan(0);
    const afterKill = await fileCount();
    expect(afterKill).toBeLessThan(files);
    expect(await duplicates()).toEqual([{ files: 0, windows: 0, unembedded: 0 }]);

    // Two indexers started together on the same root finish the job between them, once.
    const run = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = startCli(args);
        let out = '';
        child.stdout!.on('data', (d) => (out += d));
        child.on('exit', (code) => resolve({ code, out }));
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const [sa, sb] = [JSON.parse(a.out), JSON.parse(b.out)];
    expect(sa.failed).toEqual([]);
    expect(sa.added + sb.added).toBe(files - afterKill);
    expect(await duplicates()).toEqual([{ files: 0, windows: 0, unembedded: 0 }]);
    const status = JSON.parse(runCli(['team', 'status', database.url, '--json']).stdout);
    expect(status).toMatchObject({ roots: [{ name: 'SFX', files }], files, space: { name: 'clap-fixture@fp32', dim: 512 } });

    const again = JSON.parse(runCli(args).stdout);
    expect(again).toMatchObject({ scanned: files, added: 0, updated: 0, unchanged: files, embedded: 0 });
  }, 300_000);

  it('maps team results to each client\'s mount path; an unmapped root says why it cannot play', async () => {
    // A second artist has the same share mounted elsewhere. In process: one embedder for the three searches.
    const mountB = path.join(tmp.dir, 'Volumes', 'sfx');
    fs.cpSync(lib, mountB, { recursive: true });
    const config = resolveConfig({ dbPath: ':memory:', modelsDir: fx.modelsDir });
    const slot = new EmbedderSlot(fx.modelsDir, config.models);
    const pool = openTeamPool(database.url);
    try {
      const catalog = await PostgresCatalog.open(pool, database.url);
      const embedder = await slot.get();
      const search = async (rootMap: [string, string][]) =>
        (await searchCatalogText(catalog, embedder, config.search, { text: 'low rumble', limit: 5, rootMap: new Map(rootMap) })).hits;
      const a = await search([['SFX', lib]]);
      const b = await search([['SFX', mountB]]);
      expect(a).toHaveLength(5);
      expect(a.map((r) => r.relPath)).toEqual(b.map((r) => r.relPath));
      for (const r of b) {
        expect(r).toMatchObject({ library: 'team', root: 'SFX', playable: true, reason: null, path: path.join(mountB, ...r.relPath.split('/')) });
      }
      // The second client plays it: the mapped path decodes.
      const meta = await readMeta(b[0].path!);
      expect(meta.format.duration).toBeCloseTo(b[0].duration, 3);
      const unmapped = await search([]);
      expect(unmapped[0]).toMatchObject({ library: 'team', path: null, playable: false, reason: expect.stringMatching(/not mapped.*--root-map SFX=PATH/) });
    } finally {
      await slot.dispose();
      await pool.end();
    }
  }, 120_000);

  it.skipIf(!hasCorpus)('lists local and team results in one ranking, and keeps local results when the team library is offline', () => {
    const localDir = path.join(tmp.dir, 'mine');
    writeManyTakes(localDir, 6);
    const dbFile = path.join(tmp.dir, 'mine.db');
    expect(runCli(['index', localDir, '--db', dbFile, '--models', fx.modelsDir, '--json']).status).toBe(0);
    const both = runCli(['search', '--team', database.url, '--db', dbFile, '--models', fx.modelsDir, '--text', 'low rumble', '--root-map', `SFX=${lib}`, '--limit', '20', '--json']);
    expect(both.status).toBe(0);
    const results = JSON.parse(both.stdout).results as { library: string; score: number }[];
    expect(new Set(results.map((r) => r.library))).toEqual(new Set(['local', 'team']));
    for (let i = 1; i < results.length; i++) expect(results[i].score).toBeLessThanOrEqual(results[i - 1].score);

    const offlineUrl = new URL(database.url);
    offlineUrl.port = '1';
    const offline = runCli(['search', '--team', offlineUrl.toString(), '--db', dbFile, '--models', fx.modelsDir, '--text', 'low rumble', '--json']);
    expect(offline.status).toBe(0);
    const r = JSON.parse(offline.stdout);
    expect(r.results.length).toBeGreaterThan(0);
    expect(r.results.every((x: { library: string }) => x.library === 'local')).toBe(true);
    expect(r.notes.join(' ')).toMatch(/team library is offline/);
    expect(offline.stdout + offline.stderr).not.toContain(`:${new URL(database.url).password}@`);
    expect(r.notes.join(' ')).toContain(':***@');
  }, 120_000);
});
