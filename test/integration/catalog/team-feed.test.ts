import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeamChangeFeed, type TeamChange } from '../../../main/engine/catalog/postgres/change-feed';
import { openTeamPool } from '../../../main/engine/catalog/postgres/connect';
import { PostgresCatalog } from '../../../main/engine/catalog/postgres/postgres-catalog';
import { teamGrant, teamInit } from '../../../main/engine/catalog/postgres/team-admin';
import { createTestDatabase, skipPg, type TestDatabase } from '../../helpers/postgres';

/** The change feed: an editor's tag reaches a listening reader; a dropped listener reconnects and catches up. */

const nextChange = (feed: TeamChangeFeed, want: (c: TeamChange) => boolean) =>
  new Promise<TeamChange>((resolve) => {
    const on = (c: TeamChange) => {
      if (!want(c)) return;
      feed.off('change', on);
      resolve(c);
    };
    feed.on('change', on);
  });

describe.skipIf(skipPg)('team library change feed', () => {
  let database: TestDatabase;
  const pools: pg.Pool[] = [];
  const feeds: TeamChangeFeed[] = [];
  const open = async (url: string) => {
    const pool = openTeamPool(url);
    pools.push(pool);
    return PostgresCatalog.open(pool, url);
  };
  let fileId: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    await teamInit(database.url);
    const owner = await open(database.url);
    const root = await owner.addRoot('SFX', '/mnt/sfx');
    [fileId] = await owner.upsertFiles(root.id, [
      { relPath: 'a.wav', size: 1, mtimeMs: 1, fingerprint: 'a', status: 'ok', error: null, codec: null, sampleRate: 48_000, channels: 1, bitsPerSample: 16, frames: 1, duration: 1, metaJson: null, words: null },
    ]);
  });
  afterAll(async () => {
    for (const f of feeds) await f.close();
    for (const p of pools) await p.end();
    await database?.drop();
  });

  it("delivers an editor's accepted tag to a listening reader, who catches up from the sequence", async () => {
    const [reader, editor] = [await database.login('ann'), await database.login('ed')];
    await teamGrant(database.url, 'reader', reader.name);
    await teamGrant(database.url, 'editor', editor.name);
    const asReader = await open(reader.url);
    const asEditor = await open(editor.url);
    const feed = new TeamChangeFeed(reader.url);
    feeds.push(feed);
    await feed.start();
    expect(feed.online).toBe(true);
    const { seq } = await asReader.tagChangesSince(0);

    const arrived = nextChange(feed, (c) => c.kind === 'tags');
    await asEditor.setTag(fileId, { caption: 'door creak', catId: 'DOORCreak', keywords: [], confidence: null, source: 'accepted' });
    expect(await arrived).toMatchObject({ kind: 'tags', fileId });
    const caught = await asReader.tagChangesSince(seq);
    expect(caught.fileIds).toEqual([fileId]);
    expect(caught.seq).toBeGreaterThan(seq);
    expect(await asReader.tag(fileId)).toMatchObject({ caption: 'door creak', source: 'accepted' });
    expect((await asReader.tagChangesSince(caught.seq)).fileIds).toEqual([]);
  });

  it('lets a following client skip syncing until new windows are announced, then sees them', async () => {
    const feed = new TeamChangeFeed(database.url);
    feeds.push(feed);
    await feed.start();
    const writer = await open(database.url);
    const reader = await open(database.url);
    reader.followChanges(feed);
    const v = (x: number) => Float32Array.from({ length: 8 }, (_, i) => (i === x ? 1 : 0.01));
    const root = await writer.addRoot('SFX', '/mnt/sfx');
    const file = (rel: string) => ({ relPath: rel, size: 1, mtimeMs: 1, fingerprint: rel, status: 'ok' as const, error: null, codec: null, sampleRate: 48_000, channels: 1, bitsPerSample: 16, frames: 1, duration: 1, metaJson: null, words: null });
    const [first] = await writer.writeBatch(root.id, 'feed-space', 8, [{ file: file('f1.wav'), windows: [{ start: 0, end: 1, vector: v(1) }] }]);
    expect((await reader.vectorSearch('feed-space', v(1), 1, {}))[0].fileId).toBe(first);
    const announced = nextChange(feed, (c) => c.kind === 'windows');
    const [second] = await writer.writeBatch(root.id, 'feed-space', 8, [{ file: file('f2.wav'), windows: [{ start: 0, end: 1, vector: v(2) }] }]);
    await announced;
    expect((await reader.vectorSearch('feed-space', v(2), 1, {}))[0].fileId).toBe(second);
  });

  it('says it is offline when its connection is cut, reconnects by itself and hears changes again', async () => {
    const feed = new TeamChangeFeed(database.url, { minDelayMs: 50, maxDelayMs: 200 });
    feeds.push(feed);
    await feed.start();
    const offline = new Promise<Error>((resolve) => feed.once('offline', resolve));
    const back = new Promise<void>((resolve) => feed.once('online', () => resolve()));
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const cut = await admin.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'cuebank-feed' AND datname = $1 AND usename = current_user`, [database.name]);
    await admin.end();
    expect(cut.rows.map((r) => r.ok)).toContain(true);
    expect(await offline).toBeInstanceOf(Error);
    await back;
    expect(feed.online).toBe(true);
    const arrived = nextChange(feed, (c) => c.kind === 'tags');
    const owner = await open(database.url);
    await owner.setTag(fileId, { caption: 'gate', catId: 'DOORGate', keywords: [], confidence: null, source: 'edited' });
    expect(await arrived).toMatchObject({ kind: 'tags', fileId });
  });
});
