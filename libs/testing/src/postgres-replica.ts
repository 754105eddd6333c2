/**
 * A PostgreSQL primary and a streaming replica of its own, for the read-replica suites and the
 * capacity benchmark's replica variant: initdb from the machine's PostgreSQL binaries (15) into a
 * temporary folder, WAL for replication, trust for 127.0.0.1 (replication included), and a
 * replica made with `pg_basebackup -R` on another free port. Both run as the `postgres` user when
 * this process is root (PostgreSQL refuses root), are killed when this process exits (processes.ts),
 * and go with their folder at stop().
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';
import { isRunning, track, waitExit } from './processes.js';
import { until } from './wait.js';

/** TEST_PG_BIN, else Debian's newest PostgreSQL (15 on Debian 12). */
const BIN =
  process.env.TEST_PG_BIN ??
  join(
    '/usr/lib/postgresql',
    (existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : ['15']).sort((a, b) => Number(b) - Number(a))[0] ?? '15',
    'bin',
  );
const DATABASE = 'mattermost';

export interface PostgresInstance {
  readonly role: 'primary' | 'replica';
  readonly port: number;
  readonly dataDir: string;
  /** postgres://postgres@127.0.0.1:<port>/<database>?sslmode=disable */
  url(database?: string): string;
  /** One statement on a fresh connection (to `mattermost` unless told). */
  query<T = Record<string, any>>(sql: string, params?: unknown[], database?: string): Promise<T[]>;
  running(): boolean;
  /** Fast shutdown (SIGINT), or `kill` for a crash (SIGKILL). */
  stop(opts?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same folder and port. */
  start(): Promise<void>;
  /** The server's output so far (for failure messages). */
  log(): string;
}

export interface PostgresReplicaPair {
  primary: PostgresInstance;
  replica: PostgresInstance;
  /** The database the pair was made with (on the primary, hence on the replica). */
  database: string;
  /** pg_wal_replay_pause() / pg_wal_replay_resume() on the replica. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Resolves once the replica has replayed everything the primary had written when called. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** Stops both and removes their folder. */
  stop(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

function postgresUser(): { uid: number; gid: number } | undefined {
  if (!asRoot) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

function run(cmd: string, args: string[], user: { uid: number; gid: number } | undefined): void {
  const r = spawnSync(join(BIN, cmd), args, { encoding: 'utf8', ...(user ?? {}), cwd: '/tmp' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
}

class Instance implements PostgresInstance {
  private child?: ChildProcess;
  private output = '';

  constructor(
    readonly role: 'primary' | 'replica',
    readonly port: number,
    readonly dataDir: string,
    private readonly socketDir: string,
    private readonly user: { uid: number; gid: number } | undefined,
  ) {}

  url(database = DATABASE): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}?sslmode=disable`;
  }

  async query<T = Record<string, any>>(sql: string, params: unknown[] = [], database = DATABASE): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url(database), connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  running(): boolean {
    return isRunning(this.child);
  }

  log(): string {
    return this.output;
  }

  async start(): Promise<void> {
    if (this.running()) return;
    const child = spawn(join(BIN, 'postgres'), ['-D', this.dataDir, '-p', String(this.port), '-k', this.socketDir], {
      ...(this.user ?? {}),
      cwd: '/tmp',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-50_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    await until(
      async () => {
        if (!this.running()) throw new Error(`${this.role} PostgreSQL exited: ${this.output.slice(-2000)}`);
        try {
          await this.query('SELECT 1', [], 'postgres');
          return true;
        } catch {
          return false;
        }
      },
      30_000,
      `${this.role} PostgreSQL on ${this.port} to accept connections`,
    );
  }

  async stop({ kill = false } = {}): Promise<void> {
    const child = this.child;
    if (!child || !this.running()) return;
    child.kill(kill ? 'SIGKILL' : 'SIGINT');
    if (!(await waitExit(child, 15_000))) {
      child.kill('SIGKILL');
      await waitExit(child, 5_000);
    }
  }
}

/**
 * Starts a primary with database `mattermost` and a streaming replica of it. Ports are free ones
 * on 127.0.0.1; nothing of the machine's own PostgreSQL is touched. Without `durable`, fsync is off.
 */
export async function startPostgresReplicaPair(opts: { durable?: boolean } = {}): Promise<PostgresReplicaPair> {
  const user = postgresUser();
  const root = mkdtempSync(join(tmpdir(), 'mm-pg-pair-'));
  const own = (path: string) => {
    if (user) chownSync(path, user.uid, user.gid);
  };
  own(root);
  const primaryDir = join(root, 'primary');
  const replicaDir = join(root, 'replica');
  const sockets = join(root, 'sockets');
  mkdirSync(sockets);
  own(sockets);
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const primary = new Instance('primary', primaryPort, primaryDir, sockets, user);
  const replica = new Instance('replica', replicaPort, replicaDir, sockets, user);
  const stop = async () => {
    await replica.stop();
    await primary.stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    run('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], user);
    appendFileSync(
      join(primaryDir, 'postgresql.conf'),
      [
        '',
        "listen_addresses = '127.0.0.1'",
        'wal_level = replica',
        'max_wal_senders = 10',
        'max_connections = 300',
        'hot_standby = on',
        // Test data only: no need to survive a power cut, and fsync costs seconds on a shared disk.
        // A benchmark asks for `durable` to compare with the machine's own PostgreSQL.
        ...(opts.durable ? [] : ['fsync = off', 'full_page_writes = off']),
        "wal_keep_size = '256MB'",
        '',
      ].join('\n'),
    );
    appendFileSync(join(primaryDir, 'pg_hba.conf'), '\nhost replication all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n');
    await primary.start();
    await primary.query(`CREATE DATABASE ${DATABASE}`, [], 'postgres');
    run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaDir, '-R', '-X', 'stream', '--checkpoint=fast'], user);
    if (!existsSync(join(replicaDir, 'standby.signal'))) throw new Error('pg_basebackup -R made no standby.signal');
    await replica.start();
    const [{ recovering }] = await replica.query<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering');
    if (!recovering) throw new Error('the replica is not in recovery');
  } catch (err) {
    const detail = `${err instanceof Error ? err.message : String(err)}\nprimary log: ${primary.log().slice(-1500)}\nreplica log: ${replica.log().slice(-1500)}`;
    await stop().catch(() => undefined);
    throw new Error(`startPostgresReplicaPair: ${detail}`);
  }
  return {
    primary,
    replica,
    database: DATABASE,
    pauseReplay: async () => void (await replica.query('SELECT pg_wal_replay_pause()')),
    resumeReplay: async () => void (await replica.query('SELECT pg_wal_replay_resume()')),
    caughtUp: async (timeoutMs = 30_000) => {
      const [{ lsn }] = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      await until(
        async () => {
          const [row] = await replica.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [lsn]);
          return row.done;
        },
        timeoutMs,
        `the replica to replay up to ${lsn}`,
        50,
      );
    },
    stop,
  };
}
