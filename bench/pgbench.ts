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
import { createDatabase, dropDatabase } from '#testing';

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

export interface PgbenchOptions {
  clients: number;
  threads: number;
  seconds: number;
}

const DEFAULT_OPTIONS: PgbenchOptions = { clients: 16, threads: 2, seconds: 10 };

/** Runs `script` (saved as `scriptName`) with pgbench against the database of `dsn`. */
async function runScript(dsn: string, scriptName: string, script: string, vars: Record<string, string>, opts: PgbenchOptions): Promise<PgbenchResult> {
  const bin = findPgbench();
  if (!bin) throw new Error('pgbench not found (apt-get install -y postgresql-contrib)');
  const dir = mkdtempSync(join(tmpdir(), 'mm-pgbench-'));
  try {
    const url = new URL(dsn);
    const file = join(dir, scriptName);
    writeFileSync(file, script);
    const defines = Object.entries(vars).flatMap(([k, v]) => ['-D', `${k}=${v}`]);
    const args = ['-n', '-c', String(opts.clients), '-j', String(opts.threads), '-T', String(opts.seconds), ...defines, '-f', file];
    const conn = ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username) || 'postgres', url.pathname.slice(1)];
    const { stdout } = await run(bin, [...args, ...conn], {
      env: { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) },
    });
    return {
      command: `pgbench -n -c ${opts.clients} -j ${opts.threads} -T ${opts.seconds} -f ${scriptName}`,
      tps: parseTps(stdout),
      ...opts,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** pgbench single-row INSERT TPS, in a scratch database that is dropped afterwards. */
export async function runPgbench(adminDsn: string, opts = DEFAULT_OPTIONS): Promise<PgbenchResult> {
  const database = await createDatabase();
  try {
    const url = new URL(adminDsn);
    url.pathname = `/${database}`;
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    await db.query('CREATE TABLE bench_insert (id bigserial PRIMARY KEY, v text)');
    await db.end();
    return await runScript(
      url.toString(),
      'insert.sql',
      "INSERT INTO bench_insert (v) VALUES ('a single row, about the size of a short chat message');\n",
      {},
      opts,
    );
  } finally {
    await dropDatabase(database);
  }
}

/**
 * The write transaction of a root post, as the server sends it (PostsService.createNow: one query
 * from BEGIN to COMMIT, Database.transactionInOneTrip; the insert's update_at moved past the
 * channel's newest change, as PostsRepository.insert writes it; the channel's counters and the
 * poster's read state, as ChannelsRepository.countNewPost), by a random member of the channel,
 * with nothing else around it: the database's own ceiling for creating posts in one channel, on
 * the server's schema and data. pgbench's `\;` keeps the statements in one query.
 */
const POST_TRANSACTION = `\\set member random(0, :members - 1)
BEGIN \\;
INSERT INTO posts (id, create_at, update_at, edit_at, delete_at, is_pinned, user_id, channel_id, root_id, original_id,
                   message, type, props, hashtags, file_ids, has_reactions)
  VALUES (substr(md5(random()::text), 1, 26), (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
          GREATEST((extract(epoch FROM clock_timestamp()) * 1000)::bigint,
                   (SELECT COALESCE(MAX(update_at), 0) FROM posts WHERE channel_id = :channel) + 1), 0, 0, false,
          (SELECT user_id FROM pgbench_authors WHERE n = :member), :channel, '', '',
          'pgbench message: the quick brown fox jumps over the lazy dog', '', '{}', '', '[]', false) \\;
WITH ch AS (
  UPDATE channels SET last_post_at = GREATEST(last_post_at, (extract(epoch FROM clock_timestamp()) * 1000)::bigint),
         last_root_post_at = GREATEST(last_root_post_at, (extract(epoch FROM clock_timestamp()) * 1000)::bigint),
         total_msg_count = total_msg_count + 1, total_msg_count_root = total_msg_count_root + 1
   WHERE id = :channel RETURNING id, last_post_at, total_msg_count, total_msg_count_root)
UPDATE channel_members cm SET last_viewed_at = ch.last_post_at, msg_count = ch.total_msg_count,
       msg_count_root = ch.total_msg_count_root, mention_count = 0, mention_count_root = 0, urgent_mention_count = 0,
       last_update_at = ch.last_post_at
  FROM ch WHERE cm.channel_id = ch.id
   AND cm.user_id = (SELECT user_id FROM pgbench_authors WHERE n = :member) \\;
COMMIT;
`;

export async function runPostTransactionPgbench(databaseDsn: string, channelId: string, opts = DEFAULT_OPTIONS): Promise<PgbenchResult> {
  // The channel's members, numbered, so that a transaction picks its author by one index lookup.
  const db = new pg.Client({ connectionString: databaseDsn });
  await db.connect();
  try {
    await db.query('CREATE TABLE pgbench_authors (n int PRIMARY KEY, user_id text NOT NULL)');
    const { rowCount } = await db.query(
      'INSERT INTO pgbench_authors SELECT row_number() OVER (ORDER BY user_id) - 1, user_id FROM channel_members WHERE channel_id = $1',
      [channelId],
    );
    return await runScript(databaseDsn, 'post-transaction.sql', POST_TRANSACTION, { channel: `'${channelId}'`, members: String(rowCount) }, opts);
  } finally {
    await db.query('DROP TABLE IF EXISTS pgbench_authors').catch(() => undefined);
    await db.end();
  }
}
