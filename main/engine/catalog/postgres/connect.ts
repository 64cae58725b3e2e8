/**
 * Connections to a team catalog. The URL is a libpq-style postgres:// URL (sslmode=require /
 * verify-full honoured by `pg`); the password may also come from PGPASSWORD or ~/.pgpass (as for
 * psql). A URL is only ever shown with its password removed. Every connection runs with a
 * statement timeout so a stuck server gives a clear error instead of a hung search.
 */
import pg from 'pg';
import { CuebankError } from '../../errors';

export interface TeamConnectOptions {
  /** Longest a single statement may run, ms (0: no limit). */
  statementTimeoutMs?: number;
  /** Connections held at most. */
  max?: number;
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export function checkTeamUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CuebankError('invalid_input', 'The team library URL must look like postgres://user@host:5432/database');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new CuebankError('invalid_input', `The team library URL must start with postgres:// (got ${u.protocol}//)`);
  }
  if (u.pathname.length <= 1) throw new CuebankError('invalid_input', `The team library URL names no database: ${redactUrl(url)}`);
  return u;
}

/** The database name of a team URL. */
export function databaseOf(url: string): string {
  return decodeURIComponent(checkTeamUrl(url).pathname.slice(1));
}

export function openTeamPool(url: string, opts: TeamConnectOptions = {}): pg.Pool {
  checkTeamUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 4,
    statement_timeout: opts.statementTimeoutMs ?? 30_000,
    application_name: 'cuebank',
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** A PostgreSQL error as the user should read it (no URL, no password, the server's reason kept). */
export function teamError(err: unknown, url?: string): CuebankError {
  if (err instanceof CuebankError) return err;
  const e = err as { code?: string; message?: string };
  const where = url ? ` (${redactUrl(url)})` : '';
  switch (e.code) {
    case '42501':
      return new CuebankError('forbidden', `The team library refused this: ${e.message} — ask its admin for the right role (cuebank team grant).`, { cause: err });
    case '57014':
      return new CuebankError('database_error', `The team library took too long to answer (statement timeout): ${e.message}`, { cause: err });
    case '28P01':
    case '28000':
      return new CuebankError('forbidden', `The team library rejected the login${where}: ${e.message}`, { cause: err });
    case '3D000':
      return new CuebankError('not_found', `No such team library database${where}: ${e.message}`, { cause: err });
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
      return new CuebankError('database_error', `The team library is offline${where}: ${e.message}`, { cause: err });
    default:
      return new CuebankError('database_error', `Team library error${where}: ${e.message ?? String(err)}`, { cause: err });
  }
}
