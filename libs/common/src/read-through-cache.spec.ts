import { beforeEach, describe, expect, it } from 'vitest';
import { ReadThroughCache } from './read-through-cache.js';

/** One call of the loader, answered when the test chooses. */
interface PendingLoad {
  keys: string[];
  resolve: (values: Record<string, string>) => void;
  reject: (err: Error) => void;
}

const settle = () => new Promise((r) => setImmediate(r));

describe('ReadThroughCache', () => {
  let now: number;
  let loads: PendingLoad[];
  let cache: ReadThroughCache<{ v: string }>;

  beforeEach(() => {
    now = 1_000;
    loads = [];
    cache = new ReadThroughCache<{ v: string }>({
      name: 'Test',
      load: (keys) =>
        new Promise((resolve, reject) =>
          loads.push({ keys, resolve: (values) => resolve(new Map(Object.entries(values).map(([k, v]) => [k, { v }]))), reject }),
        ),
      maxEntries: 3,
      ttlMs: 10_000,
      copy: (value) => ({ ...value }),
      now: () => now,
    });
  });

  /** Reads `keys`, answering the loader with `values` for whatever it asks. */
  async function read(keys: string[], values: Record<string, string>) {
    const pending = cache.getMany(keys);
    await settle();
    for (const load of loads.splice(0)) load.resolve(values);
    return pending;
  }

  it('loads the keys it lacks in one call and serves them from memory afterwards', async () => {
    const first = await read(['a', 'b', 'a'], { a: '1', b: '2' });
    expect(Object.fromEntries([...first].map(([k, v]) => [k, v.v]))).toEqual({ a: '1', b: '2' });
    const second = cache.getMany(['a', 'b', 'c']);
    await settle();
    expect(loads.map((l) => l.keys)).toEqual([['c']]);
    loads[0].resolve({});
    expect([...(await second).keys()].sort()).toEqual(['a', 'b']);
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 2, misses: 3 });
  });

  it('does not cache a key that has no value', async () => {
    await read(['gone'], {});
    const again = cache.get('gone');
    await settle();
    expect(loads).toHaveLength(1);
    loads[0].resolve({ gone: 'back' });
    expect(await again).toEqual({ v: 'back' });
  });

  it('with cacheAbsent, remembers a key without a value until it is invalidated', async () => {
    const absent = new ReadThroughCache<{ v: string }>({
      name: 'Absent',
      load: (keys) =>
        new Promise((resolve) =>
          loads.push({ keys, resolve: (values) => resolve(new Map(Object.entries(values).map(([k, v]) => [k, { v }]))), reject: () => undefined }),
        ),
      maxEntries: 3,
      ttlMs: 10_000,
      cacheAbsent: true,
      now: () => now,
    });
    const first = absent.getMany(['none', 'some']);
    await settle();
    loads.splice(0)[0].resolve({ some: '1' });
    expect([...(await first).keys()]).toEqual(['some']);
    expect(await absent.get('none')).toBeUndefined();
    expect([...(await absent.getMany(['none', 'some'])).keys()]).toEqual(['some']);
    expect(loads).toHaveLength(0); // served from memory, the absence included
    absent.invalidate('none'); // its row was created
    const again = absent.get('none');
    await settle();
    expect(loads.map((l) => l.keys)).toEqual([['none']]);
    loads[0].resolve({ none: 'now' });
    expect(await again).toEqual({ v: 'now' });
  });

  it('serves the value once per concurrent reader from one load', async () => {
    const one = cache.get('a');
    const two = cache.getMany(['a']);
    await settle();
    expect(loads).toHaveLength(1);
    loads[0].resolve({ a: '1' });
    expect(await one).toEqual({ v: '1' });
    expect((await two).get('a')).toEqual({ v: '1' });
  });

  it('gives each reader its own copy: a reader that changes it does not change the cache', async () => {
    const value = (await read(['a'], { a: '1' })).get('a')!;
    value.v = 'changed';
    expect(await cache.get('a')).toEqual({ v: '1' });
  });

  it('forgets an invalidated key at once', async () => {
    await read(['a'], { a: 'old' });
    cache.invalidate('a');
    expect((await read(['a'], { a: 'new' })).get('a')).toEqual({ v: 'new' });
    expect(cache.invalidations).toBe(1);
  });

  it('never keeps what a load read before an invalidation that came while it ran', async () => {
    const before = cache.get('a');
    await settle();
    const stale = loads.shift()!;
    cache.invalidate('a');
    // A reader arriving after the invalidation does not join the stale load.
    const after = cache.get('a');
    await settle();
    expect(loads).toHaveLength(1);
    stale.resolve({ a: 'old' });
    loads.shift()!.resolve({ a: 'new' });
    expect(await before).toEqual({ v: 'old' });
    expect(await after).toEqual({ v: 'new' });
    expect(await cache.get('a')).toEqual({ v: 'new' });
  });

  it('invalidateWhere() forgets the matching keys and their loads under way, and keeps the others', async () => {
    await read(['c1:a', 'c2:a'], { 'c1:a': 'old', 'c2:a': 'kept' });
    const running = cache.get('c1:b');
    await settle();
    const stale = loads.shift()!;
    cache.invalidateWhere((key) => key.startsWith('c1:'));
    stale.resolve({ 'c1:b': 'old' });
    await running;
    const after = cache.getMany(['c1:a', 'c1:b', 'c2:a']);
    await settle();
    expect(loads.map((l) => l.keys.sort())).toEqual([['c1:a', 'c1:b']]);
    loads[0].resolve({ 'c1:a': 'new', 'c1:b': 'new' });
    expect(Object.fromEntries([...(await after)].map(([k, v]) => [k, v.v]))).toEqual({ 'c1:a': 'new', 'c1:b': 'new', 'c2:a': 'kept' });
  });

  it('clear() also drops loads under way', async () => {
    const before = cache.get('a');
    await settle();
    cache.clear();
    loads.shift()!.resolve({ a: 'old' });
    await before;
    const after = cache.get('a');
    await settle();
    expect(loads).toHaveLength(1);
    loads[0].resolve({ a: 'new' });
    expect(await after).toEqual({ v: 'new' });
  });

  it('loads an entry again once it is older than the TTL', async () => {
    await read(['a'], { a: '1' });
    now += 10_000;
    expect((await read(['a'], { a: '2' })).get('a')).toEqual({ v: '2' });
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    await read(['a', 'b', 'c', 'd'], { a: '1', b: '2', c: '3', d: '4' });
    expect(cache.size).toBe(3);
    const again = cache.getMany(['a', 'd']);
    await settle();
    expect(loads.map((l) => l.keys)).toEqual([['a']]);
    loads[0].resolve({ a: '1' });
    await again;
  });

  it('a failed load caches nothing and the next read tries again', async () => {
    const failed = cache.get('a');
    await settle();
    loads.shift()!.reject(new Error('db down'));
    await expect(failed).rejects.toThrow('db down');
    expect((await read(['a'], { a: '1' })).get('a')).toEqual({ v: '1' });
  });
});
