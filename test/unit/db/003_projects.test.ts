import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../main/engine/db/migrate';
import { migration001 } from '../../../main/engine/db/migrations/001_library';
import { migration002 } from '../../../main/engine/db/migrations/002_jobs';
import { migration003 } from '../../../main/engine/db/migrations/003_projects';

const before = [migration001, migration002];
const all = [...before, migration003];

function project(db: Database.Database, id: string, name: string, deletedSeq: number | null = null): void {
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at, deleted_seq) VALUES (?, ?, 0, 0, ?)`).run(id, name, deletedSeq);
}

function item(db: Database.Database, id: string, projectId: string, extra: Record<string, unknown> = {}): void {
  const row = {
    id,
    project_id: projectId,
    position: 0,
    source_kind: 'file',
    source_path: '/x.wav',
    library_file_id: null,
    window_start: null,
    window_end: null,
    duration: 1,
    sample_rate: 48000,
    channels: 1,
    fields_json: '{}',
    ...extra,
  };
  const cols = Object.keys(row);
  db.prepare(`INSERT INTO project_items (${cols.join(', ')}, created_at, updated_at) VALUES (${cols.map((c) => '@' + c).join(', ')}, 0, 0)`).run(row);
}

describe('migration 003: projects', () => {
  it('upgrades a version-2 database to 3 and keeps its data', () => {
    const db = new Database(':memory:');
    migrate(db, before);
    db.prepare(`INSERT INTO folders (path, added_at) VALUES ('/lib', 0)`).run();
    expect(migrate(db, all)).toBe(3);
    expect(db.prepare(`SELECT path FROM folders`).all()).toEqual([{ path: '/lib' }]);
    for (const t of ['projects', 'project_items', 'project_item_versions', 'export_presets', 'project_counters']) {
      expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`).get(t)).toEqual({ name: t });
    }
    expect(db.prepare(`SELECT value FROM project_counters WHERE name = 'delete_seq'`).get()).toEqual({ value: 0 });
  });

  it('keeps live project names unique (case-insensitive) but frees the name of a deleted project', () => {
    const db = new Database(':memory:');
    migrate(db, all);
    project(db, 'a', 'Harbour');
    expect(() => project(db, 'b', 'harbour')).toThrow(/UNIQUE/);
    db.prepare(`UPDATE projects SET deleted_seq = 1 WHERE id = 'a'`).run();
    project(db, 'b', 'harbour');
    expect(db.prepare(`SELECT COUNT(*) AS n FROM projects`).get()).toEqual({ n: 2 });
  });

  it('checks item source kinds and windows, and cascades deletes to items and versions', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, all);
    project(db, 'p', 'P');
    expect(() => item(db, 'bad-kind', 'p', { source_kind: 'url' })).toThrow(/CHECK/);
    expect(() => item(db, 'bad-window', 'p', { window_start: 2, window_end: 1 })).toThrow(/CHECK/);
    expect(() => item(db, 'orphan', 'nope')).toThrow(/FOREIGN KEY/);
    item(db, 'i', 'p', { window_start: 0.5, window_end: 1.5 });
    db.prepare(`INSERT INTO project_item_versions (item_id, version, change, fields_json, created_at) VALUES ('i', 1, 'added', '{}', 0)`).run();
    db.prepare(`DELETE FROM projects WHERE id = 'p'`).run();
    expect(db.prepare(`SELECT COUNT(*) AS n FROM project_items`).get()).toEqual({ n: 0 });
    expect(db.prepare(`SELECT COUNT(*) AS n FROM project_item_versions`).get()).toEqual({ n: 0 });
  });

  it('unlinks a library pick from a file the library removed instead of deleting the item', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, all);
    db.prepare(`INSERT INTO folders (id, path, added_at) VALUES (1, '/lib', 0)`).run();
    db.prepare(
      `INSERT INTO files (id, folder_id, path, real_path, name, ext, size, mtime_ms, fingerprint, status, indexed_at)
       VALUES (7, 1, '/lib/a.wav', '/lib/a.wav', 'a.wav', 'wav', 1, 0, 'f', 'ok', 0)`,
    ).run();
    project(db, 'p', 'P');
    item(db, 'i', 'p', { source_kind: 'library', source_path: '/lib/a.wav', library_file_id: 7 });
    db.prepare(`DELETE FROM files WHERE id = 7`).run();
    expect(db.prepare(`SELECT library_file_id, source_path FROM project_items`).get()).toEqual({ library_file_id: null, source_path: '/lib/a.wav' });
  });

  it('export preset names are unique case-insensitively', () => {
    const db = new Database(':memory:');
    migrate(db, all);
    db.prepare(`INSERT INTO export_presets (name, settings_json, created_at, updated_at) VALUES ('Game', '{}', 0, 0)`).run();
    expect(() => db.prepare(`INSERT INTO export_presets (name, settings_json, created_at, updated_at) VALUES ('GAME', '{}', 0, 0)`).run()).toThrow(
      /UNIQUE/,
    );
  });
});
