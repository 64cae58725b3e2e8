import type { Migration } from '../migration';

/**
 * The tagging knowledge base (seed 001 §3.5): one audio-text pair per library file that has a
 * description (its metadata, its UCS name, or an accepted caption), which caption text vectors a
 * vector space holds, and what refinement measured of each pair per embedding space (for the
 * caption and audio it measured; the verdict follows from the settings when read). Caption vectors themselves
 * live in the vector space `<embedder space>:caption`, keyed by file id.
 *
 * kb_caption_vectors has no foreign key on purpose: when a file leaves the library its pair goes
 * with it (cascade), and the row that remains tells the next refresh which vector to remove.
 */
export const migration008: Migration = {
  version: 8,
  name: 'knowledge_base',
  up(db) {
    db.exec(`
      CREATE TABLE kb_pairs (
        file_id     INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
        caption     TEXT NOT NULL,
        source      TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        updated_at  INTEGER NOT NULL
      );

      CREATE TABLE kb_caption_vectors (
        file_id INTEGER NOT NULL,
        space   TEXT NOT NULL,
        caption TEXT NOT NULL,
        PRIMARY KEY (file_id, space)
      ) WITHOUT ROWID;

      CREATE TABLE kb_refinement (
        file_id          INTEGER NOT NULL REFERENCES kb_pairs(file_id) ON DELETE CASCADE,
        space            TEXT NOT NULL,
        agreement        REAL,
        empty_similarity REAL NOT NULL,
        fingerprint      TEXT NOT NULL,
        caption          TEXT NOT NULL,
        PRIMARY KEY (file_id, space)
      ) WITHOUT ROWID;
    `);
  },
};
