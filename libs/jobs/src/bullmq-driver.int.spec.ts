/** BullMqDriver against the machine's Redis (127.0.0.1:6379), under a key prefix of its own. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BullMqDriver, parseRedisAddress } from './bullmq-driver.js';
import { Delivery, QueueUnavailableError } from './queue-driver.js';

const ADDRESS = process.env.TEST_REDIS_ADDRESS ?? '127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

let prefix: string;
const drivers: BullMqDriver[] = [];
const redis = new Redis(parseRedisAddress(ADDRESS));

function driver(stalledAfterMs = 2000): BullMqDriver {
  const d = new BullMqDriver({ address: ADDRESS, prefix, stalledAfterMs });
  drivers.push(d);
  return d;
}

beforeEach(async () => {
  prefix = `test-${randomBytes(4).toString('hex')}`;
});

afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
});
afterAll(() => redis.disconnect());

describe('parseRedisAddress', () => {
  it('takes host:port, a bare host and redis:// URLs', () => {
    expect(parseRedisAddress('localhost:6380')).toEqual({ host: 'localhost', port: 6380 });
    expect(parseRedisAddress('cache')).toEqual({ host: 'cache', port: 6379 });
    expect(parseRedisAddress('redis://:s3cret@10.0.0.5:7000/2')).toEqual({ host: '10.0.0.5', port: 7000, password: 's3cret', db: 2 });
    expect(() => parseRedisAddress(':6379')).toThrow(/Redis address/);
  });
});

describe('BullMqDriver', () => {
  it('delivers an item to one of several workers, once, with its data', async () => {
    const [a, b] = [driver(), driver()];
    await a.waitUntilConnected(5000);
    const seen: Array<[string, Delivery]> = [];
    a.work('q', async (d) => void seen.push(['a', d]), { concurrency: 1 });
    b.work('q', async (d) => void seen.push(['b', d]), { concurrency: 1 });
    await a.enqueue('q', 'job1', { k: 'v' });
    await a.enqueue('q', 'job1', { k: 'v' }); // same id while queued: one item
    await b.enqueue('q', 'job2');
    await until(() => seen.length === 2);
    await sleep(300);
    expect(seen.map(([, d]) => d.id).sort()).toEqual(['job1', 'job2']);
    const one = seen.find(([, d]) => d.id === 'job1')![1];
    expect(one).toMatchObject({ queue: 'q', data: { k: 'v' }, delivery: 1 });
    expect(one.slot).toBeUndefined();
  });

  it('delivers again after retryInMs', async () => {
    const a = driver();
    await a.waitUntilConnected(5000);
    const deliveries: number[] = [];
    a.work(
      'q',
      async (d) => {
        deliveries.push(Date.now());
        return deliveries.length < 2 ? { retryInMs: 300 } : undefined;
      },
      { concurrency: 1 },
    );
    await a.enqueue('q', 'again');
    await until(() => deliveries.length === 2);
    expect(deliveries[1] - deliveries[0]).toBeGreaterThanOrEqual(250);
  });

  it('cancel() on one node aborts the delivery running on another', async () => {
    const [runner, canceller] = [driver(), driver()];
    await runner.waitUntilConnected(5000);
    await canceller.waitUntilConnected(5000);
    await sleep(200); // the subscriber is listening
    let reason = '';
    let started = false;
    runner.work(
      'q',
      (_d, ctx) =>
        new Promise<void>((resolve) => {
          started = true;
          ctx.signal.addEventListener('abort', () => {
            reason = String(ctx.signal.reason);
            resolve();
          });
        }),
      { concurrency: 1 },
    );
    await canceller.enqueue('q', 'long');
    await until(() => started);
    await canceller.cancel('long');
    await until(() => reason !== '');
    expect(reason).toBe('cancel');
  });

  it('two nodes upserting the same schedule get one delivery per slot, with the slot', async () => {
    const [a, b] = [driver(), driver()];
    await a.waitUntilConnected(5000);
    await b.waitUntilConnected(5000);
    const slots: number[] = [];
    a.work('q', async (d) => void slots.push(d.slot!), { concurrency: 1 });
    b.work('q', async (d) => void slots.push(d.slot!), { concurrency: 1 });
    await a.schedule('q', 'every-500', { every: 500 });
    await b.schedule('q', 'every-500', { every: 500 });
    await sleep(2600);
    await a.unschedule('q', 'every-500');
    await sleep(600);
    const count = slots.length;
    expect(count).toBeGreaterThanOrEqual(4);
    expect(new Set(slots).size).toBe(count);
    expect(slots.every((s) => s % 500 === 0)).toBe(true);
    await sleep(1000);
    expect(slots.length).toBe(count);
  });

  it('a job whose node stops renewing its lock is delivered to another node (stalled check)', async () => {
    const dying = driver(1000);
    const survivor = driver(1000);
    await dying.waitUntilConnected(5000);
    const seen: string[] = [];
    // The first node takes the job and then goes silent: close(force) drops it without finishing.
    let taken!: () => void;
    const tookIt = new Promise<void>((r) => (taken = r));
    dying.work(
      'q',
      () => {
        seen.push('dying');
        taken();
        return new Promise<void>(() => undefined);
      },
      { concurrency: 1 },
    );
    await dying.enqueue('q', 'stalls');
    await tookIt;
    // A dead process: its worker stops renewing the lock without finishing the job (a forced
    // close of the BullMQ worker, reached through the driver's internals for this test only).
    await (dying as any).workers.values().next().value.close(true);
    survivor.work('q', async (d) => void seen.push(`survivor#${d.delivery}`), { concurrency: 1 });
    await until(() => seen.length === 2, 15_000);
    expect(seen).toEqual(['dying', 'survivor#2']);
  });

  it('enqueue fails at once with QueueUnavailableError when Redis is unreachable', async () => {
    const nowhere = new BullMqDriver({ address: '127.0.0.1:1', prefix, stalledAfterMs: 1000 });
    drivers.push(nowhere);
    expect(nowhere.connected()).toBe(false);
    expect(await nowhere.waitUntilConnected(200)).toBe(false);
    const started = Date.now();
    await expect(nowhere.enqueue('q', 'x')).rejects.toBeInstanceOf(QueueUnavailableError);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
