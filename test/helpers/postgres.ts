import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL the team-library tests use: CUEBANK_TEST_PG_URL (scripts/ci-postgres.sh prints
 * one), a role that may create databases and roles. Each test file makes its own database and
 * drops it, with the team roles named after it. In CI (CI=true) a missing URL fails the tests;
 * elsewhere they skip with this message.
 */
export const pgUrl = process.env.CUEBANK_TEST_PG_URL ?? null;
export const inCi = !!process.env.CI && process.env.CI !== 'false';
export const skipPg = !pgUrl && !inCi;
export const NO_PG_MESSAGE = 'CUEBANK_TEST_PG_URL is not set: team-library tests need PostgreSQL (run scripts/ci-postgres.sh and export the URL it prints).';
if (skipPg) console.warn(`[skipped] ${NO_PG_MESSAGE}`);

export function requirePgUrl(): string {
  if (!pgUrl) throw new Error(NO_PG_MESSAGE);
  return pgUrl;
}

export function urlFor(database: string, user?: { name: string; password: string }): string {
  const u = new URL(requirePgUrl());
  u.pathname = `/${database}`;
  if (user) {
    u.username = user.name;
    u.password = user.password;
  }
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: requirePgUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  /** Creates a login (named after the database) and returns its URL. */
  login(suffix: string): Promise<{ name: string; url: string }>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `cuebank_t_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const logins: string[] = [];
  return {
    name,
    url: urlFor(name),
    async login(suffix) {
      const user = `${name}_${suffix}`;
      await admin((c) => c.query(`CREATE ROLE ${user} LOGIN PASSWORD 'pw_${suffix}'`));
      logins.push(user);
      return { name: user, url: urlFor(name, { name: user, password: `pw_${suffix}` }) };
    },
    async drop() {
      await admin(async (c) => {
        // FORCE cannot end an autovacuum worker (the server's own role): wait for it and try again.
        for (let attempt = 1; ; attempt++) {
          try {
            await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            break;
          } catch (err) {
            if ((err as { code?: string }).code !== '42501' || attempt >= 20) throw err;
            await new Promise((r) => setTimeout(r, 500));
          }
        }
        for (const role of [...logins, `${name}_reader`, `${name}_editor`, `${name}_indexer`]) await c.query(`DROP ROLE IF EXISTS ${role}`);
      });
    },
  };
}
