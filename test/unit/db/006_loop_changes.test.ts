import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../main/engine/db/migrate';
import { migrations } from '../../../main/engine/db/migrations';
import { migration006 } from '../../../main/engine/db/migrations/006_loop_changes';

const before = migrations.filter((m) => m.version < 6);

describe('migration 006: loop changes', () => {
  it('upgrades a version-5 database to 6, keeping takes and generations, which have no change or note', () => {
    const db = new Database(':memory:');
    migrate(db, before);
    db.prepare(`INSERT INTO generations (id, prompt, settings_json, plan_json, state, created_at, updated_at) VALUES ('g1', 'p', '{}', '{}', 'done', 0, 0)`).run();
    db.prepare(
      `INSERT INTO takes (id, generation_id, parent_id, iteration, candidate, seed, strategy, file, duration, sample_rate, channels, created_at)
       VALUES ('t1', 'g1', NULL, 1, 0, 1, 'initial', 'takes/g1/t1.wav', 1, 44100, 1, 0)`,
    ).run();
    expect(migrate(db, [...before, migration006])).toBe(6);
    expect(db.prepare(`SELECT id, change_json, present_count FROM takes`).all()).toEqual([{ id: 't1', change_json: null, present_count: null }]);
    expect(db.prepare(`SELECT id, state, note FROM generations`).all()).toEqual([{ id: 'g1', state: 'done', note: null }]);
  });
});
