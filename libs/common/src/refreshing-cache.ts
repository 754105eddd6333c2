export interface RefreshingCacheOptions<K, V> {
  load: (key: K) => Promise<V>;
  /** Age after which an entry is refreshed (it is still served while the refresh runs). */
  ttlMs: number;
  /** Most entries kept; the least recently loaded goes first. */
  maxEntries: number;
  /** A background refresh failed: the old entry stays and the next read tries again. */
  onRefreshError: (key: K, err: unknown) => void;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  loadedAt: number;
}

/**
 * A keyed cache for values that are costly to load and read by many requests at once:
 * - one load per key at a time, shared by every reader that needs it (single flight);
 * - an entry older than the TTL is still returned while ONE background load replaces it, so no
 *   reader waits on an expiry and a key is loaded at most once per TTL however busy it is
 *   (a value is then at most about TTL + load time old);
 * - invalidate()/clear() act at once: the entry is gone, and a load already running when they
 *   were called neither stores its result nor serves readers that arrive afterwards.
 */
export class RefreshingCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  /**
   * Loads in flight. The record's identity is the key's generation: invalidating drops it, and a
   * load stores its result only if its record is still the current one.
   */
  private readonly loads = new Map<K, { promise: Promise<V> }>();
  private readonly now: () => number;

  constructor(private readonly options: RefreshingCacheOptions<K, V>) {
    this.now = options.now ?? Date.now;
  }

  async get(key: K): Promise<V> {
    const entry = this.entries.get(key);
    if (entry) {
      if (this.now() - entry.loadedAt >= this.options.ttlMs && !this.loads.has(key)) {
        this.start(key).catch((err) => this.options.onRefreshError(key, err));
      }
      return entry.value;
    }
    return this.loads.get(key)?.promise ?? this.start(key);
  }

  /** Forgets a key now; a load of it that is under way will not be kept. */
  invalidate(key: K): void {
    this.entries.delete(key);
    this.loads.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.loads.clear();
  }

  private start(key: K): Promise<V> {
    const startedAt = this.now();
    // async: a loader that throws synchronously still yields a rejected promise.
    const record = { promise: (async () => this.options.load(key))() };
    this.loads.set(key, record);
    record.promise.then(
      (value) => {
        if (this.loads.get(key) !== record) return;
        this.loads.delete(key);
        // Re-inserting moves the key to the end: the map's order is the eviction order.
        this.entries.delete(key);
        this.entries.set(key, { value, loadedAt: startedAt });
        if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
      },
      () => {
        if (this.loads.get(key) === record) this.loads.delete(key);
      },
    );
    return record.promise;
  }
}
