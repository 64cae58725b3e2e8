import type { Migration } from '../migration';

/**
 * The pid of the engine process running each job and loop (see runner.ts), so start-up recovery
 * leaves alone the work of another engine alive on the same database. Rows from before have none and
 * are recovered as they always were.
 */
export const migration005: Migration = {
  version: 5,
  name: 'runner pids',
  up(db) {
    db.exec(`
      ALTER TABLE jobs ADD COLUMN runner_pid INTEGER;
      ALTER TABLE generations ADD COLUMN runner_pid INTEGER;
    `);
  },
};
