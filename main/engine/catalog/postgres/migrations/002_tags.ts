import type { PgMigration } from './migration';

/**
 * Shared tags: one current tag per file and the history of every change, with who made it
 * (current_user, so it cannot be claimed for someone else). `words` holds the tag's words for
 * keyword search (caption, keywords, CatID, category names), kept beside the file's own words.
 */
export const pgMigration002: PgMigration = {
  version: 2,
  name: 'tags',
  sql: `
    CREATE TABLE tags (
      file_id    bigint PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
      caption    text,
      cat_id     text,
      keywords   jsonb NOT NULL DEFAULT '[]',
      confidence double precision,
      source     text NOT NULL CHECK (source IN ('file','suggested','accepted','edited','rejected')),
      words      tsvector,
      updated_by text NOT NULL DEFAULT current_user,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX tags_cat_id ON tags (cat_id) WHERE source <> 'rejected';
    CREATE INDEX tags_words ON tags USING gin (words);

    CREATE TABLE tag_history (
      id         bigserial PRIMARY KEY,
      file_id    bigint NOT NULL,
      caption    text,
      cat_id     text,
      keywords   jsonb,
      source     text NOT NULL,
      changed_by text NOT NULL DEFAULT current_user,
      changed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX tag_history_file ON tag_history (file_id, id);
  `,
};
