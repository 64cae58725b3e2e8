import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../main/engine/db/migrate';
import { migrations } from '../../../main/engine/db/migrations';
import { migration007 } from '../../../main/engine/db/migrations/007_tags';

const before = migrations.filter((m) => m.version < 7);

function fileRow(db: Database.Database, id: number): void {
  db.prepare(
    `INSERT INTO files (id, folder_id, path, real_path, name, ext, size, mtime_ms, fingerprint, status, indexed_at)
     VALUES (?, 1, ?, ?, ?, 'wav', 1, 0, 'fp', 'ok', 0)`,
  ).run(id, `/lib/Take_${id}.wav`, `/lib/Take_${id}.wav`, `Take_${id}.wav`);
}

describe('migration 007: tags', () => {
  it('upgrades an older database to 7, keeping its files and their keyword index, which gains a tags column', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, before);
    db.prepare(`INSERT INTO folders (id, path, added_at) VALUES (1, '/lib', 0)`).run();
    fileRow(db, 1);
    db.prepare(`INSERT INTO files_fts (rowid, name, folder, description, metadata) VALUES (1, 'Take 0412', 'lib', 'door slam', '')`).run();
    expect(migrate(db, [...before, migration007])).toBe(7);

    // The old rows are still found by their words; the new column is empty until a tag fills it.
    expect(db.prepare(`SELECT rowid, name, tags FROM files_fts WHERE files_fts MATCH 'slam'`).all()).toEqual([
      { rowid: 1, name: 'Take 0412', tags: null },
    ]);
    db.prepare(`UPDATE files_fts SET tags = 'distant thunder rumble WTHRThun' WHERE rowid = 1`).run();
    expect(db.prepare(`SELECT rowid FROM files_fts WHERE files_fts MATCH 'thunder'`).all()).toEqual([{ rowid: 1 }]);
  });

  it('keeps one tag per file with its defaults, refuses an unknown source, and drops a tag with its file', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
    db.prepare(`INSERT INTO folders (id, path, added_at) VALUES (1, '/lib', 0)`).run();
    fileRow(db, 1);
    fileRow(db, 2);
    db.prepare(`INSERT INTO tags (file_id, caption, cat_id, source, updated_at) VALUES (1, 'low rumble', 'DSGNRmbl', 'suggested', 5)`).run();
    expect(db.prepare(`SELECT alternatives, keywords, evidence, confidence FROM tags WHERE file_id = 1`).get()).toEqual({
      alternatives: '[]',
      keywords: '[]',
      evidence: '[]',
      confidence: null,
    });
    expect(() => db.prepare(`INSERT INTO tags (file_id, source, updated_at) VALUES (1, 'suggested', 6)`).run()).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.prepare(`INSERT INTO tags (file_id, source, updated_at) VALUES (2, 'guessed', 6)`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`INSERT INTO tags (file_id, source, updated_at) VALUES (99, 'suggested', 6)`).run()).toThrow(/FOREIGN KEY/);
    db.prepare(`INSERT INTO tag_history (file_id, caption, cat_id, keywords, source, at) VALUES (1, 'low rumble', 'DSGNRmbl', '[]', 'suggested', 5)`).run();
    db.prepare(`DELETE FROM files WHERE id = 1`).run();
    expect(db.prepare(`SELECT COUNT(*) AS n FROM tags`).get()).toEqual({ n: 0 });
  });
});
