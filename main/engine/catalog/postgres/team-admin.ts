/**
 * What `cuebank team init|upgrade|status|grant` do, as engine functions the CLI and tests call.
 * init and upgrade apply the migrations (schema.ts, under the advisory lock) and (re)create the
 * roles and their grants; status reads what the catalog holds.
 */
import type pg from 'pg';
import { CuebankError } from '../../errors';
import { databaseOf, openTeamPool, teamError } from './connect';
import { createRoles, grantRole, roleName, TEAM_ROLES } from './roles';
import { applyMigrations, latestSchemaVersion, schemaVersion, withSchemaLock } from './schema';

export interface TeamStatus {
  schemaVersion: number;
  roots: { name: string; files: number }[];
  files: number;
  windows: number;
  /** The vector space the library is embedded in (one CLAP pack per team library), or null before any. */
  space: { name: string; dim: number; windows: number } | null;
}

async function withClient<T>(url: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const pool = openTeamPool(url, { max: 1 });
  try {
    const client = await pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  } catch (err) {
    throw teamError(err, url);
  } finally {
    await pool.end();
  }
}

export async function teamInit(url: string): Promise<{ schemaVersion: number; applied: number[]; roles: string[] }> {
  const db = databaseOf(url);
  return withClient(url, async (c) => {
    const applied = await withSchemaLock(c, async () => {
      const done = await applyMigrations(c);
      await createRoles(c, db);
      return done;
    });
    return { schemaVersion: await schemaVersion(c), applied, roles: TEAM_ROLES.map((r) => roleName(db, r)) };
  });
}

export async function teamUpgrade(url: string): Promise<{ schemaVersion: number; applied: number[] }> {
  const db = databaseOf(url);
  return withClient(url, async (c) => {
    if ((await schemaVersion(c)) === 0) throw new CuebankError('not_found', 'This database is not a team library yet: run `cuebank team init <url>` first.');
    const applied = await withSchemaLock(c, async () => {
      const done = await applyMigrations(c);
      await createRoles(c, db);
      return done;
    });
    return { schemaVersion: await schemaVersion(c), applied };
  });
}

export async function teamStatus(url: string): Promise<TeamStatus> {
  return withClient(url, async (c) => {
    const version = await schemaVersion(c);
    if (version === 0) throw new CuebankError('not_found', 'This database is not a team library yet: its admin runs `cuebank team init <url>` once.');
    if (version > latestSchemaVersion()) throw new CuebankError('database_error', `The team library's schema (${version}) is newer than this Cuebank knows.`);
    const roots = await c.query(`SELECT r.name, COUNT(f.id)::int AS files FROM roots r LEFT JOIN files f ON f.root_id = r.id GROUP BY r.id ORDER BY r.name`);
    const totals = await c.query(`SELECT (SELECT COUNT(*) FROM files)::float8 AS files, (SELECT COUNT(*) FROM windows)::float8 AS windows`);
    const spaces = await c.query(
      `SELECT s.name, s.dim, (SELECT COUNT(*) FROM windows w WHERE w.space = s.name)::float8 AS windows FROM vector_spaces s ORDER BY windows DESC, s.name LIMIT 1`,
    );
    return {
      schemaVersion: version,
      roots: roots.rows as { name: string; files: number }[],
      files: totals.rows[0].files as number,
      windows: totals.rows[0].windows as number,
      space: (spaces.rows[0] as TeamStatus['space']) ?? null,
    };
  });
}

export async function teamGrant(url: string, role: string, user: string): Promise<{ user: string; role: string; pgRole: string }> {
  const db = databaseOf(url);
  return withClient(url, async (c) => {
    await grantRole(c, db, role, user);
    return { user, role, pgRole: roleName(db, role as (typeof TEAM_ROLES)[number]) };
  });
}
