/**
 * Applies the team catalog's migrations under a PostgreSQL advisory lock, so two machines running
 * `team init` or `team upgrade` at once never migrate together: the second waits, then finds
 * nothing left to do. Each migration runs in its own transaction with its row in
 * catalog_migrations. A catalog written by a newer Cuebank is refused rather than guessed at.
 */
import type pg from 'pg';
import { CuebankError } from '../../errors';
import { pgMigrations } from './migrations';
import type { PgMigration } from './migrations/migration';

/** Advisory lock key of schema changes ("cuebank" as an integer). */
const MIGRATION_LOCK = 0x63756562;

export async function schemaVersion(client: pg.ClientBase): Promise<number> {
  const exists = await client.query(`SELECT to_regclass('catalog_migrations') IS NOT NULL AS e`);
  if (!exists.rows[0].e) return 0;
  const r = await client.query(`SELECT COALESCE(MAX(version), 0)::int AS v FROM catalog_migrations`);
  return r.rows[0].v as number;
}

export const latestSchemaVersion = (migrations: readonly PgMigration[] = pgMigrations) => migrations[migrations.length - 1].version;

/** Runs `fn` holding the schema lock: schema and role changes from two machines never interleave. */
export async function withSchemaLock<T>(client: pg.ClientBase, fn: () => Promise<T>): Promise<T> {
  await client.query(`SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK]);
  try {
    return await fn();
  } finally {
    await client.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK]);
  }
}

/**
 * Brings the schema up to date; returns the versions applied now (empty when it was current).
 * The caller holds the schema lock (withSchemaLock).
 */
export async function applyMigrations(client: pg.ClientBase, migrations: readonly PgMigration[] = pgMigrations): Promise<number[]> {
  await client.query(`CREATE TABLE IF NOT EXISTS catalog_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL DEFAULT current_user)`);
  const current = await schemaVersion(client);
  const latest = latestSchemaVersion(migrations);
  if (current > latest) {
    throw new CuebankError('database_error', `This team library was set up by a newer Cuebank (schema ${current}; this build knows up to ${latest}). Update Cuebank.`);
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    await client.query('BEGIN');
    try {
      await client.query(m.sql);
      await client.query(`INSERT INTO catalog_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
    applied.push(m.version);
  }
  return applied;
}

/** Refuses a catalog whose schema this build does not match (older: run team upgrade; newer: update Cuebank). */
export async function requireCurrentSchema(client: pg.ClientBase): Promise<void> {
  const v = await schemaVersion(client);
  const latest = latestSchemaVersion();
  if (v === 0) throw new CuebankError('not_found', 'This database is not a team library yet: its admin runs `cuebank team init <url>` once.');
  if (v < latest) throw new CuebankError('database_error', `The team library's schema is ${v}, this Cuebank needs ${latest}: its admin runs \`cuebank team upgrade <url>\`.`);
  if (v > latest) throw new CuebankError('database_error', `The team library was upgraded by a newer Cuebank (schema ${v}; this build knows ${latest}). Update Cuebank.`);
}
