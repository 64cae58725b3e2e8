import type { PgMigration } from './migration';

/**
 * Roots, files, vector spaces and windows. Files are unique per (root, relative path), so two
 * indexers writing the same file meet in ON CONFLICT instead of making two rows. Keyword search
 * reads `words` (a weighted tsvector: name A, description B, folders C, other metadata D).
 *
 * A window's float vector (little-endian float32, the truth, fetched by id for the exact re-rank)
 * is in `windows`; its sign-bit code, with the file attributes filters read (duration, sample
 * rate, channels), is in the narrow `window_codes`, which every client syncs into memory for the
 * first stages of the search (main/engine/catalog/postgres/code-index.ts): a sync then reads
 * ~100 bytes per window instead of scanning the vectors. `tx` is the writing transaction's id: a
 * client that synced at a snapshot catches up with the rows of every transaction at or above that
 * snapshot's xmin, so a late commit is never skipped. A deleted window leaves a row in
 * window_removals (trigger) for the same catch-up; its code row goes with it (cascade).
 *
 * A window row (a 512-d vector is 2 KiB) is just over PostgreSQL's TOAST threshold: with the default
 * storage every vector would move to the TOAST table (two more tuples and an index entry each, and
 * two more lookups per vector in the exact re-rank). STORAGE PLAIN keeps it in the row and skips
 * the compression attempt random floats always fail (measured on 10,000 random 2 KiB rows here:
 * MAIN 1.7 s, PLAIN 1.06 s, EXTERNAL 1.09 s). A row must then fit a page: hence at most 1,900 dimensions.
 */
export const pgMigration001: PgMigration = {
  version: 1,
  name: 'catalog',
  sql: `
    CREATE TABLE roots (
      id         serial PRIMARY KEY,
      name       text NOT NULL UNIQUE CHECK (name <> ''),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE files (
      id              bigserial PRIMARY KEY,
      root_id         integer NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
      rel_path        text NOT NULL CHECK (rel_path <> '' AND left(rel_path, 1) <> '/'),
      name            text NOT NULL,
      ext             text NOT NULL,
      size            bigint NOT NULL,
      mtime_ms        double precision NOT NULL,
      fingerprint     text NOT NULL,
      status          text NOT NULL CHECK (status IN ('ok', 'failed')),
      error           text,
      codec           text,
      sample_rate     integer,
      channels        integer,
      bits_per_sample integer,
      frames          bigint,
      duration        double precision,
      meta_json       text,
      embed_space     text,
      words           tsvector,
      indexed_by      text NOT NULL DEFAULT current_user,
      indexed_at      timestamptz NOT NULL DEFAULT now(),
      UNIQUE (root_id, rel_path)
    );
    CREATE INDEX files_words ON files USING gin (words);
    CREATE INDEX files_duration ON files (duration);

    CREATE TABLE vector_spaces (
      name       text PRIMARY KEY,
      dim        integer NOT NULL CHECK (dim BETWEEN 1 AND 1900),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE windows (
      id      bigserial PRIMARY KEY,
      file_id bigint NOT NULL REFERENCES files(id) ON DELETE CASCADE,
      space   text NOT NULL REFERENCES vector_spaces(name) ON DELETE CASCADE,
      start   real NOT NULL,
      "end"   real NOT NULL,
      vector  bytea NOT NULL,
      UNIQUE (file_id, space, start)
    );
    ALTER TABLE windows ALTER COLUMN vector SET STORAGE PLAIN;

    CREATE TABLE window_codes (
      window_id   bigint PRIMARY KEY REFERENCES windows(id) ON DELETE CASCADE,
      space       text NOT NULL,
      file_id     bigint NOT NULL,
      code        bytea NOT NULL,
      duration    real,
      sample_rate integer,
      channels    integer,
      tx          xid8 NOT NULL DEFAULT pg_current_xact_id()
    );
    CREATE INDEX window_codes_sync ON window_codes (space, tx);

    CREATE TABLE window_removals (
      window_id bigint NOT NULL,
      space     text NOT NULL,
      tx        xid8 NOT NULL DEFAULT pg_current_xact_id()
    );
    CREATE INDEX window_removals_sync ON window_removals (space, tx);

    CREATE FUNCTION note_window_removal() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO window_removals (window_id, space) SELECT id, space FROM old_rows;
      RETURN NULL;
    END $$;
    CREATE TRIGGER windows_removed AFTER DELETE ON windows
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_window_removal();
  `,
};
