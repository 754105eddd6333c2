import { Caches, ReadThroughCache, type ReadThroughCacheOptions } from '#common';
import { Queryable, whenCommitted } from '#db';
import { ALL_KEYS, InvalidationBus, type InvalidationKind } from '#realtime';

export interface CachedRowsOptions<V> extends ReadThroughCacheOptions<V> {
  /** The invalidations that drop rows of this cache (each key names rows; ALL_KEYS drops them all). */
  dropOn: InvalidationKind[];
  /** Keys are `<id>:<more>`, and an invalidation of `<id>` drops every key it starts (e.g. a channel's members). */
  byPrefix?: boolean;
}

/**
 * A repository's cache of its rows on a server node (issue 17): registered for the metrics, and
 * dropping rows when the invalidation bus says they changed here or on another node, everything
 * when this node missed messages ('all'). Undefined without a bus (the jobs CLI, the import
 * writer): nothing is cached where no one would tell the cache of a change.
 */
export function cachedRows<V>(bus: InvalidationBus | undefined, caches: Caches | undefined, options: CachedRowsOptions<V>): ReadThroughCache<V> | undefined {
  if (!bus || !caches) return undefined;
  const cache = caches.add(new ReadThroughCache<V>(options));
  const drop = (key: string) => {
    if (key === ALL_KEYS) cache.clear();
    else if (options.byPrefix) cache.invalidateWhere((k) => k.startsWith(`${key}:`));
    else cache.invalidate(key);
  };
  for (const kind of options.dropOn) bus.on(kind, drop);
  bus.on('all', () => cache.clear());
  return cache;
}

/**
 * Tells every node that rows changed, once what `tx` wrote is committed: before that a reader
 * would reload the old row and keep it after the invalidation.
 */
export function tellCommitted(bus: InvalidationBus | undefined, kind: InvalidationKind, key: string, tx: Queryable): void {
  if (bus) whenCommitted(tx, () => bus.emit(kind, key));
}
