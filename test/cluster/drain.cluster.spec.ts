/**
 * A rolling restart under load: three nodes behind nginx, users posting and reading through nginx
 * with their sockets open, and each node in turn gets SIGTERM, drains, exits 0 within its grace
 * period, is started again and rejoins. At the end every request succeeded (a client retry
 * allowed: the count of retries is reported, the count of requests that failed even after their
 * retries must be 0), and every socket received every post exactly once, with continuous
 * sequence numbers on the one connection it had from start to end (resumed on the node it landed
 * on, never a fresh `hello`).
 */
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSocket, eventually, HTTP_PORT, NewUser, sleep, TestCluster, until } from '#testing';
import { channelPostIds, createPost, duplicates, openChannelWith, startFormedCluster } from './cluster-fixtures.js';

const GRACE_SECONDS = 15;
const USERS = 5;
/** Bounded load: each user stops after this many post + read rounds, or when told. */
const MAX_ROUNDS = 400;
/** Pause between a user's rounds (a chatty user, not a benchmark: the machine has two cores). */
const PACE_MS = 100;
/** Client-side retries of a failed request (network error or 5xx), as Mattermost's apps retry a post. */
const TRIES = 5;

let cluster: TestCluster;
let admin: NewUser;
let users: NewUser[];
let channel: Channel;
/** When each post's creation was answered (for a failure's report). */
const createdAt = new Map<string, number>();
/** The test's time origin (its sockets' first frames), for the timeline a failure reports. */
let t0 = Date.now();

beforeAll(async () => {
  ({ cluster, admin } = await startFormedCluster({
    env: { MM_SERVICESETTINGS_GRACEFULSHUTDOWNTIMEOUTSECONDS: String(GRACE_SECONDS) },
    // SIGKILL only well after the grace period: the test measures the exit itself.
    stopTimeoutMs: (GRACE_SECONDS + 10) * 1000,
    // Three nodes starting together on two cores take a while.
    startTimeoutMs: 180_000,
  }));
  users = [];
  for (let i = 0; i < USERS; i++) users.push(await cluster.newUser({ admin }));
  channel = await openChannelWith(admin, users);
});

afterAll(() => cluster?.stop());

interface LoadStats {
  requests: number;
  /** Requests that succeeded only after one or more retries. */
  retried: number;
  /** Requests that failed on every try. */
  failed: number;
  errors: string[];
}

const retriable = (err: unknown) => {
  const status = (err as { status_code?: number }).status_code;
  return !status || status >= 500;
};

async function withRetry<T>(stats: LoadStats, what: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await call();
      stats.requests++;
      if (attempt > 1) stats.retried++;
      return result;
    } catch (err) {
      const e = err as Error & { status_code?: number; url?: string; cause?: unknown };
      const message = `${what}: ${e.name} ${e.message} (status ${e.status_code ?? 'none'}, cause ${String(e.cause ?? '')}) at ${Date.now() - t0} ms`;
      if (attempt >= TRIES || !retriable(err)) {
        stats.failed++;
        stats.errors.push(message);
        throw err;
      }
      stats.errors.push(`retried ${message}`);
      await sleep(100 * attempt);
    }
  }
}

/** One user posting into the channel and reading it back through nginx, until told to stop. */
async function userLoad(user: NewUser, client: Client4, stats: LoadStats, created: string[], stop: { now: boolean }): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS && !stop.now; round++) {
    // The same pending_post_id on every try: a retry of a post that was in fact created returns it.
    const pending = `${user.user.id}:${Date.now()}${round}`;
    const post = await withRetry(stats, 'create post', () =>
      createPost(client, channel.id, `load ${user.user.username} #${round}`, { pending_post_id: pending }),
    );
    created.push(post.id);
    createdAt.set(post.id, Date.now());
    await withRetry(stats, 'read posts', () => client.getPosts(channel.id, 0, 20));
    await sleep(PACE_MS);
  }
}

/**
 * Waits until nginx answers a request through the node again. nginx's passive health check keeps a
 * node it saw fail out of its rotation for fail_timeout (10 s in upstream.conf) after the last
 * failure, however soon the node is back; draining the next node before that once left nginx with
 * no live upstream for a second (every request a 502). The README's rolling restart waits for the
 * same thing.
 */
async function backInRotation(host: string): Promise<void> {
  const since = Date.now();
  await until(
    () => cluster.nginx!.accessLog().some((e) => e.startedAt >= since && e.upstream === `${host}:${HTTP_PORT}` && e.status < 500),
    30_000,
    `nginx sending requests to ${host} again`,
  );
}

/** Where a socket was when posts it misses were made: its connections' first frames, its hellos, its gaps. */
function report(socket: ClusterSocket, missing: string[]): string {
  const firstFrames = new Map<number, number>();
  for (const f of socket.frames) if (!firstFrames.has(f.conn)) firstFrames.set(f.conn, f.at);
  const origin = Math.min(...firstFrames.values());
  return JSON.stringify({
    missing: missing.map((id) => ({ id, at: (createdAt.get(id) ?? 0) - origin })),
    connections: [...firstFrames].map(([conn, at]) => ({ conn, at: at - origin })),
    hellos: socket.helloIds(),
    resyncs: socket.missedResyncs,
    seqProblems: socket.seqProblems().slice(0, 5),
  });
}

describe('rolling restart under load', () => {
  it('drains each node in turn (exit 0 within the grace period, rejoin) with no failed request and no lost or doubled event', async () => {
    const everyone = [admin, ...users];
    const sockets: ClusterSocket[] = [];
    for (const u of everyone) sockets.push(await cluster.socket(cluster.clientAs(u, 'nginx'), 'nginx', { minRetryMs: 200 }));

    const stats: LoadStats = { requests: 0, retried: 0, failed: 0, errors: [] };
    const created: string[] = [];
    const stop = { now: false };
    const load = Promise.allSettled(everyone.map((u) => userLoad(u, cluster.clientAs(u, 'nginx'), stats, created, stop)));
    const madeMore = (n: number) => {
      const target = created.length + n;
      return until(() => created.length >= target || stats.failed > 0, 60_000, `${n} more posts`);
    };

    const drains: Array<{ node: number; ms: number }> = [];
    t0 = Math.min(...sockets.map((s) => s.frames[0]?.at ?? Date.now()));
    const drainLog: string[] = [];
    const note = (line: string) => {
      console.log(line);
      drainLog.push(`${line} (at ${Date.now() - t0} ms)`);
    };
    try {
      for (const index of [0, 1, 2]) {
        await madeMore(15);
        const node = cluster.node(index);
        const began = Date.now();
        note(`SIGTERM to node ${index}`);
        await node.stop(); // SIGTERM, then waits for the exit
        const ms = Date.now() - began;
        drains.push({ node: index, ms });
        expect(node.lastExit, `node ${index} exit\n${node.logs.slice(-3000)}`).toEqual({ code: 0, signal: null });
        expect(ms, `node ${index} drained within the grace period`).toBeLessThan(GRACE_SECONDS * 1000);
        note(`node ${index} drained in ${ms} ms (${created.length} posts, ${stats.retried} retried so far)`);
        await madeMore(10); // load goes on with two nodes
        await node.start();
        await cluster.waitForMembership(admin, 30_000);
        note(`node ${index} back (${created.length} posts)`);
        await backInRotation(node.host);
        note(`nginx sends node ${index} requests again`);
      }
      await madeMore(15);
    } finally {
      stop.now = true;
      await load;
    }

    console.log(
      `rolling restart: ${stats.requests} requests, ${stats.retried} retried, ${stats.failed} failed; ${created.length} posts; drains ${drains.map((d) => `node ${d.node} ${d.ms} ms`).join(', ')}; socket connections ${sockets.map((s) => s.connections).join(', ')}`,
    );
    if (stats.errors.length) console.log(`client errors:\n${stats.errors.slice(0, 20).join('\n')}`);
    // What nginx saw: answers other than success, and requests it moved to another node. A
    // failure's message carries it (and nginx's error log), for CI prints only the failure.
    const log = cluster.nginx!.accessLog().filter((e) => e.uri.startsWith('/api/v4/'));
    const unusual = log.filter((e) => e.status >= 300 || e.upstream.includes(','));
    const seen = `nginx: ${log.length} requests, ${unusual.length} not plainly answered:\n${unusual
      .slice(0, 40)
      .map((e) => `${e.method} ${e.uri.slice(0, 60)} ${e.status} via ${e.upstream} (${e.upstreamStatus}) at ${e.at - t0} ms`)
      .join('\n')}`;
    console.log(seen);
    const nginxErrors = cluster
      .nginx!.errorLog()
      .split('\n')
      .filter((l) => /\[(error|crit|alert)\]/.test(l));
    const timeline = `drains: ${drainLog.join('; ')}\n${seen}\nnginx errors (${nginxErrors.length}):\n${nginxErrors.slice(-20).join('\n')}`;
    expect(stats.failed, `${stats.errors.join('\n')}\n${timeline}`).toBe(0);

    // Every socket: every post once, on the one connection it had from the start.
    const expected = new Set(created);
    await eventually(
      () => {
        for (const [i, socket] of sockets.entries()) {
          const got = new Set(socket.postedIds(channel.id));
          const missing = created.filter((id) => !got.has(id));
          if (missing.length) throw new Error(`socket ${i} misses ${missing.length} of ${created.length} posts: ${report(socket, missing)}`);
        }
      },
      15_000,
      100,
    );
    for (const [i, socket] of sockets.entries()) {
      expect(socket.seqProblems(), `socket ${i}`).toEqual([]);
      expect(duplicates(socket.postedIds(channel.id)), `socket ${i}`).toEqual([]);
      expect(new Set(socket.postedIds(channel.id)), `socket ${i}`).toEqual(expected);
      expect(socket.missedResyncs, `socket ${i} had to start afresh`).toBe(0);
      expect(socket.helloIds(), `socket ${i}`).toHaveLength(1);
      // Each node was drained once: every socket was moved at least once.
      expect(socket.connections, `socket ${i}`).toBeGreaterThanOrEqual(2);
    }
    // And the posts the clients were told exist are all in the channel, once.
    const stored = (await channelPostIds(cluster.clientAs(admin, 'nginx'), channel.id)).filter((id) => expected.has(id));
    expect(duplicates(stored)).toEqual([]);
    expect(new Set(stored)).toEqual(expected);
    for (const s of sockets) s.close();
  }, 300_000);
});
