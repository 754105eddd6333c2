import { Injectable } from '@nestjs/common';
import { ConfigService } from '#config';
import { takeOrThrow, TokenBuckets } from '../common/rate-limit.js';

/**
 * Keys each login bucket store holds before it forgets the least recently created (a forgotten key
 * starts full again). Larger than RateLimitSettings.MemoryStoreSize's default, as every made-up
 * login id and address takes a key.
 */
const STORE_SIZE = 100_000;

/**
 * The login rate limits (ServiceSettings.LoginRateLimit*), in this node's memory like Mattermost's
 * rate limiter, and on whatever RateLimitSettings.Enable says.
 */
@Injectable()
export class LoginThrottle {
  private readonly byAddress = new TokenBuckets();
  private readonly byAccount = new TokenBuckets();

  constructor(private readonly config: ConfigService) {}

  /** Per client address (or IPv6 /64): Mattermost's own login limiter. */
  takeAddress(address: string): void {
    const s = this.config.get().ServiceSettings;
    takeOrThrow(this.byAddress, address, s.LoginRateLimitPerSec, s.LoginRateLimitMaxBurst, STORE_SIZE);
  }

  /** Per login id, across addresses: bounds a distributed guess at one account. */
  takeAccount(loginId: string): void {
    const s = this.config.get().ServiceSettings;
    takeOrThrow(this.byAccount, loginId, s.LoginRateLimitPerAccountPerSec, s.LoginRateLimitPerAccountMaxBurst, STORE_SIZE);
  }
}
