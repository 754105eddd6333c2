/**
 * Job failure tests: several server nodes (#testing's ServerProcess) sharing one fresh database,
 * one file store and one Redis key prefix, each on its own loopback port (not a gossip cluster:
 * the queue is what they share). Nodes are killed with SIGKILL and restarted;
 * Redis can be a private redis-server that the test stops and starts. Everything is cleaned up:
 * processes (also on a crashed test run), the database, the folders and the Redis keys.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client4 as Client4Type } from '@mattermost/client';
import type { Job } from '@mattermost/types/jobs';
import { parseRedisAddress } from '#jobs';
import type pg from 'pg';
import { createDatabase, databasePool, deleteRedisKeys, dropDatabase, freePort, NewUser, ServerProcess, serverEnv, signUp, until } from '#testing';

export const REDIS_ADDRESS = process.env.TEST_REDIS_ADDRESS ?? '127.0.0.1:6379';
const FINISHED = ['success', 'error', 'canceled', 'warning'];
/** A node's SIGTERM (or SIGKILL) gets this long before it is killed (again). */
const NODE_STOP_TIMEOUT_MS = 10_000;

export interface JobClusterOptions {
  nodes: number;
  /** Per node (by index) environment on top of the common one. */
  env?: (index: number) => Record<string, string>;
  common?: Record<string, string>;
  redisAddress?: string;
}

export class JobCluster {
  readonly nodes: ServerProcess[] = [];
  readonly prefix = `jobtest${randomBytes(4).toString('hex')}:`;
  private db!: pg.Pool;
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
          ...serverEnv('127.0.0.1', port, database, nodeDir),
          MM_FILESETTINGS_DIRECTORY: cluster.files,
          MM_CACHESETTINGS_REDISADDRESS: cluster.redisAddress,
          MM_CACHESETTINGS_REDISCACHEPREFIX: cluster.prefix,
          MM_JOBSETTINGS_STALLEDJOBTIMEOUTSECONDS: '3',
          ...options.common,
          ...options.env?.(i),
        };
        const node = new ServerProcess({ name: `node n${i}`, port, env, stopTimeoutMs: NODE_STOP_TIMEOUT_MS });
        cluster.nodes.push(node);
        await node.start();
      }
      cluster.db = databasePool(database, 1);
      cluster.admin = await signUp(cluster.nodes[0].url, { prefix: 'admin', password: 'Passw0rd!admin' });
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  /** An admin client logged in on another node (sessions live in the shared database). */
  async adminOn(node: ServerProcess): Promise<Client4Type> {
    const client = node.client();
    await client.login(this.admin.user.username, this.admin.password);
    return client;
  }

  async sql<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query(text, params)).rows as T[];
  }

  /**
   * A channel (in a team of its own, both made by the admin) holding `posts` posts written
   * straight into the database, one millisecond apart from `firstCreateAt`, with statistics
   * gathered as autovacuum would after a bulk load (without them the planner joins every post).
   */
  async channelWithPosts(name: string, posts: number, firstCreateAt: number, message: string): Promise<string> {
    const admin = this.admin.client;
    const team = await admin.createTeam({ name: `${name}-team`, display_name: name, type: 'O' } as any);
    const channelId = (await admin.createChannel({ team_id: team.id, name: `${name}-channel`, display_name: name, type: 'O' } as any)).id;
    await this.sql(
      `INSERT INTO posts (id, create_at, update_at, user_id, channel_id, message)
       SELECT lpad(to_hex(i), 26, '0'), $4::bigint + i, $4::bigint + i, $1, $2, $5::text || i FROM generate_series(1, $3::int) i`,
      [this.admin.user.id, channelId, posts, firstCreateAt, `${message} `],
    );
    await this.sql('ANALYZE');
    return channelId;
  }

  async job(id: string): Promise<{ status: string; progress: number; attempts: number; node_id: string; data: Record<string, string> } & Job> {
    return (await this.sql(`SELECT * FROM jobs WHERE id = $1`, [id]))[0];
  }

  async waitForStatus(id: string, statuses: string[], timeoutMs: number) {
    return until(
      async () => {
        const row = await this.job(id);
        return row && statuses.includes(row.status) ? row : undefined;
      },
      timeoutMs,
      `job ${id} to be ${statuses.join('/')}`,
    );
  }

  waitFinished(id: string, timeoutMs = 60_000) {
    return this.waitForStatus(id, FINISHED, timeoutMs);
  }

  /** Waits, polling closely, until the job runs and has reached `progress` percent. */
  waitRunning(id: string, progress: number, timeoutMs: number) {
    return until(
      async () => {
        const row = await this.job(id);
        return row.status === 'in_progress' && row.progress >= progress ? row : undefined;
      },
      timeoutMs,
      `job ${id} to be in progress, at ${progress} % or more`,
      25,
    );
  }

  /** The running node whose process holds the job (node_id ends in ":<pid>"). */
  holder(nodeId: string): ServerProcess | undefined {
    const pid = Number(nodeId.slice(nodeId.lastIndexOf(':') + 1));
    return this.nodes.find((n) => n.running && n.pid === pid);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
    await this.db?.end().catch(() => undefined);
    await dropDatabase(this.database).catch(() => undefined);
    await deleteRedisKeys(parseRedisAddress(this.redisAddress), this.prefix).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// The private redis-server moved to #testing (the rate-limit cluster suite stops one too).
export { PrivateRedis } from '#testing';
