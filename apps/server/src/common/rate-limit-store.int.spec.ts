/**
 * The shared token bucket (TOKEN_BUCKET_LUA) against the machine's Redis (127.0.0.1:6379;
 * TEST_REDIS_ADDRESS overrides), under a key prefix of its own, and the store's fall-back to the
 * node's memory when Redis is away or does not answer.
 */
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseRedisAddress } from '#jobs';
import { RateLimitStore, REDIS_RETRY_AFTER_MS, REDIS_TAKE_TIMEOUT_MS, RedisBuckets } from './rate-limit-store.js';

const ADDRESS = process.env.TEST_REDIS_ADDRESS ?? '127.0.0.1:6379';
const admin = new Redis(parseRedisAddress(ADDRESS));
let prefix: string;
const opened: Array<{ close(): void }> = [];

function buckets(): RedisBuckets {
  const b = new RedisBuckets({ address: ADDRESS }, prefix);
  opened.push(b);
  return b;
}

function store(address: string, now?: () => number): RateLimitStore {
  const cache = { RedisAddress: address, RedisPassword: '', RedisDB: -1, RedisCachePrefix: prefix };
  const s = new RateLimitStore({ get: () => ({ CacheSettings: cache }) as never }, now);
  opened.push(s);
  return s;
}

async function keys(): Promise<string[]> {
  return admin.keys(`${prefix}*`);
}

beforeEach(() => {
  prefix = `test-rl-${randomBytes(4).toString('hex')}:`;
});
afterEach(async () => {
  for (const o of opened.splice(0)) o.close();
  const left = await keys();
  if (left.length) await admin.del(...left);
  vi.restoreAllMocks();
});
afterAll(() => admin.disconnect());

describe('the token bucket in Redis', () => {
  it('allows a burst, refuses past it, and refills at the rate', async () => {
    const b = buckets();
    const t0 = 1_000_000;
    const takes = [];
    for (let i = 0; i < 4; i++) takes.push(await b.take('api', 'k', 2, 3, t0));
    expect(takes.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(takes[3]).toMatchObject({ limit: 3, retryAfterSeconds: 1, resetSeconds: 2 });
    // Half a second at 2 a second is one token; a quarter more is half of one (kept as a fraction).
    expect((await b.take('api', 'k', 2, 3, t0 + 500)).allowed).toBe(true);
    expect((await b.take('api', 'k', 2, 3, t0 + 750)).allowed).toBe(false);
    expect((await b.take('api', 'k', 2, 3, t0 + 1000)).allowed).toBe(true);
    // Never more than the burst, however long it rests.
    expect((await b.take('api', 'k', 2, 3, t0 + 100_000)).remaining).toBe(2);
  });

  it('refills nothing when the clock steps back', async () => {
    const b = buckets();
    expect((await b.take('api', 'k', 1, 1, 5000)).allowed).toBe(true);
    expect((await b.take('api', 'k', 1, 1, 1000)).allowed).toBe(false);
    expect((await b.take('api', 'k', 1, 1, 5500)).allowed).toBe(false);
    expect((await b.take('api', 'k', 1, 1, 6000)).allowed).toBe(true);
  });

  it('is one budget for every client taking at once: exactly the burst is allowed', async () => {
    const nodes = [buckets(), buckets(), buckets()];
    const now = 2_000_000;
    const all = await Promise.all(Array.from({ length: 60 }, (_, i) => nodes[i % 3]!.take('api', 'shared', 1, 10, now)));
    expect(all.filter((d) => d.allowed)).toHaveLength(10);
    expect(new Set(all.filter((d) => d.allowed).map((d) => d.remaining))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  });

  it('keeps budgets and keys apart, under the prefix, hashed, expiring once the bucket would be full', async () => {
    const b = buckets();
    const token = 'a-session-token-that-must-not-be-stored';
    expect((await b.take('api', token, 1, 1, 0)).allowed).toBe(true);
    expect((await b.take('api', token, 1, 1, 0)).allowed).toBe(false);
    expect((await b.take('login-address', token, 1, 1, 0)).allowed).toBe(true);
    expect((await b.take('api', 'another', 1, 1, 0)).allowed).toBe(true);
    const stored = await keys();
    expect(stored).toHaveLength(3);
    for (const k of stored) {
      expect(k.startsWith(`${prefix}ratelimit:`)).toBe(true);
      expect(k).not.toContain(token);
    }
    // One token a second, a burst of 10: full again after 10 s; the key goes a second after that.
    await b.take('api', 'ttl', 1, 10);
    const ttl = await admin.pttl(b.keyOf('api', 'ttl'));
    expect(ttl).toBeGreaterThan(9000);
    expect(ttl).toBeLessThanOrEqual(11_000);
  });

  it("uses Redis's clock when not given one", async () => {
    const b = buckets();
    expect((await b.take('api', 'clock', 1000, 1)).allowed).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    // 20 ms at 1000 a second refilled the one token.
    expect((await b.take('api', 'clock', 1000, 1)).allowed).toBe(true);
    const [tokens, at] = await admin.hmget(b.keyOf('api', 'clock'), 'tokens', 'at');
    expect(Number(tokens)).toBeGreaterThanOrEqual(0);
    expect(Math.abs(Number(at) - Date.now())).toBeLessThan(5000);
  });
});

describe('RateLimitStore', () => {
  it('shares one budget between nodes through Redis', async () => {
    const nodes = [store(ADDRESS), store(ADDRESS)];
    const allowed = [];
    for (let i = 0; i < 10; i++) allowed.push((await nodes[i % 2]!.take('api', 'k', 0.001, 3, 100)).allowed);
    expect(allowed.filter(Boolean)).toHaveLength(4);
  });

  it('counts in memory when Redis is away: at once, logged once, and back to Redis when it answers', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    let now = 10_000;
    const closed = await closedPort();
    const s = store(`127.0.0.1:${closed}`, () => now);
    const started = Date.now();
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await s.take('api', 'k', 0.001, 3, 100));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(results.map((d) => d.allowed)).toEqual([true, true, true, true, false, false]);
    expect(warn.mock.calls.filter(([m]) => String(m).includes('does not answer'))).toHaveLength(1);
    now += REDIS_RETRY_AFTER_MS;
    await s.take('api', 'k', 0.001, 3, 100);
    expect(warn.mock.calls.filter(([m]) => String(m).includes('does not answer'))).toHaveLength(1);
  });

  it('does not wait on a Redis that accepts the connection but never answers', async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const silent = await silentServer();
    try {
      let now = 0;
      const s = store(`127.0.0.1:${silent.port}`, () => now);
      const started = Date.now();
      expect((await s.take('api', 'k', 1, 0, 100)).allowed).toBe(true);
      // The first take waited for the connection or the command timeout, no longer.
      expect(Date.now() - started).toBeLessThan(1000 + REDIS_TAKE_TIMEOUT_MS + 1000);
      // Then the node counts locally without asking Redis until REDIS_RETRY_AFTER_MS has passed.
      const next = Date.now();
      expect((await s.take('api', 'k', 1, 0, 100)).allowed).toBe(false);
      expect(Date.now() - next).toBeLessThan(100);
      now += REDIS_RETRY_AFTER_MS;
    } finally {
      silent.close();
    }
  });

  it('goes back to the shared budget once Redis answers again', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    let now = 0;
    const cache = { RedisAddress: `127.0.0.1:${await closedPort()}`, RedisPassword: '', RedisDB: -1, RedisCachePrefix: prefix };
    const s = new RateLimitStore({ get: () => ({ CacheSettings: cache }) as never }, () => now);
    opened.push(s);
    await s.take('api', 'k', 1, 1, 100);
    // Redis "returns" (here: the setting now names a live one; a restarted Redis reconnects the same way).
    cache.RedisAddress = ADDRESS;
    now += REDIS_RETRY_AFTER_MS;
    await s.take('api', 'k', 1, 1, 100);
    expect(await keys()).toHaveLength(1);
    expect(warn.mock.calls.map(([m]) => String(m)).some((m) => m.includes('answers again'))).toBe(true);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** A TCP server that takes connections and never answers (a frozen Redis). */
async function silentServer(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
