import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ConfigService } from '#config';
import { parseRedisAddress } from '#jobs';
import { TokenBuckets } from './token-bucket.js';

/** What one take from a budget decided, in the terms of Mattermost's X-RateLimit-* headers. */
export interface RateDecision {
  allowed: boolean;
  /** Requests a full budget allows at once (MaxBurst + 1, as Mattermost's throttled GCRA reports it). */
  limit: number;
  /** Whole requests left after this one. */
  remaining: number;
  /** Seconds until the budget is full again. */
  resetSeconds: number;
  /** Seconds until the next request would be allowed (0 when this one was). */
  retryAfterSeconds: number;
}

/**
 * The token bucket in Redis, one hash per key ({tokens, at}), taken atomically by one script so
 * that every node spends from the same budget. Time is Redis's own clock (TIME), so nodes whose
 * clocks differ still agree; ARGV[4], when given, replaces it (the unit specs drive time with it).
 * The key expires once a bucket left alone would be full again: an absent key is a full bucket,
 * so idle keys cost nothing. Tokens are kept as text, as Lua numbers returned to Redis lose their
 * fraction.
 *
 * KEYS[1] the bucket; ARGV: per second, burst, expiry in ms, [now in ms]. Returns {allowed (0/1),
 * tokens left (text)}.
 */
export const TOKEN_BUCKET_LUA = `
local perSec = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if not now then
  if redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(saved[1])
local at = tonumber(saved[2])
if not tokens or not at then
  tokens = burst
  at = now
end
if now > at then
  tokens = math.min(burst, tokens + (now - at) / 1000 * perSec)
  at = now
end
tokens = math.min(tokens, burst)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], ttl)
return {allowed, tostring(tokens)}
`;

/** How long one take waits for Redis before the node counts locally instead. */
export const REDIS_TAKE_TIMEOUT_MS = 250;
/** How long the first take waits for the first connection to Redis. */
export const REDIS_CONNECT_WAIT_MS = 1000;
/** After a failed take, how long the node counts locally before it asks Redis again. */
export const REDIS_RETRY_AFTER_MS = 2000;

/** A decision from a bucket's level after the take, for `perSec` and `burst`. */
export function decision(allowed: boolean, tokens: number, perSec: number, burst: number): RateDecision {
  return {
    allowed,
    limit: burst,
    remaining: Math.max(0, Math.floor(tokens)),
    resetSeconds: Math.max(0, Math.ceil((burst - tokens) / perSec)),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / perSec)),
  };
}

type RedisBucketClient = Redis & {
  takeToken(key: string, perSec: number, burst: number, ttlMs: number, ...now: number[]): Promise<[number, string]>;
};

/** The buckets in one Redis: each take is one script call (EVALSHA, loaded on first use). */
export class RedisBuckets {
  readonly redis: RedisBucketClient;
  private firstConnect?: Promise<void>;
  private firstConnectDone = false;

  constructor(
    settings: { address: string; password?: string; db?: number },
    readonly prefix: string,
    options: { commandTimeoutMs?: number } = {},
  ) {
    const parsed = parseRedisAddress(settings.address);
    const db = settings.db !== undefined && settings.db >= 0 ? settings.db : parsed.db;
    const password = settings.password || parsed.password;
    this.redis = new Redis({
      host: parsed.host,
      port: parsed.port,
      ...(password ? { password } : {}),
      ...(db !== undefined ? { db } : {}),
      lazyConnect: true,
      // Never queue a take while Redis is away, never wait long for one: the caller counts
      // locally instead. Reconnect in the background, forever.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      commandTimeout: options.commandTimeoutMs ?? REDIS_TAKE_TIMEOUT_MS,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    }) as RedisBucketClient;
    this.redis.defineCommand('takeToken', { numberOfKeys: 1, lua: TOKEN_BUCKET_LUA });
  }

  /**
   * Connects on first use, waiting at most REDIS_CONNECT_WAIT_MS for the first connection; after
   * that a take while the client reconnects fails at once (no offline queue).
   */
  async ready(): Promise<void> {
    if (this.firstConnectDone || this.redis.status === 'ready') return;
    if (!this.firstConnect) {
      this.firstConnect = this.redis.connect().finally(() => (this.firstConnectDone = true));
      this.firstConnect.catch(() => undefined);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no connection within ${REDIS_CONNECT_WAIT_MS} ms`)), REDIS_CONNECT_WAIT_MS);
    });
    try {
      await Promise.race([this.firstConnect, timeout]);
    } finally {
      clearTimeout(timer);
      // Waited once: from now on a take that finds no connection fails at once.
      this.firstConnectDone = true;
    }
  }

  /** The Redis key of a bucket: the budget's name and a hash of its key (keys can hold tokens). */
  keyOf(name: string, key: string): string {
    return `${this.prefix}ratelimit:${name}:${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
  }

  /** Takes one token from `name`/`key` (burst = requests at once). `now` (ms) is for specs only. */
  async take(name: string, key: string, perSec: number, burst: number, now?: number): Promise<RateDecision> {
    // Expire once a left-alone bucket is full again (and a second more for clock slack).
    const ttlMs = Math.ceil((burst / perSec) * 1000) + 1000;
    await this.ready();
    const [allowed, tokens] = await this.redis.takeToken(this.keyOf(name, key), perSec, burst, ttlMs, ...(now === undefined ? [] : [now]));
    return decision(allowed === 1, Number(tokens), perSec, burst);
  }

  close(): void {
    this.redis.disconnect();
  }
}

/**
 * Every rate limit of this node (RateLimitSettings, the login and password-reset limits) takes
 * from here. With CacheSettings.RedisAddress the budgets live in Redis, shared by every node
 * (keys under RedisCachePrefix); without it, in this node's memory, as Mattermost's limiter keeps
 * them. When Redis does not answer within REDIS_TAKE_TIMEOUT_MS (down, frozen, or reconnecting),
 * the request is counted in this node's memory instead, and Redis is asked again after
 * REDIS_RETRY_AFTER_MS: a request is never failed or held up by Redis. The switch is logged once
 * each way.
 */
export class RateLimitStore {
  private readonly log = new Logger('ratelimit');
  private readonly local = new Map<string, TokenBuckets>();
  private redis?: RedisBuckets;
  private redisSettings = '';
  private retryAt = 0;
  private usingLocal = false;

  constructor(
    private readonly config: Pick<ConfigService, 'get'>,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes a request from budget `name`/`key`: `perSec` a second, `maxBurst` more at once (as
   * RateLimitSettings counts them), `maxKeys` keys in the local store.
   */
  async take(name: string, key: string, perSec: number, maxBurst: number, maxKeys: number): Promise<RateDecision> {
    const burst = maxBurst + 1;
    const redis = this.redisFor();
    if (redis && this.now() >= this.retryAt) {
      try {
        const result = await redis.take(name, key, perSec, burst);
        if (this.usingLocal) {
          this.usingLocal = false;
          this.log.warn('Redis answers again: rate limits are shared by the cluster again');
        }
        return result;
      } catch (err) {
        this.retryAt = this.now() + REDIS_RETRY_AFTER_MS;
        if (!this.usingLocal) {
          this.usingLocal = true;
          this.log.warn(`Redis does not answer (${err instanceof Error ? err.message : String(err)}): rate limits are counted by each node until it does`);
        }
      }
    }
    return this.takeLocal(name, key, perSec, burst, maxKeys);
  }

  private takeLocal(name: string, key: string, perSec: number, burst: number, maxKeys: number): RateDecision {
    let buckets = this.local.get(name);
    if (!buckets) this.local.set(name, (buckets = new TokenBuckets()));
    const { allowed, level } = buckets.takeLevel(key, perSec, burst, maxKeys, this.now());
    return decision(allowed, level, perSec, burst);
  }

  /** The Redis of the current CacheSettings (made again when they change), or none. */
  private redisFor(): RedisBuckets | undefined {
    const c = this.config.get().CacheSettings;
    const settings = c.RedisAddress ? JSON.stringify([c.RedisAddress, c.RedisPassword, c.RedisDB, c.RedisCachePrefix]) : '';
    if (settings !== this.redisSettings) {
      this.redis?.close();
      this.redis = undefined;
      this.redisSettings = settings;
      this.retryAt = 0;
      if (settings) {
        try {
          this.redis = new RedisBuckets({ address: c.RedisAddress, password: c.RedisPassword || undefined, db: c.RedisDB }, c.RedisCachePrefix);
          // Connection errors surface as failed takes (logged once there), not as ioredis's own log.
          this.redis.redis.on('error', () => undefined);
        } catch (err) {
          this.log.error(`CacheSettings.RedisAddress: ${err instanceof Error ? err.message : String(err)}; rate limits are counted by each node`);
        }
      }
    }
    return this.redis;
  }

  close(): void {
    this.redis?.close();
  }
}

const stores = new WeakMap<object, RateLimitStore>();

/**
 * The node's one store for a config (the API middleware, made in main.ts before Nest's container,
 * and the login throttle share it, and with it the Redis connection).
 */
export function rateLimitStore(config: Pick<ConfigService, 'get'>): RateLimitStore {
  let store = stores.get(config);
  if (!store) stores.set(config, (store = new RateLimitStore(config)));
  return store;
}
