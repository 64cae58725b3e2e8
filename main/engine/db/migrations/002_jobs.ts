import type { Migration } from '../migration';

/**
 * Jobs outlive the process that ran them: after a crash or a reload, `jobs.list` rebuilds the
 * view from here and interrupted jobs are marked so that their work can resume.
 */
export const migration002: Migration = {
  version: 2,
  name: 'jobs',
  up(db) {
    db.exec(`
      CREATE TABLE jobs (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,
        state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
        params_json   TEXT NOT NULL,
        progress_json TEXT,
        result_json   TEXT,
        error_json    TEXT,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      );
      CREATE INDEX jobs_state ON jobs(state);
    `);
  },
};
