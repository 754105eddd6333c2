import { describe, expect, it } from 'vitest';
import type { Request } from 'express';
import { rateLimitKey } from './rate-limit.js';
import { TokenBucket, TokenBuckets } from './token-bucket.js';

describe('TokenBuckets', () => {
  it('allows a burst, then refuses until tokens refill', () => {
    const b = new TokenBuckets();
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) expect(b.take('k', 1, 3, 10, t0).allowed).toBe(true);
    expect(b.take('k', 1, 3, 10, t0).allowed).toBe(false);
    expect(b.take('k', 1, 3, 10, t0 + 1000).allowed).toBe(true);
    expect(b.take('k', 1, 3, 10, t0 + 1000).allowed).toBe(false);
  });

  it('keeps keys apart and forgets the oldest past the store size', () => {
    const b = new TokenBuckets();
    expect(b.take('a', 1, 1, 2, 0).allowed).toBe(true);
    expect(b.take('a', 1, 1, 2, 0).allowed).toBe(false);
    expect(b.take('b', 1, 1, 2, 0).allowed).toBe(true);
    b.take('c', 1, 1, 2, 0); // evicts "a"
    expect(b.take('a', 1, 1, 2, 0).allowed).toBe(true);
  });

  it('reports remaining tokens', () => {
    const b = new TokenBuckets();
    expect(b.take('k', 10, 5, 10, 0).remaining).toBe(4);
  });
});

describe('rateLimitKey', () => {
  const byAddress = { VaryByRemoteAddr: true, VaryByUser: false, VaryByHeader: '' };
  const req = (forwardedFor: string) => ({ headers: { 'x-forwarded-for': forwardedFor }, socket: { remoteAddress: '10.0.0.2' } }) as unknown as Request;

  it('does not follow a rotating X-Forwarded-For that TrustedProxyIPHeader does not name', () => {
    for (const trusted of [[], ['X-Real-IP']]) {
      const keys = new Set(['1.1.1.1', '2.2.2.2', '3.3.3.3'].map((a) => rateLimitKey(req(a), byAddress, trusted)));
      expect([...keys]).toEqual(['10.0.0.2']);
    }
  });

  it('counts a named X-Forwarded-For by its right-most hop, whatever the client prepends', () => {
    const keys = new Set(['1.1.1.1', '2.2.2.2'].map((a) => rateLimitKey(req(`${a}, 203.0.113.7`), byAddress, ['X-Forwarded-For'])));
    expect([...keys]).toEqual(['203.0.113.7']);
  });

  it("follows Mattermost's GenerateKey: the token with VaryByUser, else the address, then the header lower-cased", () => {
    const withToken = { headers: { authorization: 'Bearer tok123', 'x-tenant': 'ACME' }, socket: { remoteAddress: '10.0.0.2' } } as unknown as Request;
    const anonymous = { headers: { 'x-tenant': 'ACME' }, socket: { remoteAddress: '10.0.0.2' } } as unknown as Request;
    const all = { VaryByRemoteAddr: true, VaryByUser: true, VaryByHeader: 'X-Tenant' };
    expect(rateLimitKey(withToken, all, [])).toBe('tok123acme');
    expect(rateLimitKey(anonymous, all, [])).toBe('10.0.0.2acme');
    expect(rateLimitKey(anonymous, { ...all, VaryByRemoteAddr: false }, [])).toBe('acme');
    expect(rateLimitKey(withToken, { ...all, VaryByUser: false, VaryByHeader: '' }, [])).toBe('10.0.0.2');
    // Nothing to vary by: one budget for everyone.
    expect(rateLimitKey(withToken, { VaryByRemoteAddr: false, VaryByUser: false, VaryByHeader: '' }, [])).toBe('');
  });
});

/** The bucket with a fixed rate and burst, as a WebSocket connection's action budget uses it. */
function budget(burst: number, perSec: number, at: number) {
  const bucket = new TokenBucket(burst, at);
  return { take: (now: number) => bucket.take(now, perSec, burst) };
}
type Budget = ReturnType<typeof budget>;

const takes = (b: Budget, count: number, now: number) => Array.from({ length: count }, () => b.take(now)).filter(Boolean).length;

describe('TokenBucket', () => {
  it('allows a burst, then refuses until time refills it', () => {
    const b = budget(100, 100, 0);
    expect(takes(b, 1000, 0)).toBe(100);
    expect(b.take(5)).toBe(false); // half a token after 5 ms
    expect(b.take(10)).toBe(true); // one token after 10 ms
    expect(takes(b, 1000, 510)).toBe(50);
  });

  it('sustains its rate and never banks more than the burst', () => {
    const b = budget(100, 100, 0);
    // One action every 10 ms for ten seconds: always allowed.
    for (let t = 0; t < 10_000; t += 10) expect(b.take(t)).toBe(true);
    // An hour idle still gives only one burst.
    expect(takes(b, 1000, 3_600_000)).toBe(100);
  });

  it('ignores a clock that goes backwards', () => {
    const b = budget(2, 1, 1000);
    expect(takes(b, 5, 1000)).toBe(2);
    expect(b.take(0)).toBe(false);
    expect(b.take(1999)).toBe(false);
    expect(b.take(2100)).toBe(true);
  });
});
