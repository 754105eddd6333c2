/**
 * One token bucket: starts full, refills at `perSec` tokens a second up to `burst`, and each take
 * spends one. Times are milliseconds from the caller's clock; a clock that steps back refills
 * nothing. The rate and burst come with each take, so a changed setting applies at once.
 */
export class TokenBucket {
  private tokens: number;

  constructor(
    burst: number,
    private at: number,
  ) {
    this.tokens = burst;
  }

  take(now: number, perSec: number, burst: number): boolean {
    this.tokens = Math.min(burst, this.tokens + (Math.max(0, now - this.at) / 1000) * perSec);
    this.at = Math.max(this.at, now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Tokens left, fractions included. */
  get level(): number {
    return this.tokens;
  }
}

/**
 * A token bucket per key: `perSec` tokens a second, at most `burst` saved up. Keys are kept in
 * insertion order and the oldest is dropped past `maxKeys` (RateLimitSettings.MemoryStoreSize).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  take(key: string, perSec: number, burst: number, maxKeys: number, now = Date.now()): { allowed: boolean; remaining: number; resetSeconds: number } {
    const { allowed, level } = this.takeLevel(key, perSec, burst, maxKeys, now);
    return {
      allowed,
      remaining: Math.floor(level),
      resetSeconds: Math.ceil((burst - level) / perSec),
    };
  }

  /** Takes a token from `key`'s bucket; returns whether it was there and the tokens left after. */
  takeLevel(key: string, perSec: number, burst: number, maxKeys: number, now = Date.now()): { allowed: boolean; level: number } {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(burst, now);
      if (this.buckets.size >= maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
      this.buckets.set(key, bucket);
    }
    const allowed = bucket.take(now, perSec, burst);
    return { allowed, level: bucket.level };
  }
}
