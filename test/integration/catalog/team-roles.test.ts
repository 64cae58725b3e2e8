import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openTeamPool } from '../../../main/engine/catalog/postgres/connect';
import { PostgresCatalog } from '../../../main/engine/catalog/postgres/postgres-catalog';
import { teamGrant, teamInit, teamStatus, teamUpgrade } from '../../../main/engine/catalog/postgres/team-admin';
import type { CatalogFileInput } from '../../../main/engine/catalog/types';
import { createTestDatabase, skipPg, type TestDatabase } from '../../helpers/postgres';

/** Schema set-up under the advisory lock, and the roles as server-side grants. */

const file = (relPath: string): CatalogFileInput => ({
  relPath,
  size: 10,
  mtimeMs: 1,
  fingerprint: `fp-${relPath}`,
  status: 'ok',
  error: null,
  codec: 'pcm_s16le',
  sampleRate: 48_000,
  channels: 2,
  bitsPerSample: 24,
  frames: 100,
  duration: 2,
  metaJson: null,
  words: { name: 'Thunder Clap', folder: 'weather', description: '', metadata: '' },
});

describe.skipIf(skipPg)('team library schema and roles', () => {
  let database: TestDatabase;
  const pools: pg.Pool[] = [];
  const open = async (url: string) => {
    const pool = openTeamPool(url);
    pools.push(pool);
    return PostgresCatalog.open(pool, url);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const p of pools) await p.end();
    await database?.drop();
  });

  it('refuses to open a database that is not a team library yet', async () => {
    await expect(open(database.url)).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/team init/) });
  });

  it('migrates once when two machines run init at the same time, and init again changes nothing', async () => {
    const [a, b] = await Promise.all([teamInit(database.url), teamInit(database.url)]);
    // The advisory lock serialises them: one applied every migration, the other found nothing to do.
    expect([a.applied, b.applied].sort((x, y) => x.length - y.length)).toEqual([[], [1, 2, 3]]);
    expect(a.schemaVersion).toBe(3);
    expect(a.roles).toEqual([`${database.name}_reader`, `${database.name}_editor`, `${database.name}_indexer`]);
    expect((await teamUpgrade(database.url)).applied).toEqual([]);
    expect(await teamStatus(database.url)).toEqual({ schemaVersion: 3, roots: [], files: 0, windows: 0, space: null });
  });

  it('lets the server refuse what a role may not do: a reader cannot tag, an editor cannot index', async () => {
    const [reader, editor, indexer] = [await database.login('alice'), await database.login('bob'), await database.login('ixr')];
    await teamGrant(database.url, 'reader', reader.name);
    await teamGrant(database.url, 'editor', editor.name);
    await teamGrant(database.url, 'indexer', indexer.name);
    await expect(teamGrant(database.url, 'owner', reader.name)).rejects.toMatchObject({ code: 'invalid_input' });

    const asIndexer = await open(indexer.url);
    const root = await asIndexer.addRoot('SFX', '/mnt/nas/sfx');
    const [id] = await asIndexer.upsertFiles(root.id, [file('weather/Thunder_Clap.wav')]);

    const asReader = await open(reader.url);
    expect((await asReader.keywordSearch('thunder', {}, 5)).map((h) => h.fileId)).toEqual([id]);
    await expect(asReader.setTag(id, { caption: 'thunder', catId: null, keywords: [], confidence: null, source: 'accepted' })).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/permission denied/),
    });
    await expect(asReader.upsertFiles(root.id, [file('x.wav')])).rejects.toMatchObject({ code: 'forbidden' });

    const asEditor = await open(editor.url);
    await asEditor.setTag(id, { caption: 'distant thunder', catId: null, keywords: ['storm'], confidence: null, source: 'edited' });
    await expect(asEditor.upsertFiles(root.id, [file('y.wav')])).rejects.toMatchObject({ code: 'forbidden' });
    // The editor's tag is what every other client reads, with who made it.
    expect(await asReader.tag(id)).toMatchObject({ caption: 'distant thunder', source: 'edited' });
    expect((await asReader.keywordSearch('storm', {}, 5)).map((h) => h.fileId)).toEqual([id]);
    const check = new pg.Client({ connectionString: database.url });
    await check.connect();
    const by = await check.query(`SELECT updated_by FROM tags WHERE file_id = $1`, [id]);
    await check.end();
    expect(by.rows[0].updated_by).toBe(editor.name);

    // Moving someone to another role takes the old one away.
    await teamGrant(database.url, 'reader', editor.name);
    await expect(asEditor.setTag(id, { caption: 'x', catId: null, keywords: [], confidence: null, source: 'edited' })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('says the login was rejected without showing the password', async () => {
    const u = new URL(database.url);
    u.username = `${database.name}_nobody`;
    u.password = 'secret-pw-123';
    const err = await open(u.toString()).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'forbidden' });
    expect((err as Error).message).not.toContain('secret-pw-123');
  });
});
