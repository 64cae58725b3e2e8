import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../main/engine/db/migrate';
import { migration001 } from '../../../main/engine/db/migrations/001_library';

describe('migration 001: library', () => {
  const fresh = () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, [migration001]);
    return db;
  };

  it('creates the library tables and sets user_version 1', () => {
    const db = fresh();
    const names = (db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name`).all() as { name: string }[]).map(
      (r) => r.name,
    );
    expect(names).toEqual(expect.arrayContaining(['settings', 'folders', 'files', 'vector_spaces', 'windows', 'files_fts']));
    expect(db.pragma('user_version', { simple: true })).toBe(1);
  });

  it('cascades folder deletion to files and file deletion to windows', () => {
    const db = fresh();
    db.prepare(`INSERT INTO folders (id, path, added_at) VALUES (1, '/lib', 0)`).run();
    db.prepare(
      `INSERT INTO files (id, folder_id, path, real_path, name, ext, size, mtime_ms, fingerprint, status, indexed_at)
       VALUES (1, 1, '/lib/a.wav', '/lib/a.wav', 'a.wav', 'wav', 1, 1, 'x', 'ok', 0)`,
    ).run();
    db.prepare(`INSERT INTO vector_spaces (name, dim, created_at) VALUES ('s', 4, 0)`).run();
    db.prepare(`INSERT INTO windows (file_id, space, start, end) VALUES (1, 's', 0, 1)`).run();
    db.prepare(`DELETE FROM folders WHERE id = 1`).run();
    expect(db.prepare(`SELECT COUNT(*) AS n FROM files`).get()).toEqual({ n: 0 });
    expect(db.prepare(`SELECT COUNT(*) AS n FROM windows`).get()).toEqual({ n: 0 });
  });

  it('refuses a second row for the same real file and an unknown status', () => {
    const db = fresh();
    db.prepare(`INSERT INTO folders (id, path, added_at) VALUES (1, '/lib', 0)`).run();
    const insert = db.prepare(
      `INSERT INTO files (folder_id, path, real_path, name, ext, size, mtime_ms, fingerprint, status, indexed_at)
       VALUES (1, ?, ?, 'a.wav', 'wav', 1, 1, 'x', ?, 0)`,
    );
    insert.run('/lib/a.wav', '/real/a.wav', 'ok');
    expect(() => insert.run('/lib/link/a.wav', '/real/a.wav', 'ok')).toThrow(/UNIQUE/);
    expect(() => insert.run('/lib/b.wav', '/real/b.wav', 'maybe')).toThrow(/CHECK/);
  });

  it('indexes names and metadata for full-text search', () => {
    const db = fresh();
    db.prepare(`INSERT INTO files_fts (rowid, name, folder, description, metadata) VALUES (7, 'door slam', 'foley', 'heavy oak door', '')`).run();
    const hit = db.prepare(`SELECT rowid FROM files_fts WHERE files_fts MATCH 'oak'`).get();
    expect(hit).toEqual({ rowid: 7 });
  });
});
