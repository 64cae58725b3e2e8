import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { betterSqliteBinding } from '../../../native/better-sqlite3';
import { sqliteVecPath } from '../../../native/sqlite-vec';
import { CuebankError } from '../errors';
import { migrate } from './migrate';
import { migrations } from './migrations';

export type Db = Database.Database;

/**
 * Opens (creating if needed) a workspace database: WAL journal so readers never block the
 * indexer, sqlite-vec loaded, migrations applied. Any failure becomes one clear error.
 */
export function openDatabase(file: string): Db {
  let db: Db | undefined;
  try {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = new Database(file, { nativeBinding: betterSqliteBinding() });
    // Takes effect only on a new, empty database. A 512-d float vector is a 2 KiB row: with the
    // default 4 KiB pages each would waste about half a page (measured: 1M vectors 3.9 -> 2.3 GiB).
    db.pragma('page_size = 16384');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.loadExtension(sqliteVecPath());
    migrate(db, migrations);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof CuebankError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new CuebankError('database_error', `Cannot open database ${file}: ${reason}`, { cause: err });
  }
}
