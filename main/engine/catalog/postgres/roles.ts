/**
 * The team library's roles, as PostgreSQL grants so the server itself refuses what a role may not
 * do (the app hiding a button is not security). Names carry the database's name
 * (`<db>_reader`, `<db>_editor`, `<db>_indexer`) because roles belong to the whole server and one
 * server may hold several team libraries.
 *   reader:  search and play (SELECT on everything)
 *   editor:  reader + writing tags and their history
 *   indexer: reader + roots, files, vector spaces and windows
 */
import type pg from 'pg';
import { CuebankError } from '../../errors';

export const TEAM_ROLES = ['reader', 'editor', 'indexer'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export function roleName(database: string, role: TeamRole): string {
  return `${database}_${role}`;
}

/** Creates the three roles if missing and (re)applies their grants; run after the migrations. */
export async function createRoles(client: pg.ClientBase, database: string): Promise<void> {
  const id = (role: TeamRole) => client.escapeIdentifier(roleName(database, role));
  for (const role of TEAM_ROLES) {
    const exists = await client.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [roleName(database, role)]);
    if (!exists.rowCount) await client.query(`CREATE ROLE ${id(role)} NOLOGIN`);
  }
  const db = client.escapeIdentifier(database);
  await client.query(`
    REVOKE ALL ON DATABASE ${db} FROM PUBLIC;
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    GRANT CONNECT ON DATABASE ${db} TO ${id('reader')}, ${id('editor')}, ${id('indexer')};
    GRANT USAGE ON SCHEMA public TO ${id('reader')}, ${id('editor')}, ${id('indexer')};
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${id('reader')}, ${id('editor')}, ${id('indexer')};
    GRANT INSERT, UPDATE, DELETE ON tags TO ${id('editor')};
    GRANT INSERT ON tag_history TO ${id('editor')};
    GRANT USAGE ON SEQUENCE tag_history_id_seq TO ${id('editor')};
    GRANT INSERT, UPDATE, DELETE ON roots, files, vector_spaces, windows, window_codes, window_removals TO ${id('indexer')};
    GRANT INSERT, UPDATE, DELETE ON tags TO ${id('indexer')};
    GRANT INSERT ON tag_history TO ${id('indexer')};
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${id('indexer')};
  `);
}

/** Makes a PostgreSQL login a member of one team role (and of no other team role). */
export async function grantRole(client: pg.ClientBase, database: string, role: string, user: string): Promise<void> {
  if (!TEAM_ROLES.includes(role as TeamRole)) throw new CuebankError('invalid_input', `The role must be one of ${TEAM_ROLES.join(', ')} (got "${role}")`);
  const exists = await client.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [user]);
  if (!exists.rowCount) throw new CuebankError('not_found', `No PostgreSQL login "${user}": create it first (CREATE ROLE ${user} LOGIN PASSWORD '…').`);
  for (const other of TEAM_ROLES) {
    if (other !== role) await client.query(`REVOKE ${client.escapeIdentifier(roleName(database, other))} FROM ${client.escapeIdentifier(user)}`);
  }
  await client.query(`GRANT ${client.escapeIdentifier(roleName(database, role as TeamRole))} TO ${client.escapeIdentifier(user)}`);
}
