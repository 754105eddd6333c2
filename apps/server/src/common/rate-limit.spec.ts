import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './rate-limit.js';

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
