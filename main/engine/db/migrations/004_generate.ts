import type { Migration } from '../migration';

/**
 * The generate loop: a generation (prompt, settings, event plan, state), its takes (a tree: each
 * regeneration points at the take it came from) with their critiques, and the library references
 * retrieved for a take's flagged events. A take's audio lives in a WAV file under the data folder;
 * `file` is relative to it, and the file is written (and renamed into place) before its row commits,
 * so a row never points at a missing file.
 */
export const migration004: Migration = {
  version: 4,
  name: 'generate',
  up(db) {
    db.exec(`
      CREATE TABLE generations (
        id            TEXT PRIMARY KEY,
        prompt        TEXT NOT NULL,
        settings_json TEXT NOT NULL,
        plan_json     TEXT NOT NULL,
        state         TEXT NOT NULL CHECK (state IN ('running', 'done', 'cancelled', 'failed', 'interrupted')),
        error         TEXT,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      );
      CREATE INDEX generations_created ON generations(created_at);

      CREATE TABLE takes (
        id                 TEXT PRIMARY KEY,
        generation_id      TEXT NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
        parent_id          TEXT REFERENCES takes(id) ON DELETE SET NULL,
        iteration          INTEGER NOT NULL CHECK (iteration >= 1),
        candidate          INTEGER NOT NULL CHECK (candidate >= 0),
        seed               INTEGER NOT NULL,
        strategy           TEXT NOT NULL CHECK (strategy IN ('initial', 'adapter', 'audio2audio', 'layer')),
        file               TEXT NOT NULL UNIQUE,
        duration           REAL NOT NULL,
        sample_rate        INTEGER NOT NULL,
        channels           INTEGER NOT NULL,
        critique_json      TEXT,
        score              REAL,
        chosen             INTEGER NOT NULL DEFAULT 0 CHECK (chosen IN (0, 1)),
        reference_ids_json TEXT NOT NULL DEFAULT '[]',
        created_at         INTEGER NOT NULL
      );
      CREATE INDEX takes_generation ON takes(generation_id, created_at);
      CREATE INDEX takes_parent ON takes(parent_id);

      CREATE TABLE take_references (
        id            INTEGER PRIMARY KEY,
        generation_id TEXT NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
        take_id       TEXT NOT NULL REFERENCES takes(id) ON DELETE CASCADE,
        iteration     INTEGER NOT NULL,
        event_id      TEXT NOT NULL,
        event_text    TEXT NOT NULL,
        file_id       INTEGER,
        path          TEXT NOT NULL,
        score         REAL NOT NULL,
        window_start  REAL NOT NULL,
        window_end    REAL NOT NULL,
        rank          INTEGER NOT NULL,
        state         TEXT NOT NULL DEFAULT 'proposed' CHECK (state IN ('proposed', 'accepted', 'rejected')),
        created_at    INTEGER NOT NULL,
        UNIQUE (take_id, event_id, path, window_start)
      );
      CREATE INDEX take_references_take ON take_references(take_id, event_id, rank);
      CREATE INDEX take_references_generation ON take_references(generation_id);
    `);
  },
};
