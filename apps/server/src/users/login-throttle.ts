import { Injectable } from '@nestjs/common';
import { ConfigService } from '#config';
import { takeOrThrow } from '../common/rate-limit.js';
import { rateLimitStore, type RateLimitStore } from '../common/rate-limit-store.js';

/**
 * Keys each login bucket store holds in a node's memory before it forgets the least recently
 * created (a forgotten key starts full again). Larger than RateLimitSettings.MemoryStoreSize's
 * default, as every made-up login id and address takes a key. (In Redis, keys expire instead.)
 */
const STORE_SIZE = 100_000;

/**
 * The sign-in brute-force limits: the login limits (ServiceSettings.LoginRateLimit*) and the
 * password-reset limits (ServiceSettings.PasswordResetRateLimit*), on whatever
 * RateLimitSettings.Enable says. They take from the node's rate-limit store, so with
 * CacheSettings.RedisAddress every node spends from one budget per key (an attacker gains
 * nothing by spreading tries over the nodes); without it, from the node's memory like
 * Mattermost's limiter. Past a limit: RateLimitExceeded, Mattermost's plain-text 429.
 */
@Injectable()
export class LoginThrottle {
  private readonly store: RateLimitStore;

  constructor(private readonly config: ConfigService) {
    this.store = rateLimitStore(config);
  }

  /** Per client address (or IPv6 /64): Mattermost's own login limiter. */
  takeAddress(address: string): Promise<void> {
    const s = this.config.get().ServiceSettings;
    return takeOrThrow(this.store, 'login-address', address, s.LoginRateLimitPerSec, s.LoginRateLimitMaxBurst, STORE_SIZE);
  }

  /** Per login id, across addresses: bounds a distributed guess at one account. */
  takeAccount(loginId: string): Promise<void> {
    const s = this.config.get().ServiceSettings;
    return takeOrThrow(this.store, 'login-account', loginId, s.LoginRateLimitPerAccountPerSec, s.LoginRateLimitPerAccountMaxBurst, STORE_SIZE);
  }

  /**
   * POST /users/password/reset/send: per client address (or /64), then per email address asked
   * for (lower-cased; counted whether or not an account has it, so the answer tells nothing).
   */
  async takeResetSend(address: string, email: string): Promise<void> {
    const s = this.config.get().ServiceSettings;
    await takeOrThrow(this.store, 'reset-send-address', address, s.PasswordResetRateLimitPerSec, s.PasswordResetRateLimitMaxBurst, STORE_SIZE);
    await takeOrThrow(
      this.store,
      'reset-send-email',
      email.toLowerCase(),
      s.PasswordResetRateLimitPerEmailPerSec,
      s.PasswordResetRateLimitPerEmailMaxBurst,
      STORE_SIZE,
    );
  }

  /** POST /users/password/reset: per client address (or /64), then per link token tried. */
  async takeReset(address: string, token: string): Promise<void> {
    const s = this.config.get().ServiceSettings;
    await takeOrThrow(this.store, 'reset-address', address, s.PasswordResetRateLimitPerSec, s.PasswordResetRateLimitMaxBurst, STORE_SIZE);
    await takeOrThrow(this.store, 'reset-token', token, s.PasswordResetRateLimitPerTokenPerSec, s.PasswordResetRateLimitPerTokenMaxBurst, STORE_SIZE);
  }
}
