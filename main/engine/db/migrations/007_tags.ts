import type { Migration } from '../migration';

/**
 * Tags: one current tag per library file (a suggestion, an accepted or edited tag, a rejection, or
 * what the file itself carries), and the history of every change to it. The schema is shared with
 * the knowledge base (accepted captions are rows with source 'accepted' or 'edited' and a caption)
 * and with the write-back (it reads accepted tags from here).
 *
 * `fingerprint` is the files.fingerprint the tag was made for: a file whose audio changed since
 * has a stale suggestion and the tag job makes it again. A file's tag goes with the file.
 *
 * files_fts gains a `tags` column (caption, keywords, category names of a suggested or accepted
 * tag) so words find tagged files at once. FTS5 cannot add a column, so the table is rebuilt with
 * its rows copied.
 */
export const migration007: Migration = {
  version: 7,
  name: 'tags',
  up(db) {
    db.exec(`
      CREATE TABLE tags (
        file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
        caption TEXT,
        cat_id TEXT,
        alternatives TEXT NOT NULL DEFAULT '[]',  -- JSON [{catId, confidence}], the top 3
        confidence REAL,
        keywords TEXT NOT NULL DEFAULT '[]',      -- JSON string[]
        source TEXT NOT NULL CHECK (source IN ('file','suggested','accepted','edited','rejected')),
        route TEXT,                               -- 'lalm' | 'retrieved' | 'category' | 'file'
        evidence TEXT NOT NULL DEFAULT '[]',      -- JSON: category scores and retrieved pairs
        pack TEXT,
        fingerprint TEXT,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX tags_source ON tags(source);
      CREATE INDEX tags_cat_id ON tags(cat_id);
      CREATE TABLE tag_history (
        id INTEGER PRIMARY KEY,
        file_id INTEGER NOT NULL,
        caption TEXT,
        cat_id TEXT,
        keywords TEXT,
        source TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX tag_history_file ON tag_history(file_id, id);

      CREATE VIRTUAL TABLE files_fts_v7 USING fts5(
        name, folder, description, metadata, tags,
        tokenize = 'unicode61 remove_diacritics 2'
      );
      INSERT INTO files_fts_v7 (rowid, name, folder, description, metadata)
        SELECT rowid, name, folder, description, metadata FROM files_fts;
      DROP TABLE files_fts;
      ALTER TABLE files_fts_v7 RENAME TO files_fts;
    `);
  },
};
