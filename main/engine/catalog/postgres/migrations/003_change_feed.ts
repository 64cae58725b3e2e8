import type { PgMigration } from './migration';

/**
 * The change feed: every committed tag change and every batch of new windows is announced on the
 * `cuebank_changes` channel (NOTIFY is delivered at commit, never for a rolled-back write), so
 * clients listening (change-feed.ts) refresh within moments. A client that was away catches up
 * from sequences instead of reloading: tag changes from tag_history.id, windows from the
 * transaction ids the code index already tracks.
 */
export const pgMigration003: PgMigration = {
  version: 3,
  name: 'change_feed',
  sql: `
    CREATE FUNCTION announce_tag_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('cuebank_changes', json_build_object('kind', 'tags', 'seq', NEW.id, 'fileId', NEW.file_id)::text);
      RETURN NULL;
    END $$;
    CREATE TRIGGER tag_history_announced AFTER INSERT ON tag_history FOR EACH ROW EXECUTE FUNCTION announce_tag_change();

    CREATE FUNCTION announce_windows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('cuebank_changes', json_build_object('kind', 'windows')::text);
      RETURN NULL;
    END $$;
    CREATE TRIGGER windows_announced AFTER INSERT OR DELETE ON windows FOR EACH STATEMENT EXECUTE FUNCTION announce_windows();
  `,
};
