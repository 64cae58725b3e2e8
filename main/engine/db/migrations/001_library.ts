import type { Migration } from '../migration';

/**
 * The library: folders the user added, the files found in them with format and metadata,
 * embedding windows per file, the vector spaces those windows live in, and full-text search
 * over names and metadata. Vector tables themselves are created per space at run time because
 * their dimension comes from the model pack.
 */
export const migration001: Migration = {
  version: 1,
  name: 'library',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE folders (
        id       INTEGER PRIMARY KEY,
        path     TEXT NOT NULL UNIQUE,
        added_at INTEGER NOT NULL
      );

      CREATE TABLE files (
        id              INTEGER PRIMARY KEY,
        folder_id       INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        path            TEXT NOT NULL UNIQUE,
        real_path       TEXT NOT NULL UNIQUE,
        name            TEXT NOT NULL,
        ext             TEXT NOT NULL,
        size            INTEGER NOT NULL,
        mtime_ms        INTEGER NOT NULL,
        fingerprint     TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
        error           TEXT,
        codec           TEXT,
        sample_rate     INTEGER,
        channels        INTEGER,
        bits_per_sample INTEGER,
        frames          INTEGER,
        duration        REAL,
        meta_json       TEXT,
        embed_space     TEXT,
        indexed_at      INTEGER NOT NULL
      );
      CREATE INDEX files_folder ON files(folder_id);
      CREATE INDEX files_fingerprint ON files(fingerprint);
      CREATE INDEX files_embed_space ON files(status, embed_space);

      CREATE TABLE vector_spaces (
        name       TEXT PRIMARY KEY,
        dim        INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE windows (
        id      INTEGER PRIMARY KEY,
        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        space   TEXT NOT NULL REFERENCES vector_spaces(name) ON DELETE CASCADE,
        start   REAL NOT NULL,
        end     REAL NOT NULL
      );
      CREATE INDEX windows_file ON windows(file_id, space);

      CREATE VIRTUAL TABLE files_fts USING fts5(
        name, folder, description, metadata,
        tokenize = 'unicode61 remove_diacritics 2'
      );
    `);
  },
};
