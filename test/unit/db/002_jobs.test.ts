import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../main/engine/db/migrate';
import { migration001 } from '../../../main/engine/db/migrations/001_library';
import { migration002 } from '../../../main/engine/db/migrations/002_jobs';

describe('migration 002: jobs', () => {
  it('upgrades a version-1 database to 2 and keeps its data', () => {
    const db = new Database(':memory:');
    migrate(db, [migration001]);
    db.prepare(`INSERT INTO folders (path, added_at) VALUES ('/lib', 0)`).run();
    expect(migrate(db, [migration001, migration002])).toBe(2);
    expect(db.prepare(`SELECT path FROM folders`).all()).toEqual([{ path: '/lib' }]);
    db.prepare(`INSERT INTO jobs (id, kind, state, params_json, created_at, updated_at) VALUES ('j', 'index', 'queued', '{}', 0, 0)`).run();
    expect(() =>
      db.prepare(`INSERT INTO jobs (id, kind, state, params_json, created_at, updated_at) VALUES ('k', 'index', 'bogus', '{}', 0, 0)`).run(),
    ).toThrow(/CHECK/);
  });

  it('refuses a database from a newer schema', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 99');
    expect(() => migrate(db, [migration001, migration002])).toThrow(/newer Cuebank/);
  });

  it('rolls back a migration that fails half-way', () => {
    const db = new Database(':memory:');
    const broken = { version: 3, name: 'broken', up: (d: Database.Database) => d.exec(`CREATE TABLE t (x); SELECT nonsense FROM nowhere;`) };
    expect(() => migrate(db, [migration001, migration002, broken])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 't'`).get()).toBeUndefined();
  });
});
