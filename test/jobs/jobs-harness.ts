/**
 * Job failure tests: several built server nodes (`node dist/apps/server/main.js`) sharing one
 * fresh database, one file store and one Redis key prefix, each on its own loopback port (not a
 * gossip cluster: the queue is what they share). Nodes are killed with SIGKILL and restarted;
 * Redis can be a private redis-server that the test stops and starts. Everything is cleaned up:
 * processes (also on a crashed test run), the database, the folders and the Redis keys.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client4 as Client4Type } from '@mattermost/client';
import type { Job } from '@mattermost/types/jobs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { baseEnv, createDatabase, databaseUrl, dropDatabase, freePort, NewUser, sleep } from '../e2e/harness.js';
import mm from '@mattermost/client';
import type { UserProfile } from '@mattermost/types/users';

const { Client4 } = mm;
// bigint columns (times, progress) as numbers, as the server reads them.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
const ENTRY = resolve(import.meta.dirname, '../../dist/apps/server/main.js');
export const REDIS_ADDRESS = process.env.TEST_REDIS_ADDRESS ?? '127.0.0.1:6379';
const FINISHED = ['success', 'error', 'canceled', 'warning'];

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, what: string, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export class JobNode {
  private child?: ChildProcess;
  private output = '';

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  get logs(): string {
    return this.output;
  }

  client(): Client4Type {
    const c = new Client4();
    c.setUrl(this.url);
    return c;
  }

  async start(): Promise<void> {
    const child = track(spawn(process.execPath, [ENTRY], { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] }));
    this.child = child;
    const append = (d: Buffer) => (this.output = (this.output + d).slice(-100_000));
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    await until(
      async () => {
        if (!this.running) throw new Error(`node ${this.name} exited while starting:\n${this.output}`);
        try {
          return (await fetch(`${this.url}/api/v4/system/ping`)).ok;
        } catch {
          return false;
        }
      },
      60_000,
      `node ${this.name} to answer`,
    );
  }

  /** A crash: no shutdown hook runs, locks and claims are left as they were. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await Promise.race([exited, sleep(10_000)]);
    if (this.running) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

export interface JobClusterOptions {
  nodes: number;
  /** Per node (by index) environment on top of the common one. */
  env?: (index: number) => Record<string, string>;
  common?: Record<string, string>;
  redisAddress?: string;
}

export class JobCluster {
  readonly nodes: JobNode[] = [];
  readonly prefix = `jobtest${randomBytes(4).toString('hex')}:`;
  private db!: pg.Client;
  admin!: NewUser;

  private constructor(
    readonly database: string,
    readonly dir: string,
    readonly redisAddress: string,
  ) {}

  /** The shared file store (FileSettings.Directory of every node). */
  get files(): string {
    return join(this.dir, 'files');
  }

  static async start(options: JobClusterOptions): Promise<JobCluster> {
    const database = await createDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'mm-jobs-'));
    const cluster = new JobCluster(database, dir, options.redisAddress ?? REDIS_ADDRESS);
    mkdirSync(cluster.files, { recursive: true });
    try {
      for (let i = 0; i < options.nodes; i++) {
        const port = await freePort();
        const nodeDir = join(dir, `node${i}`);
        mkdirSync(nodeDir, { recursive: true });
        const env = {
          ...baseEnv(port, database, nodeDir),
          MM_FILESETTINGS_DIRECTORY: cluster.files,
          MM_CACHESETTINGS_REDISADDRESS: cluster.redisAddress,
          MM_CACHESETTINGS_REDISCACHEPREFIX: cluster.prefix,
          MM_JOBSETTINGS_STALLEDJOBTIMEOUTSECONDS: '3',
          ...options.common,
          ...options.env?.(i),
        };
        const node = new JobNode(`n${i}`, port, env);
        cluster.nodes.push(node);
        await node.start();
      }
      cluster.db = new pg.Client({ connectionString: databaseUrl(database) });
      await cluster.db.connect();
      cluster.admin = await cluster.signUp(cluster.nodes[0]);
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  async signUp(node: JobNode): Promise<NewUser> {
    const username = `admin${randomBytes(3).toString('hex')}`;
    const password = 'Passw0rd!admin';
    await node.client().createUser({ username, email: `${username}@example.com`, password } as UserProfile, '', '');
    const client = node.client();
    const user = await client.login(username, password);
    return { client, user, password };
  }

  /** An admin client logged in on another node (sessions live in the shared database). */
  async adminOn(node: JobNode): Promise<Client4Type> {
    const client = node.client();
    await client.login(this.admin.user.username, this.admin.password);
    return client;
  }

  async sql<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query(text, params)).rows as T[];
  }

  async job(id: string): Promise<{ status: string; progress: number; attempts: number; node_id: string; data: Record<string, string> } & Job> {
    return (await this.sql(`SELECT * FROM jobs WHERE id = $1`, [id]))[0];
  }

  async waitForStatus(id: string, statuses: string[], timeoutMs: number) {
    return until(async () => {
      const row = await this.job(id);
      return row && statuses.includes(row.status) ? row : undefined;
    }, timeoutMs, `job ${id} to be ${statuses.join('/')}`);
  }

  waitFinished(id: string, timeoutMs = 60_000) {
    return this.waitForStatus(id, FINISHED, timeoutMs);
  }

  /** The node whose process holds the job (node_id ends in ":<pid>"). */
  holder(nodeId: string): JobNode | undefined {
    const pid = Number(nodeId.slice(nodeId.lastIndexOf(':') + 1));
    return this.nodes.find((n) => n.pid === pid);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
    await this.db?.end().catch(() => undefined);
    await dropDatabase(this.database).catch(() => undefined);
    await deleteRedisKeys(this.redisAddress, this.prefix).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function deleteRedisKeys(address: string, prefix: string): Promise<void> {
  const [host, port] = address.split(':');
  const redis = new Redis({ host, port: Number(port), maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A redis-server of the test's own, that it can stop and start again on the same port. */
export class PrivateRedis {
  private child?: ChildProcess;
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = track(
      spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }),
    );
    this.child = child;
    await until(
      async () => {
        if (child.exitCode !== null) throw new Error('redis-server exited');
        const r = new Redis({ port: this.port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
        r.on('error', () => undefined);
        try {
          await r.connect();
          return (await r.ping()) === 'PONG';
        } catch {
          return false;
        } finally {
          r.disconnect();
        }
      },
      10_000,
      'redis-server to answer',
    );
  }

  /** Stops it; with `--save ''` it comes back empty, as after losing the machine. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}
