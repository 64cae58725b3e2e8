import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../main/engine/db/migrate';
import { migrations } from '../../../main/engine/db/migrations';
import { migration008 } from '../../../main/engine/db/migrations/008_knowledge_base';

const before = migrations.filter((m) => m.version < 8);

describe('migration 008: knowledge base', () => {
  it('upgrades a database to 8; a file leaving the library takes its pair and verdicts along, not its caption-vector record', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, before);
    db.prepare(`INSERT INTO folders (id, path, added_at) VALUES (1, '/l', 0)`).run();
    db.prepare(
      `INSERT INTO files (id, folder_id, path, real_path, name, ext, size, mtime_ms, fingerprint, status, indexed_at)
       VALUES (7, 1, '/l/a.wav', '/l/a.wav', 'a.wav', 'wav', 1, 0, 'fp', 'ok', 0)`,
    ).run();
    expect(migrate(db, [...before, migration008])).toBe(8);
    db.prepare(`INSERT INTO kb_pairs (file_id, caption, source, fingerprint, updated_at) VALUES (7, 'door slam', 'bext', 'fp', 0)`).run();
    db.prepare(`INSERT INTO kb_caption_vectors (file_id, space, caption) VALUES (7, 's:caption', 'door slam')`).run();
    db.prepare(`INSERT INTO kb_refinement (file_id, space, agreement, empty_similarity, fingerprint, caption) VALUES (7, 's', 3.2, 0.1, 'fp', 'door slam')`).run();
    expect(() => db.prepare(`INSERT INTO kb_refinement (file_id, space, agreement, fingerprint, caption) VALUES (7, 't', 1, 'fp', 'x')`).run()).toThrow(/NOT NULL/);
    expect(() => db.prepare(`INSERT INTO kb_pairs (file_id, caption, source, fingerprint, updated_at) VALUES (8, 'x', 'bext', 'fp', 0)`).run()).toThrow(/FOREIGN KEY/);
    db.prepare(`DELETE FROM files WHERE id = 7`).run();
    expect(db.prepare(`SELECT COUNT(*) AS n FROM kb_pairs`).get()).toEqual({ n: 0 });
    expect(db.prepare(`SELECT COUNT(*) AS n FROM kb_refinement`).get()).toEqual({ n: 0 });
    expect(db.prepare(`SELECT file_id, space FROM kb_caption_vectors`).all()).toEqual([{ file_id: 7, space: 's:caption' }]);
  });
});
