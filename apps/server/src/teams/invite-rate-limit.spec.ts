import { describe, expect, it } from 'vitest';
import { InviteRateLimit } from './invite-rate-limit.js';

describe('InviteRateLimit', () => {
  it('20 at once per sender, then one more every three minutes; senders apart; a refused take takes nothing', () => {
    const limit = new InviteRateLimit();
    const t0 = 1_000_000;
    expect(limit.take('a', 21, t0)).toMatchObject({ ok: false, retryAfterMs: Infinity });
    expect(limit.take('a', 15, t0)).toEqual({ ok: true });
    expect(limit.take('a', 6, t0)).toMatchObject({ ok: false });
    expect(limit.take('a', 5, t0)).toEqual({ ok: true });
    expect(limit.take('b', 20, t0)).toEqual({ ok: true });
    const refused = limit.take('a', 1, t0 + 1000);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.retryAfterMs).toBeGreaterThan(170_000);
    expect(limit.take('a', 1, t0 + 180_000)).toEqual({ ok: true });
  });

  it('forgets the longest-idle senders past its size', () => {
    const limit = new InviteRateLimit(20, 20, 2);
    limit.take('a', 20, 0);
    limit.take('b', 20, 0);
    limit.take('c', 20, 0);
    expect(limit.take('a', 20, 0)).toEqual({ ok: true });
  });
});
