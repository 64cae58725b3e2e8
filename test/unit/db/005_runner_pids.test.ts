import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../main/engine/db/migrate';
import { migrations } from '../../../main/engine/db/migrations';
import { migration005 } from '../../../main/engine/db/migrations/005_runner_pids';

const before = migrations.filter((m) => m.version < 5);

describe('migration 005: runner pids', () => {
  it('upgrades a version-4 database to 5, keeping jobs and loops, which have no runner (recovered as before)', () => {
    const db = new Database(':memory:');
    migrate(db, before);
    db.prepare(`INSERT INTO jobs (id, kind, state, params_json, created_at, updated_at) VALUES ('j1', 'index', 'running', '{}', 0, 0)`).run();
    db.prepare(`INSERT INTO generations (id, prompt, settings_json, plan_json, state, created_at, updated_at) VALUES ('g1', 'p', '{}', '{}', 'running', 0, 0)`).run();
    expect(migrate(db, [...before, migration005])).toBe(5);
    expect(db.prepare(`SELECT id, state, runner_pid FROM jobs`).all()).toEqual([{ id: 'j1', state: 'running', runner_pid: null }]);
    expect(db.prepare(`SELECT id, state, runner_pid FROM generations`).all()).toEqual([{ id: 'g1', state: 'running', runner_pid: null }]);
  });
});
