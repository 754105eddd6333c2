/**
 * ThrottlePerSec: a token bucket per client, the client being the values of the
 * ThrottleVaryByHeader headers (X-Forwarded-For behind a load balancer; one shared bucket when
 * the headers are absent, as in Mattermost's proxy, which does not vary by remote address). At
 * most ThrottleMemoryStoreSize clients are remembered; the least recently seen is forgotten first.
 */
import type { IncomingHttpHeaders } from 'node:http';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export interface ThrottleDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until a request would be allowed again (0 when allowed). */
  retryAfterSec: number;
}

export class Throttle {
  private readonly buckets = new Map<string, Bucket>();
  private readonly headers: string[];

  constructor(
    private readonly perSec: number,
    private readonly maxClients: number,
    varyByHeader: string,
    private readonly now: () => number = Date.now,
  ) {
    this.headers = varyByHeader
      .split(/\s+/)
      .filter(Boolean)
      .map((h) => h.toLowerCase());
  }

  /** Which bucket a request draws from. */
  keyOf(headers: IncomingHttpHeaders): string {
    return this.headers.map((h) => [headers[h]].flat().join(',')).join('\n');
  }

  /** Takes one token from the client's bucket (full: ThrottlePerSec tokens; refilled at ThrottlePerSec per second). */
  take(key: string): ThrottleDecision {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perSec, updatedMs: now };
    bucket.tokens = Math.min(this.perSec, bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.perSec);
    bucket.updatedMs = now;
    // Re-inserted: a Map keeps insertion order, so the first key is the least recently seen.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxClients) this.buckets.delete(this.buckets.keys().next().value as string);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, limit: this.perSec, remaining: Math.floor(bucket.tokens), retryAfterSec: 0 };
    }
    return { allowed: false, limit: this.perSec, remaining: 0, retryAfterSec: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSec)) };
  }

  /** How many clients it remembers (specs). */
  get size(): number {
    return this.buckets.size;
  }
}
