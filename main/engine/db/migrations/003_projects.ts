import type { Migration } from '../migration';

/**
 * Projects: named collections of items (library picks and generated takes) with per-item trim,
 * fades, notes and UCS fields; a version row per item edit; per-project export settings and saved
 * export presets.
 *
 * Deletes are soft (`deleted_seq` set from a counter) so the last delete can be undone; a deleted
 * project's name is free again (the unique index covers live projects only).
 * Library picks keep the library file's id (`library_file_id`) so they follow a file the index saw
 * move; generated and outside audio is copied into `<dataDir>/projects/<project id>/` (`copied_file`,
 * relative to that folder). `take_id` is not a foreign key: takes live in a later migration and a
 * project item outlives its take (its audio is a copy).
 */
export const migration003: Migration = {
  version: 3,
  name: 'projects',
  up(db) {
    db.exec(`
      CREATE TABLE projects (
        id                   TEXT PRIMARY KEY,
        name                 TEXT NOT NULL,
        notes                TEXT NOT NULL DEFAULT '',
        export_settings_json TEXT,
        created_at           INTEGER NOT NULL,
        updated_at           INTEGER NOT NULL,
        deleted_seq          INTEGER
      );
      CREATE UNIQUE INDEX projects_live_name ON projects(name COLLATE NOCASE) WHERE deleted_seq IS NULL;

      CREATE TABLE project_items (
        id              TEXT PRIMARY KEY,
        project_id      TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        position        INTEGER NOT NULL,
        source_kind     TEXT NOT NULL CHECK (source_kind IN ('library', 'file', 'take')),
        source_path     TEXT NOT NULL,
        library_file_id INTEGER REFERENCES files(id) ON DELETE SET NULL,
        take_id         TEXT,
        copied_file     TEXT,
        window_start    REAL,
        window_end      REAL,
        is_generated    INTEGER NOT NULL DEFAULT 0 CHECK (is_generated IN (0, 1)),
        duration        REAL NOT NULL,
        sample_rate     INTEGER NOT NULL,
        channels        INTEGER NOT NULL,
        fields_json     TEXT NOT NULL,
        version         INTEGER NOT NULL DEFAULT 1,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        deleted_seq     INTEGER,
        CHECK (window_start IS NULL OR (window_end IS NOT NULL AND window_end > window_start))
      );
      CREATE INDEX project_items_project ON project_items(project_id, position);
      CREATE INDEX project_items_library_file ON project_items(library_file_id);

      CREATE TABLE project_item_versions (
        item_id     TEXT NOT NULL REFERENCES project_items(id) ON DELETE CASCADE,
        version     INTEGER NOT NULL,
        change      TEXT NOT NULL,
        fields_json TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (item_id, version)
      );

      CREATE TABLE export_presets (
        name          TEXT PRIMARY KEY COLLATE NOCASE,
        settings_json TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      );

      CREATE TABLE project_counters (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );
      INSERT INTO project_counters (name, value) VALUES ('delete_seq', 0);
    `);
  },
};
