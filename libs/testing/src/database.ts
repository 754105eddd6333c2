/**
 * Fresh databases on the machine's PostgreSQL: one per server (or cluster) under test, created
 * through the admin connection (TEST_PG_ADMIN_DSN) and dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_DSN = process.env.TEST_PG_ADMIN_DSN ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs one statement on the admin connection (the server's own catalog: databases, pg_stat_activity). */
export async function asAdmin<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const admin = new pg.Client({ connectionString: ADMIN_DSN });
  await admin.connect();
  try {
    return (await admin.query(sql, params)).rows as T[];
  } finally {
    await admin.end();
  }
}

/** Creates an empty database with a random name and returns the name. */
export async function createDatabase(): Promise<string> {
  const name = `mmtest_${randomBytes(6).toString('hex')}`;
  await asAdmin(`CREATE DATABASE ${name}`);
  return name;
}

/** Drops it even while servers are still connected. */
export async function dropDatabase(name: string): Promise<void> {
  await asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** The DSN of database `name` on the admin connection's server (SqlSettings.DataSource). */
export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DSN);
  url.pathname = `/${name}`;
  url.search = '?sslmode=disable';
  return url.toString();
}

/** A small pool on database `name` that reads bigint columns (ms timestamps, progress) as numbers, as the server does. */
export function databasePool(name: string, max = 2): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl(name),
    max,
    types: { getTypeParser: ((oid: number, format?: any) => (oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format))) as any },
  });
  // An idle connection still closing when the suite drops its database (WITH FORCE) is told
  // "terminating connection due to administrator command"; the pool re-emits that, and an
  // unheard 'error' would end the test process (seen once at the end of a cluster suite).
  pool.on('error', () => undefined);
  return pool;
}
