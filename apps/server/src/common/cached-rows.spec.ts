import { describe, expect, it } from 'vitest';
import { Caches } from '#common';
import { LocalInvalidationBus } from '#realtime';
import { cachedRows, eachPair, pairKey } from './cached-rows.js';

/** A cache of `{ v }` rows whose loader counts its calls; rows are named by pairKey(channel, user). */
function pairCache() {
  const bus = new LocalInvalidationBus();
  const caches = new Caches();
  const loaded: string[] = [];
  const cache = cachedRows(bus, caches, {
    name: 'Pairs',
    maxEntries: 100,
    ttlMs: 60_000,
    dropOn: ['channel_members'],
    clearOn: ['team_members'],
    byPrefix: true,
    load: eachPair(async (channelId, userId) => {
      loaded.push(`${channelId}/${userId}`);
      return userId === 'nobody' ? undefined : { v: `${channelId}-${userId}` };
    }),
  })!;
  return { bus, caches, cache, loaded };
}

describe('cachedRows', () => {
  it('caches nothing without a bus', () => {
    expect(cachedRows(undefined, new Caches(), { name: 'X', maxEntries: 1, ttlMs: 1, dropOn: [], load: async () => new Map() })).toBeUndefined();
  });

  it('loads each pair once, gives readers their own copy, and registers the cache for the metrics', async () => {
    const { cache, caches, loaded } = pairCache();
    const first = (await cache.get(pairKey('c1', 'u1')))!;
    first.v = 'changed by a reader';
    expect(await cache.get(pairKey('c1', 'u1'))).toEqual({ v: 'c1-u1' });
    expect(await cache.get(pairKey('c1', 'nobody'))).toBeUndefined();
    expect(loaded).toEqual(['c1/u1', 'c1/nobody']);
    expect(caches.all().map((c) => c.name)).toEqual(['Pairs']);
  });

  it('drops the pairs of an invalidated id only, and everything on a clearing kind or a missed message', async () => {
    const { bus, cache, loaded } = pairCache();
    const readAll = () => cache.getMany([pairKey('c1', 'u1'), pairKey('c1', 'u2'), pairKey('c2', 'u1')]);
    await readAll();
    bus.emit('channel_members', 'c1');
    await readAll();
    expect(loaded.splice(0)).toEqual(['c1/u1', 'c1/u2', 'c2/u1', 'c1/u1', 'c1/u2']);
    for (const kind of ['team_members', 'all'] as const) {
      bus.emit(kind, 't1');
      await readAll();
      expect(loaded.splice(0), kind).toEqual(['c1/u1', 'c1/u2', 'c2/u1']);
    }
  });
});
