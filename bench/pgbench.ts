/**
 * The database's own ceiling for comparison: pgbench single-row INSERT transactions per second on
 * the same PostgreSQL, in a scratch database that is dropped afterwards.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createDatabase, dropDatabase } from '../test/e2e/harness.js';

const run = promisify(execFile);

export interface PgbenchResult {
  command: string;
  tps: number;
  clients: number;
  threads: number;
  seconds: number;
}

/** pgbench on PATH, else the one shipped with Debian's server packages. */
export function findPgbench(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'pgbench'))) return join(dir, 'pgbench');
  }
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(base, v, 'bin', 'pgbench')).find((p) => existsSync(p));
}

/** Parses `tps = 1234.5 (without initial connection time)` from pgbench's report. */
export function parseTps(output: string): number {
  const m = /^tps = ([\d.]+) \(without initial connection time\)/m.exec(output) ?? /^tps = ([\d.]+)/m.exec(output);
  if (!m) throw new Error(`no tps in pgbench output:\n${output}`);
  return Number(m[1]);
}

export async function runPgbench(adminDsn: string, opts = { clients: 16, threads: 2, seconds: 10 }): Promise<PgbenchResult> {
  const bin = findPgbench();
  if (!bin) throw new Error('pgbench not found (apt-get install -y postgresql-contrib)');
  const database = await createDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'mm-pgbench-'));
  try {
    const url = new URL(adminDsn);
    url.pathname = `/${database}`;
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    await db.query('CREATE TABLE bench_insert (id bigserial PRIMARY KEY, v text)');
    await db.end();
    const script = join(dir, 'insert.sql');
    writeFileSync(script, "INSERT INTO bench_insert (v) VALUES ('a single row, about the size of a short chat message');\n");
    const args = ['-n', '-c', String(opts.clients), '-j', String(opts.threads), '-T', String(opts.seconds), '-f', script];
    const conn = ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username) || 'postgres', database];
    const { stdout } = await run(bin, [...args, ...conn], {
      env: { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) },
    });
    return {
      command: `pgbench -n -c ${opts.clients} -j ${opts.threads} -T ${opts.seconds} -f insert.sql`,
      tps: parseTps(stdout),
      ...opts,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(database);
  }
}
