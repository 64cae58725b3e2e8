import type { Database } from 'better-sqlite3';
import { CuebankError } from '../errors';
import type { Migration } from './migration';

/**
 * Applies the migrations newer than the database's user_version, each in its own transaction,
 * so a failure leaves the database at the last good version. A database written by a newer
 * Cuebank is refused rather than guessed at.
 */
export function migrate(db: Database, migrations: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  if (current > latest) {
    throw new CuebankError(
      'database_error',
      `This database was written by a newer Cuebank (schema ${current}; this build knows up to ${latest}).`,
    );
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
