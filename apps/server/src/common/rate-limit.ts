import type { NextFunction, Request, Response } from 'express';
import { AppError } from '#common';
import { ConfigService } from '#config';
import { findToken } from '#auth';
import { clientAddress } from './client-address.js';
import { rateLimitStore, type RateDecision, type RateLimitStore } from './rate-limit-store.js';

/**
 * The key a request is counted under, as Mattermost's RateLimiter.GenerateKey builds it from
 * RateLimitSettings.VaryBy*: with VaryByUser the session token (and, for a request without one,
 * the address if VaryByRemoteAddr), otherwise the address if VaryByRemoteAddr; then the lower-cased
 * value of the VaryByHeader header. The address is the client's as clientAddress reads it: only the
 * headers named in TrustedProxyIPHeader, so a client cannot pick a fresh key per request.
 */
export function rateLimitKey(
  req: Request,
  settings: { VaryByRemoteAddr: boolean; VaryByUser: boolean; VaryByHeader: string },
  trustedProxyIPHeader: readonly string[],
): string {
  let key = '';
  const token = settings.VaryByUser ? findToken(req).token : '';
  if (token) key += token;
  else if (settings.VaryByRemoteAddr) key += clientAddress(req, trustedProxyIPHeader);
  if (settings.VaryByHeader) key += String(req.headers[settings.VaryByHeader.toLowerCase()] ?? '').toLowerCase();
  return key;
}

/** Mattermost's rate-limit headers (throttled's): on every limited route's answer, Retry-After only on a 429. */
function setLimitHeaders(res: Response, d: RateDecision) {
  res.setHeader('X-RateLimit-Limit', String(d.limit));
  res.setHeader('X-RateLimit-Remaining', String(d.remaining));
  res.setHeader('X-RateLimit-Reset', String(d.resetSeconds));
  if (!d.allowed) res.setHeader('Retry-After', String(d.retryAfterSeconds));
}

/** Mattermost's answer past a rate limit (http.Error): a plain-text 429. */
function sendLimitExceeded(res: Response) {
  res.status(429).type('text/plain').send('limit exceeded\n');
}

/**
 * RateLimitSettings: Mattermost's headers, and a plain-text 429 past the limit. Every mount (the
 * API, /hooks) spends from the same budget per key, as Mattermost's one limiter wraps the whole
 * router. The budget is the node's store: shared by the cluster through Redis when
 * CacheSettings.RedisAddress is set.
 */
export function rateLimit(config: ConfigService, store: RateLimitStore = rateLimitStore(config)) {
  return (req: Request, res: Response, next: NextFunction) => {
    const cfg = config.get();
    const s = cfg.RateLimitSettings;
    if (!s.Enable) return next();
    const key = rateLimitKey(req, s, cfg.ServiceSettings.TrustedProxyIPHeader);
    store.take('api', key, s.PerSec, s.MaxBurst, s.MemoryStoreSize).then(
      (d) => {
        setLimitHeaders(res, d);
        if (d.allowed) next();
        else sendLimitExceeded(res);
      },
      // The store never rejects (it counts locally when Redis fails); should it, serve the request.
      () => next(),
    );
  };
}

/**
 * A limit checked inside a handler (the login and password-reset limits) was reached. The error
 * filter answers it as the middleware answers its own: plain text, not AppError JSON, as
 * Mattermost's limiter does.
 */
export class RateLimitExceeded extends AppError {
  constructor(readonly decision: RateDecision) {
    super('', '', 'limit exceeded', 429);
  }

  send(res: Response) {
    setLimitHeaders(res, this.decision);
    sendLimitExceeded(res);
  }
}

/**
 * Takes a request from budget `name`/`key` (a limit of `perSec` a second, `maxBurst` more at once,
 * as RateLimitSettings counts them) or throws RateLimitExceeded. A `perSec` of 0 or less is no limit.
 */
export async function takeOrThrow(store: RateLimitStore, name: string, key: string, perSec: number, maxBurst: number, maxKeys: number): Promise<void> {
  if (perSec <= 0) return;
  const d = await store.take(name, key, perSec, maxBurst, maxKeys);
  if (!d.allowed) throw new RateLimitExceeded(d);
}
