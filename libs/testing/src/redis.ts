/** Redis for tests: keys a test or benchmark wrote under its own prefix, and a private redis-server. */
import { ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { track } from './processes.js';
import { until } from './wait.js';

/** Deletes every key under `prefix` (SCAN, so a busy Redis is not blocked); `server` as #jobs' parseRedisAddress gives it. */
export async function deleteRedisKeys(server: { host: string; port: number; password?: string; db?: number }, prefix: string): Promise<void> {
  const redis = new Redis({ ...server, maxRetriesPerRequest: 1, retryStrategy: () => null });
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
    const child = track(spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
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
