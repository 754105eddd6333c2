/**
 * RateLimitSettings across the cluster: with CacheSettings.RedisAddress, three nodes spend from
 * one budget per key (a private redis-server of the test's own), so requests spread over the
 * nodes by address are allowed as often as by one node, and every node's X-RateLimit-* headers
 * count the same budget down. With Redis stopped every node keeps serving within its own local
 * budget (logged once), and goes back to the shared budget when Redis returns. The private Redis
 * keeps nothing on disk, so stopping it is its clean-up.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, PrivateRedis, type NewUser, type TestCluster } from '#testing';
import { startFormedCluster } from './cluster-fixtures.js';

const NODES = [0, 1, 2];
/** RateLimitSettings: one request a second, nine more at once (a full budget allows 10). */
const PER_SEC = 1;
const LIMIT = 10;
const FALLBACK_LOG = 'rate limits are counted by each node';
const BACK_LOG = 'rate limits are shared by the cluster again';

let redis: PrivateRedis;
let cluster: TestCluster;
let admin: NewUser;
const prefix = `test-rl-cluster-${randomBytes(4).toString('hex')}:`;

interface Answer {
  node: number;
  status: number;
  limit: string | null;
  remaining: number;
  retryAfter: string | null;
  body: string;
  ms: number;
}

/** One anonymous ping to `node`, counted under `budget` (VaryByHeader). */
async function ping(node: number, budget: string): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(`${cluster.url(node)}/api/v4/system/ping`, { headers: { 'X-Budget': budget } });
  const body = await res.text();
  return {
    node,
    status: res.status,
    limit: res.headers.get('x-ratelimit-limit'),
    remaining: Number(res.headers.get('x-ratelimit-remaining')),
    retryAfter: res.headers.get('retry-after'),
    body,
    ms: Date.now() - started,
  };
}

/** `n` requests one after the other over `nodes` in turn, under a fresh budget; and how long they took. */
async function spread(n: number, nodes = NODES): Promise<{ answers: Answer[]; elapsedMs: number }> {
  const budget = randomBytes(6).toString('hex');
  const started = Date.now();
  const answers: Answer[] = [];
  for (let i = 0; i < n; i++) answers.push(await ping(nodes[i % nodes.length]!, budget));
  return { answers, elapsedMs: Date.now() - started };
}

const allowed = (answers: Answer[]) => answers.filter((a) => a.status === 200).length;
/** The most one budget can allow in `elapsedMs`: the burst and what refilled meanwhile. */
const oneBudget = (elapsedMs: number) => LIMIT + Math.ceil((elapsedMs / 1000) * PER_SEC);
const logCount = (node: number, text: string) => cluster.node(node).logs.split(text).length - 1;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  ({ cluster, admin } = await startFormedCluster({
    nginx: false,
    env: { MM_CACHESETTINGS_REDISADDRESS: redis.address, MM_CACHESETTINGS_REDISCACHEPREFIX: prefix },
  }));
  // On only now, so that forming the cluster is not limited. VaryByUser keeps the admin's own
  // requests (by token) apart from the anonymous pings, which are counted by address and header.
  await cluster.clientAs(admin, 0).patchConfig({
    RateLimitSettings: { Enable: true, PerSec: PER_SEC, MaxBurst: LIMIT - 1, VaryByRemoteAddr: true, VaryByUser: true, VaryByHeader: 'X-Budget' },
  } as never);
  await eventually(async () => {
    for (const n of NODES) expect((await ping(n, randomBytes(6).toString('hex'))).limit, `limits on node ${n}`).toBe(String(LIMIT));
  }, 10_000);
});

afterAll(async () => {
  await cluster?.stop();
  await redis?.stop();
});

describe('rate limits shared through Redis', () => {
  it('allows requests spread over three nodes as one budget, not three, with the same headers on every node', async () => {
    const { answers, elapsedMs } = await spread(30);
    const ok = allowed(answers);
    expect(ok).toBeGreaterThanOrEqual(LIMIT);
    expect(ok, `allowed in ${elapsedMs} ms`).toBeLessThanOrEqual(oneBudget(elapsedMs));
    expect(ok).toBeLessThan(2 * LIMIT);
    for (const a of answers) {
      expect(a.limit).toBe(String(LIMIT));
      expect([200, 429]).toContain(a.status);
    }
    // One counter: the first answer of each node counts on from the node before.
    expect(answers.slice(0, 3).map((a) => a.remaining)).toEqual([LIMIT - 1, LIMIT - 2, LIMIT - 3]);
    // Every node refused some: each one saw the budget the others spent.
    for (const n of NODES)
      expect(
        answers.some((a) => a.node === n && a.status === 429),
        `node ${n} refused`,
      ).toBe(true);
    for (const a of answers.filter((x) => x.status === 429)) {
      expect(a.body).toBe('limit exceeded\n');
      expect(a.remaining).toBe(0);
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    for (const n of NODES) expect(logCount(n, FALLBACK_LOG), `node ${n} log`).toBe(0);
  });

  it('keeps serving with each node counting locally while Redis is stopped, logged once, and shares again when it returns', async () => {
    await redis.stop();

    // Each node now allows a budget of its own: three budgets over three nodes.
    const { answers, elapsedMs } = await spread(45);
    for (const a of answers) {
      expect([200, 429]).toContain(a.status);
      expect(a.limit).toBe(String(LIMIT));
      expect(a.ms, 'no request waits on Redis').toBeLessThan(2000);
    }
    for (const n of NODES) {
      const mine = answers.filter((a) => a.node === n);
      expect(allowed(mine), `node ${n}`).toBeGreaterThanOrEqual(LIMIT);
      expect(allowed(mine), `node ${n}`).toBeLessThanOrEqual(oneBudget(elapsedMs));
    }
    expect(allowed(answers)).toBeGreaterThan(oneBudget(elapsedMs));
    // Authenticated requests are served too.
    expect((await cluster.clientAs(admin, 1).getMe()).id).toBe(admin.user.id);
    // More requests keep counting locally without logging again.
    await spread(6);
    for (const n of NODES) expect(logCount(n, FALLBACK_LOG), `node ${n} logged the fall-back`).toBe(1);

    await redis.start();
    await eventually(async () => {
      const again = await spread(30);
      expect(allowed(again.answers)).toBeLessThanOrEqual(oneBudget(again.elapsedMs));
      for (const n of NODES) expect(logCount(n, BACK_LOG), `node ${n} logged the return`).toBeGreaterThanOrEqual(1);
    }, 30_000);
  });
});
