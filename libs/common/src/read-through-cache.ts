export interface ReadThroughCacheOptions<V> {
  /** The name in the cache metrics (Mattermost's cache names where it has the cache). */
  name: string;
  /** Loads the values of these keys; a key missing from the answer has no value (it is not cached). */
  load: (keys: string[]) => Promise<Map<string, V>>;
  /** Most entries kept; the oldest goes first. */
  maxEntries: number;
  /** Age after which an entry is loaded again: the bound on staleness if an invalidation were ever lost. */
  ttlMs: number;
  /**
   * Remember the keys the loader had no value for, as absent, until invalidated or expired: for
   * rows whose absence means something and is asked for all the time (a user without a status row
   * is offline). The owner must then invalidate a key when its row is created.
   */
  cacheAbsent?: boolean;
  /** What a reader gets: a copy, when readers may change what they are given. */
  copy?: (value: V) => V;
  now?: () => number;
}

/** What the cache metrics read (mattermost_cache_mem_*_total{name}). */
export interface CacheCounts {
  readonly name: string;
  hits: number;
  misses: number;
  invalidations: number;
  readonly size: number;
}

/** A key the loader had no value for (cacheAbsent). */
const ABSENT = Symbol('absent');

interface Load<V> {
  promise: Promise<Map<string, V>>;
}

/**
 * A bounded, invalidated read-through cache of rows by id, as Mattermost's in-memory caches in
 * front of its store (users by id, statuses…):
 * - a batch read asks the loader once for every key it lacks, and a key already being loaded is
 *   awaited rather than loaded twice;
 * - invalidate()/clear() act at once: the entry is gone, and a load that was under way when they
 *   were called neither stores its result nor serves readers that arrive afterwards, so a value
 *   read before a change can never be cached after the change's invalidation;
 * - an entry is kept at most ttlMs, and at most maxEntries entries (the oldest are dropped).
 * Owners wire invalidate() to the invalidation bus, so a change on any node reaches every cache.
 */
export class ReadThroughCache<V> implements CacheCounts {
  hits = 0;
  misses = 0;
  invalidations = 0;
  private readonly entries = new Map<string, { value: V | typeof ABSENT; loadedAt: number }>();
  /** Loads in flight by key; the record's identity is the key's generation (see invalidate). */
  private readonly loads = new Map<string, Load<V>>();
  private readonly now: () => number;
  private readonly copy: (value: V) => V;

  constructor(private readonly options: ReadThroughCacheOptions<V>) {
    this.now = options.now ?? Date.now;
    this.copy = options.copy ?? ((v) => v);
  }

  get name(): string {
    return this.options.name;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<V | undefined> {
    const cached = this.fresh(key);
    if (cached) {
      this.hits++;
      return cached.value === ABSENT ? undefined : this.copy(cached.value);
    }
    return (await this.getMany([key])).get(key);
  }

  /** The values of the keys that have one (in no particular order). */
  async getMany(keys: readonly string[]): Promise<Map<string, V>> {
    const out = new Map<string, V>();
    const waits: Array<Promise<void>> = [];
    const missing = new Set<string>();
    for (const key of keys) {
      if (out.has(key) || missing.has(key)) continue;
      const cached = this.fresh(key);
      if (cached) {
        this.hits++;
        if (cached.value !== ABSENT) out.set(key, this.copy(cached.value));
        continue;
      }
      this.misses++;
      const running = this.loads.get(key);
      if (running) waits.push(running.promise.then((values) => this.put(out, key, values)));
      else missing.add(key);
    }
    if (missing.size > 0) {
      const batch = [...missing];
      waits.push(this.start(batch).then((values) => batch.forEach((key) => this.put(out, key, values))));
    }
    if (waits.length > 0) await Promise.all(waits);
    return out;
  }

  /** Forgets a key now; a load of it that is under way will not be kept. */
  invalidate(key: string): void {
    this.invalidations++;
    this.entries.delete(key);
    this.loads.delete(key);
  }

  /** Forgets every key that matches (and the loads of those keys under way): a scan, for rare changes. */
  invalidateWhere(matches: (key: string) => boolean): void {
    this.invalidations++;
    for (const key of this.entries.keys()) if (matches(key)) this.entries.delete(key);
    for (const key of this.loads.keys()) if (matches(key)) this.loads.delete(key);
  }

  clear(): void {
    this.invalidations++;
    this.entries.clear();
    this.loads.clear();
  }

  private put(out: Map<string, V>, key: string, values: Map<string, V>): void {
    const value = values.get(key);
    if (value !== undefined) out.set(key, this.copy(value));
  }

  private fresh(key: string): { value: V | typeof ABSENT } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.loadedAt < this.options.ttlMs) return entry;
    this.entries.delete(key);
    return undefined;
  }

  private start(keys: string[]): Promise<Map<string, V>> {
    const loadedAt = this.now();
    // async: a loader that throws synchronously still yields a rejected promise.
    const record: Load<V> = { promise: (async () => this.options.load(keys))() };
    for (const key of keys) this.loads.set(key, record);
    record.promise.then(
      (values) => {
        for (const key of keys) {
          if (this.loads.get(key) !== record) continue; // invalidated meanwhile: not kept
          this.loads.delete(key);
          const value = values.get(key);
          if (value !== undefined) this.store(key, value, loadedAt);
          else if (this.options.cacheAbsent) this.store(key, ABSENT, loadedAt);
        }
      },
      () => {
        for (const key of keys) if (this.loads.get(key) === record) this.loads.delete(key);
      },
    );
    return record.promise;
  }

  private store(key: string, value: V | typeof ABSENT, loadedAt: number): void {
    // Re-inserting moves the key to the end: the map's order is the eviction order.
    this.entries.delete(key);
    this.entries.set(key, { value, loadedAt });
    if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** Every cache of a node, for the metrics (one per node, shared by the areas that own caches). */
export class Caches {
  private readonly list: CacheCounts[] = [];

  add<C extends CacheCounts>(cache: C): C {
    this.list.push(cache);
    return cache;
  }

  all(): readonly CacheCounts[] {
    return this.list;
  }
}
