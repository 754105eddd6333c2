import { beforeEach, describe, expect, it } from 'vitest';
import { RefreshingCache } from './refreshing-cache.js';

/** A load the test resolves or fails when it chooses. */
interface PendingLoad {
  key: string;
  resolve: (value: string) => void;
  reject: (err: Error) => void;
}

/** Lets promise callbacks (the cache storing a finished load) run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('RefreshingCache', () => {
  let now: number;
  let loads: PendingLoad[];
  let refreshErrors: Array<{ key: string; err: unknown }>;
  let cache: RefreshingCache<string, string>;

  beforeEach(() => {
    now = 1_000;
    loads = [];
    refreshErrors = [];
    cache = new RefreshingCache<string, string>({
      load: (key) => new Promise((resolve, reject) => loads.push({ key, resolve, reject })),
      ttlMs: 2_000,
      maxEntries: 3,
      onRefreshError: (key, err) => refreshErrors.push({ key, err }),
      now: () => now,
    });
  });

  /** Reads `key` when it is cached: the value must come back without a new load. */
  async function cached(key: string): Promise<string> {
    const before = loads.length;
    const value = await cache.get(key);
    expect(loads.length).toBe(before);
    return value;
  }

  async function loaded(key: string, value: string): Promise<void> {
    const read = cache.get(key);
    loads[loads.length - 1].resolve(value);
    expect(await read).toBe(value);
  }

  it('shares one load among concurrent first readers (single flight)', async () => {
    const reads = [cache.get('c1'), cache.get('c1'), cache.get('c1')];
    expect(loads.length).toBe(1);
    const other = cache.get('c2');
    expect(loads.map((l) => l.key)).toEqual(['c1', 'c2']);

    loads[0].resolve('members v1');
    loads[1].resolve('other v1');
    expect(await Promise.all(reads)).toEqual(['members v1', 'members v1', 'members v1']);
    expect(await other).toBe('other v1');
    expect(await cached('c1')).toBe('members v1');
  });

  it('serves a fresh entry until the TTL without loading again', async () => {
    await loaded('c1', 'v1');
    now += 1_999;
    expect(await cached('c1')).toBe('v1');
  });

  it('serves an expired entry at once while ONE background load replaces it', async () => {
    await loaded('c1', 'v1');
    now += 2_000;

    // Every reader during the refresh gets the old list immediately; only the first starts a load.
    expect(await cache.get('c1')).toBe('v1');
    expect(loads.length).toBe(2);
    expect(await Promise.all([cache.get('c1'), cache.get('c1')])).toEqual(['v1', 'v1']);
    now += 500;
    expect(await cached('c1')).toBe('v1');
    expect(loads.length).toBe(2);

    loads[1].resolve('v2');
    await settle();
    expect(await cached('c1')).toBe('v2');

    // The refreshed entry counts its age from when its load started.
    now += 1_499;
    expect(await cached('c1')).toBe('v2');
    now += 1;
    expect(await cache.get('c1')).toBe('v2');
    expect(loads.length).toBe(3);
  });

  it('after invalidate(), a first load under way is neither joined nor stored', async () => {
    const early = cache.get('c1');
    cache.invalidate('c1');
    const late = cache.get('c1');
    expect(loads.length).toBe(2);

    loads[1].resolve('after');
    expect(await late).toBe('after');
    // The load that began before the invalidation finishes last: its result must not win.
    loads[0].resolve('before');
    expect(await early).toBe('before');
    await settle();
    expect(await cached('c1')).toBe('after');
  });

  it('after invalidate(), neither the expired entry nor its refresh is served', async () => {
    await loaded('c1', 'old');
    now += 2_000;
    expect(await cache.get('c1')).toBe('old');
    expect(loads.length).toBe(2); // the background refresh, started before the change

    cache.invalidate('c1');
    const read = cache.get('c1');
    expect(loads.length).toBe(3); // a reader after the change waits for a load of its own
    loads[1].resolve('stale refresh');
    await settle();
    loads[2].resolve('new');
    expect(await read).toBe('new');
    await settle();
    expect(await cached('c1')).toBe('new');
  });

  it('invalidate() leaves other keys alone; clear() drops every entry and load', async () => {
    await loaded('c1', 'a1');
    await loaded('c2', 'b1');
    cache.invalidate('c1');
    expect(await cached('c2')).toBe('b1');

    const pending = cache.get('c1');
    cache.clear();
    const fresh = cache.get('c1');
    expect(loads.length).toBe(4);
    loads[3].resolve('a3');
    loads[2].resolve('a2 (before clear)');
    expect(await pending).toBe('a2 (before clear)');
    expect(await fresh).toBe('a3');
    await settle();
    expect(await cached('c1')).toBe('a3');
    const c2 = cache.get('c2');
    expect(loads.length).toBe(5);
    loads[4].resolve('b2');
    expect(await c2).toBe('b2');
  });

  it('a failed first load reaches every waiting reader, and the next read tries again', async () => {
    const reads = [cache.get('c1'), cache.get('c1')];
    loads[0].reject(new Error('db down'));
    for (const read of reads) await expect(read).rejects.toThrow('db down');

    const retry = cache.get('c1');
    expect(loads.length).toBe(2);
    loads[1].resolve('v1');
    expect(await retry).toBe('v1');
    expect(refreshErrors).toEqual([]);
  });

  it('a failed refresh is reported and keeps the old entry until the next try', async () => {
    await loaded('c1', 'v1');
    now += 2_000;
    expect(await cache.get('c1')).toBe('v1');
    loads[1].reject(new Error('timeout'));
    await settle();
    expect(refreshErrors).toHaveLength(1);
    expect(refreshErrors[0].key).toBe('c1');
    expect(String(refreshErrors[0].err)).toContain('timeout');

    // Still served, and the next read starts another refresh.
    expect(await cache.get('c1')).toBe('v1');
    expect(loads.length).toBe(3);
    loads[2].resolve('v2');
    await settle();
    expect(await cached('c1')).toBe('v2');
  });

  it('a loader that throws synchronously counts as a failed load', async () => {
    let throwNow = false;
    const errors: unknown[] = [];
    const throwing = new RefreshingCache<string, string>({
      // Not async: the throw happens before any promise exists.
      load: () => {
        if (throwNow) throw new Error('bad key');
        return Promise.resolve('v1');
      },
      ttlMs: 1,
      maxEntries: 1,
      onRefreshError: (_key, err) => errors.push(err),
      now: () => now,
    });
    expect(await throwing.get('x')).toBe('v1');
    throwNow = true;
    now += 1;
    expect(await throwing.get('x')).toBe('v1');
    await settle();
    expect(errors.map(String)).toEqual(['Error: bad key']);
  });

  it('keeps at most maxEntries, dropping the least recently loaded', async () => {
    await loaded('c1', 'v1');
    now = 2_000;
    await loaded('c2', 'v2');
    now = 2_500;
    await loaded('c3', 'v3');
    // Refreshing c1 makes c2 the least recently loaded.
    now = 3_000;
    expect(await cache.get('c1')).toBe('v1');
    loads[3].resolve('v1b');
    await settle();

    await loaded('c4', 'v4');
    expect(await cached('c1')).toBe('v1b');
    expect(await cached('c3')).toBe('v3');
    expect(await cached('c4')).toBe('v4');
    const c2 = cache.get('c2');
    expect(loads.length).toBe(6);
    loads[5].resolve('v2b');
    expect(await c2).toBe('v2b');
  });
});
