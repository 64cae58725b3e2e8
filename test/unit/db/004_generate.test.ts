import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../main/engine/db/migrate';
import { migrations } from '../../../main/engine/db/migrations';
import { migration004 } from '../../../main/engine/db/migrations/004_generate';

const before = migrations.filter((m) => m.version < 4);

function generationRow(db: Database.Database, id = 'g1'): void {
  db.prepare(
    `INSERT INTO generations (id, prompt, settings_json, plan_json, state, created_at, updated_at) VALUES (?, 'p', '{}', '{}', 'running', 0, 0)`,
  ).run(id);
}

function takeRow(db: Database.Database, id: string, generation = 'g1', parent: string | null = null, strategy = 'initial'): void {
  db.prepare(
    `INSERT INTO takes (id, generation_id, parent_id, iteration, candidate, seed, strategy, file, duration, sample_rate, channels, created_at)
     VALUES (?, ?, ?, 1, 0, 1, ?, ?, 1, 44100, 2, 0)`,
  ).run(id, generation, parent, strategy, `takes/${generation}/${id}.wav`);
}

describe('migration 004: generate', () => {
  it('upgrades a version-3 database to 4 and keeps its data', () => {
    const db = new Database(':memory:');
    migrate(db, before);
    db.prepare(`INSERT INTO folders (path, added_at) VALUES ('/lib', 0)`).run();
    expect(migrate(db, [...before, migration004])).toBe(4);
    expect(db.prepare(`SELECT path FROM folders`).all()).toEqual([{ path: '/lib' }]);
    for (const t of ['generations', 'takes', 'take_references']) {
      expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`).get(t)).toEqual({ name: t });
    }
  });

  it('checks states, strategies and verdict-free columns, and keeps take files unique', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, [...before, migration004]);
    generationRow(db);
    expect(() =>
      db.prepare(`INSERT INTO generations (id, prompt, settings_json, plan_json, state, created_at, updated_at) VALUES ('g2', 'p', '{}', '{}', 'bogus', 0, 0)`).run(),
    ).toThrow(/CHECK/);
    takeRow(db, 't1');
    expect(() => takeRow(db, 't2', 'g1', 't1', 'magic')).toThrow(/CHECK/);
    expect(() => takeRow(db, 't3', 'nope')).toThrow(/FOREIGN KEY/);
    // The same file twice would let one row's delete remove another row's audio.
    expect(() =>
      db.prepare(
        `INSERT INTO takes (id, generation_id, iteration, candidate, seed, strategy, file, duration, sample_rate, channels, created_at)
         VALUES ('t4', 'g1', 1, 1, 1, 'initial', 'takes/g1/t1.wav', 1, 44100, 2, 0)`,
      ).run(),
    ).toThrow(/UNIQUE/);
    const ref = db.prepare(
      `INSERT INTO take_references (generation_id, take_id, iteration, event_id, event_text, file_id, path, score, window_start, window_end, rank, state, created_at)
       VALUES ('g1', 't1', 1, 'e1', 'a beep', 7, '/lib/a.wav', 0.8, 0, 10, 0, ?, 0)`,
    );
    expect(() => ref.run('maybe')).toThrow(/CHECK/);
    ref.run('proposed');
    expect(() => ref.run('accepted')).toThrow(/UNIQUE/);
  });

  it('cascades a generation delete to its takes and references', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, [...before, migration004]);
    generationRow(db);
    takeRow(db, 't1');
    takeRow(db, 't2', 'g1', 't1', 'layer');
    db.prepare(
      `INSERT INTO take_references (generation_id, take_id, iteration, event_id, event_text, path, score, window_start, window_end, rank, created_at)
       VALUES ('g1', 't1', 1, 'e1', 'a beep', '/lib/a.wav', 0.8, 0, 10, 0, 0)`,
    ).run();
    db.prepare(`DELETE FROM generations WHERE id = 'g1'`).run();
    expect(db.prepare(`SELECT COUNT(*) AS n FROM takes`).get()).toEqual({ n: 0 });
    expect(db.prepare(`SELECT COUNT(*) AS n FROM take_references`).get()).toEqual({ n: 0 });
  });
});
