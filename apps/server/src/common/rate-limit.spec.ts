import { describe, expect, it } from 'vitest';
import type { Request } from 'express';
import { rateLimitKey, TokenBuckets } from './rate-limit.js';

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
});
