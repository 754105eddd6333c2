import type { NextFunction, Request, Response } from 'express';
import { AppError } from '#common';
import { ConfigService } from '#config';
import { findToken } from '#auth';
import { clientAddress } from './client-address.js';

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
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(burst, now);
      if (this.buckets.size >= maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
      this.buckets.set(key, bucket);
    }
    const allowed = bucket.take(now, perSec, burst);
    return {
      allowed,
      remaining: Math.floor(bucket.level),
      resetSeconds: Math.ceil((burst - bucket.level) / perSec),
    };
  }
}

/**
 * The key a request is counted under, from RateLimitSettings.VaryBy*. The address is the client's
 * as clientAddress reads it: only the headers named in TrustedProxyIPHeader, so a client cannot
 * pick a fresh key per request.
 */
export function rateLimitKey(
  req: Request,
  settings: { VaryByRemoteAddr: boolean; VaryByUser: boolean; VaryByHeader: string },
  trustedProxyIPHeader: readonly string[],
): string {
  const parts: string[] = [];
  if (settings.VaryByRemoteAddr) parts.push(clientAddress(req, trustedProxyIPHeader));
  if (settings.VaryByUser) parts.push(findToken(req).token);
  if (settings.VaryByHeader) parts.push(String(req.headers[settings.VaryByHeader.toLowerCase()] ?? ''));
  return parts.join('|');
}

/** Mattermost's rate-limit headers. */
function setLimitHeaders(res: Response, limit: number, remaining: number, resetSeconds: number) {
  res.setHeader('X-RateLimit-Limit', String(limit));
  res.setHeader('X-RateLimit-Remaining', String(remaining));
  res.setHeader('X-RateLimit-Reset', String(resetSeconds));
}

/** Mattermost's answer past a rate limit: a plain-text 429 that says when to retry. */
function sendLimitExceeded(res: Response, perSec: number) {
  res.setHeader('Retry-After', String(Math.max(1, Math.ceil(1 / perSec))));
  res.status(429).type('text/plain').send('limit exceeded');
}

/** RateLimitSettings: Mattermost's headers, and a plain-text 429 past the limit. */
export function rateLimit(config: ConfigService) {
  const buckets = new TokenBuckets();
  return (req: Request, res: Response, next: NextFunction) => {
    const cfg = config.get();
    const s = cfg.RateLimitSettings;
    if (!s.Enable) return next();
    const burst = s.MaxBurst + 1;
    const result = buckets.take(rateLimitKey(req, s, cfg.ServiceSettings.TrustedProxyIPHeader), s.PerSec, burst, s.MemoryStoreSize);
    setLimitHeaders(res, burst, result.remaining, result.resetSeconds);
    if (result.allowed) return next();
    sendLimitExceeded(res, s.PerSec);
  };
}

/**
 * A limit checked inside a handler (the login limits) was reached. The error filter answers it as
 * the middleware answers its own: plain text, not AppError JSON, as Mattermost's limiter does.
 */
export class RateLimitExceeded extends AppError {
  constructor(
    readonly limit: number,
    readonly perSec: number,
    readonly resetSeconds: number,
  ) {
    super('', '', 'limit exceeded', 429);
  }

  send(res: Response) {
    setLimitHeaders(res, this.limit, 0, this.resetSeconds);
    sendLimitExceeded(res, this.perSec);
  }
}

/**
 * Takes a token from `key`'s bucket (a limit of `perSec` a second, `maxBurst` more at once, as
 * RateLimitSettings counts them) or throws RateLimitExceeded. A `perSec` of 0 or less is no limit.
 */
export function takeOrThrow(buckets: TokenBuckets, key: string, perSec: number, maxBurst: number, maxKeys: number): void {
  if (perSec <= 0) return;
  const burst = maxBurst + 1;
  const result = buckets.take(key, perSec, burst, maxKeys);
  if (!result.allowed) throw new RateLimitExceeded(burst, perSec, result.resetSeconds);
}
