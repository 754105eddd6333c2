import { Injectable } from '@nestjs/common';
import { LinkFetcher, type FetchedLink } from './link-fetcher.js';
import { LinkMetadataRepository, type LinkMetadata } from './link-metadata.repository.js';

export interface LinkKey {
  url: string;
  /** The hour the link is looked up for (a post's create_at, floored). */
  timestamp: number;
}

export interface ResolvedLink {
  row: LinkMetadata;
  /** Set when this call fetched and the fetch failed (Mattermost then gives the post no embed). */
  error?: string;
}

/** LinkCacheSize: rows this node keeps in memory. */
const MEMORY_ROWS = 10_000;
/** Fetches one post list may start at once. */
const FETCH_CONCURRENCY = 4;

const keyOf = (k: LinkKey) => `${k.timestamp}\u0000${k.url}`;

/**
 * getLinkMetadata: what a URL held at an hour, from this node's memory, then the database, then by
 * fetching it once and saving the answer (also "nothing", so a dead link is not fetched again that
 * hour). Rows never change once written, so the memory copy of one can never go stale and needs no
 * invalidation between nodes; every node reads the same row. Concurrent requests for one key on a
 * node share one fetch.
 */
@Injectable()
export class LinkMetadataService {
  private readonly memory = new Map<string, LinkMetadata>();
  private readonly inflight = new Map<string, Promise<ResolvedLink>>();

  constructor(
    private readonly repo: LinkMetadataRepository,
    private readonly fetcher: LinkFetcher,
  ) {}

  /** Every key's metadata: one database query for all that are not in memory, fetches for the rest. */
  async resolveMany(keys: LinkKey[]): Promise<Map<string, ResolvedLink>> {
    const result = new Map<string, ResolvedLink>();
    const unique = [...new Map(keys.map((k) => [keyOf(k), k])).values()];
    const missing: LinkKey[] = [];
    for (const key of unique) {
      const row = this.memory.get(keyOf(key));
      if (row) result.set(keyOf(key), { row });
      else missing.push(key);
    }
    if (missing.length === 0) return result;
    for (const row of await this.repo.many(missing)) {
      this.remember(row);
      result.set(keyOf(row), { row });
    }
    const toFetch = missing.filter((k) => !result.has(keyOf(k)));
    await eachLimited(toFetch, FETCH_CONCURRENCY, async (key) => result.set(keyOf(key), await this.fetchOnce(key)));
    return result;
  }

  /** Brings the stored rows of these keys into memory, fetching nothing (PreviewsService.warm). */
  async preload(keys: LinkKey[]): Promise<void> {
    const missing = keys.filter((k) => !this.memory.has(keyOf(k)));
    if (missing.length === 0) return;
    for (const row of await this.repo.many(missing)) this.remember(row);
  }

  async resolve(key: LinkKey): Promise<ResolvedLink> {
    return (await this.resolveMany([key])).get(keyOf(key))!;
  }

  get(results: Map<string, ResolvedLink>, key: LinkKey): ResolvedLink | undefined {
    return results.get(keyOf(key));
  }

  private fetchOnce(key: LinkKey): Promise<ResolvedLink> {
    const id = keyOf(key);
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = this.fetchAndSave(key).finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    return pending;
  }

  private async fetchAndSave(key: LinkKey): Promise<ResolvedLink> {
    const fetched = await this.fetcher.fetch(key.url);
    const row = await this.repo.save(toRow(key, fetched));
    this.remember(row);
    return { row, error: 'none' in fetched ? fetched.error : undefined };
  }

  private remember(row: LinkMetadata) {
    if (this.memory.size >= MEMORY_ROWS) this.memory.delete(this.memory.keys().next().value!);
    this.memory.set(keyOf(row), row);
  }
}

function toRow(key: LinkKey, fetched: FetchedLink): LinkMetadata {
  if ('og' in fetched) return { ...key, type: 'opengraph', data: fetched.og };
  if ('image' in fetched) return { ...key, type: 'image', data: fetched.image };
  return { ...key, type: 'none', data: null };
}

async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
