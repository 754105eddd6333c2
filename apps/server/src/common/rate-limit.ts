import type { NextFunction, Request, Response } from 'express';
import { ConfigService } from '#config';
import { findToken } from '#auth';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per key: `perSec` tokens a second, at most `burst` saved up. Keys are kept in
 * insertion order and the oldest is dropped past `maxKeys` (RateLimitSettings.MemoryStoreSize).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  take(key: string, perSec: number, burst: number, maxKeys: number, now = Date.now()): { allowed: boolean; remaining: number; resetSeconds: number } {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: burst, updatedAt: now };
      if (this.buckets.size >= maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSec);
    bucket.updatedAt = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return {
      allowed,
      remaining: Math.floor(bucket.tokens),
      resetSeconds: Math.ceil((burst - bucket.tokens) / perSec),
    };
  }
}

/** The key a request is counted under, from RateLimitSettings.VaryBy*. */
export function rateLimitKey(req: Request, settings: { VaryByRemoteAddr: boolean; VaryByUser: boolean; VaryByHeader: string }): string {
  const parts: string[] = [];
  if (settings.VaryByRemoteAddr) parts.push(req.ip ?? req.socket.remoteAddress ?? '');
  if (settings.VaryByUser) parts.push(findToken(req).token);
  if (settings.VaryByHeader) parts.push(String(req.headers[settings.VaryByHeader.toLowerCase()] ?? ''));
  return parts.join('|');
}

/** RateLimitSettings: Mattermost's headers, and a plain-text 429 past the limit. */
export function rateLimit(config: ConfigService) {
  const buckets = new TokenBuckets();
  return (req: Request, res: Response, next: NextFunction) => {
    const s = config.get().RateLimitSettings;
    if (!s.Enable) return next();
    const burst = s.MaxBurst + 1;
    const result = buckets.take(rateLimitKey(req, s), s.PerSec, burst, s.MemoryStoreSize);
    res.setHeader('X-RateLimit-Limit', String(burst));
    res.setHeader('X-RateLimit-Remaining', String(result.remaining));
    res.setHeader('X-RateLimit-Reset', String(result.resetSeconds));
    if (result.allowed) return next();
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(1 / s.PerSec))));
    res.status(429).type('text/plain').send('limit exceeded');
  };
}
