import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/engine/db/open';
import { migrations } from '../../../main/engine/db/migrations';
import { tempDir } from '../../helpers/tmp';

describe('openDatabase', () => {
  let tmp: { dir: string; cleanup: () => void } | undefined;
  afterEach(() => tmp?.cleanup());

  it('creates a new workspace with 16 KiB pages, WAL and every migration applied', () => {
    tmp = tempDir();
    const db = openDatabase(path.join(tmp.dir, 'sub', 'new.db'));
    expect(db.pragma('page_size', { simple: true })).toBe(16_384);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations[migrations.length - 1].version);
    db.close();
  });

  it('opens a workspace made with the default page size as it is', () => {
    tmp = tempDir();
    const file = path.join(tmp.dir, 'old.db');
    const old = new Database(file);
    old.exec(`CREATE TABLE keep (x INTEGER); INSERT INTO keep VALUES (7);`);
    const pageSize = old.pragma('page_size', { simple: true });
    old.close();
    expect(pageSize).not.toBe(16_384);
    const db = openDatabase(file);
    expect(db.pragma('page_size', { simple: true })).toBe(pageSize);
    expect(db.prepare(`SELECT x FROM keep`).all()).toEqual([{ x: 7 }]);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations[migrations.length - 1].version);
    db.close();
  });
});
