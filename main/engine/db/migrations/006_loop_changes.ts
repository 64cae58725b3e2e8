import type { Migration } from '../migration';

/**
 * What each regeneration changed and why (recovery of the generate loop: the take it started from,
 * the reference, level, strategy or focused generation it tried), and a generation's note on how
 * its last loop ended when that needs saying (its last take is not its best). Rows from before have
 * neither. And each take's number of events present, so "the best take" is the same everywhere:
 * most events present, then the highest score (a take scoring a little higher with an event still
 * missing is not better than one with every event present).
 */
export const migration006: Migration = {
  version: 6,
  name: 'loop changes',
  up(db) {
    db.exec(`
      ALTER TABLE takes ADD COLUMN change_json TEXT;
      ALTER TABLE takes ADD COLUMN present_count INTEGER;
      ALTER TABLE generations ADD COLUMN note TEXT;
    `);
  },
};
