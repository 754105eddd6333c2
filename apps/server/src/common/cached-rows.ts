import { Caches, ReadThroughCache, type ReadThroughCacheOptions } from '#common';
import { Queryable, whenCommitted } from '#db';
import { ALL_KEYS, InvalidationBus, type InvalidationKind } from '#realtime';

export interface CachedRowsOptions<V extends object> extends ReadThroughCacheOptions<V> {
  /** The invalidations that drop rows of this cache (each key names rows; ALL_KEYS drops them all). */
  dropOn: InvalidationKind[];
  /** Invalidations that drop every row whatever their key ('all', a missed message, always does). */
  clearOn?: InvalidationKind[];
  /** Keys are pairKey(id, …), and an invalidation of `id` drops every key made with it (e.g. a channel's members). */
  byPrefix?: boolean;
}

const SEPARATOR = ':';

/** The key of a row named by two ids (a channel and a user…), for a cache with `byPrefix`. */
export function pairKey(first: string, second: string): string {
  return `${first}${SEPARATOR}${second}`;
}

/** A cache's loader from a loader of one row by its two ids: the keys are pairKey's, each loaded alone. */
export function eachPair<V>(loadOne: (first: string, second: string) => Promise<V | undefined>): (keys: string[]) => Promise<Map<string, V>> {
  return async (keys) => {
    const out = new Map<string, V>();
    for (const key of keys) {
      const at = key.indexOf(SEPARATOR);
      const value = await loadOne(key.slice(0, at), key.slice(at + 1));
      if (value !== undefined) out.set(key, value);
    }
    return out;
  };
}

/**
 * A repository's cache of its rows on a server node (issue 17): registered for the metrics, and
 * dropping rows when the invalidation bus says they changed here or on another node, everything
 * when this node missed messages ('all'). Undefined without a bus (the jobs CLI, the import
 * writer): nothing is cached where no one would tell the cache of a change. Readers get their own
 * shallow copy of a row unless `copy` says otherwise.
 */
export function cachedRows<V extends object>(
  bus: InvalidationBus | undefined,
  caches: Caches | undefined,
  options: CachedRowsOptions<V>,
): ReadThroughCache<V> | undefined {
  if (!bus || !caches) return undefined;
  const cache = caches.add(new ReadThroughCache<V>({ copy: (row) => ({ ...row }), ...options }));
  const drop = (key: string) => {
    if (key === ALL_KEYS) cache.clear();
    else if (options.byPrefix) cache.invalidateWhere((k) => k.startsWith(key + SEPARATOR));
    else cache.invalidate(key);
  };
  for (const kind of options.dropOn) bus.on(kind, drop);
  for (const kind of ['all', ...(options.clearOn ?? [])] as const) bus.on(kind, () => cache.clear());
  return cache;
}

/**
 * Tells every node that rows changed, once what `tx` wrote is committed: before that a reader
 * would reload the old row and keep it after the invalidation.
 */
export function tellCommitted(bus: InvalidationBus | undefined, kind: InvalidationKind, key: string, tx: Queryable): void {
  if (bus) whenCommitted(tx, () => bus.emit(kind, key));
}
