import { describe, expect, it } from 'vitest';
import { Throttle } from './throttle.js';

describe('throttle', () => {
  it('allows ThrottlePerSec requests at once, then refills at that rate', () => {
    let now = 0;
    const t = new Throttle(3, 100, 'X-Forwarded-For', () => now);
    expect([1, 2, 3].map(() => t.take('a').allowed)).toEqual([true, true, true]);
    expect(t.take('a')).toEqual({ allowed: false, limit: 3, remaining: 0, retryAfterSec: 1 });
    now += 334;
    expect(t.take('a').allowed).toBe(true);
    expect(t.take('a').allowed).toBe(false);
    now += 10_000;
    expect(t.take('a')).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('keeps one bucket per client and forgets the least recently seen past ThrottleMemoryStoreSize', () => {
    const now = 0;
    const t = new Throttle(1, 2, 'X-Forwarded-For', () => now);
    expect(t.take('a').allowed).toBe(true);
    expect(t.take('b').allowed).toBe(true);
    expect(t.take('a').allowed).toBe(false);
    expect(t.take('c').allowed).toBe(true);
    expect(t.size).toBe(2);
    // b was the least recently seen: forgotten, so it starts full again.
    expect(t.take('b').allowed).toBe(true);
    expect(t.take('a').allowed).toBe(true);
  });

  it('tells clients apart by the ThrottleVaryByHeader headers only (one bucket without them)', () => {
    const t = new Throttle(1, 10, 'X-Forwarded-For X-Real-IP');
    expect(t.keyOf({ 'x-forwarded-for': '10.0.0.1', 'x-real-ip': '10.0.0.2' })).toBe('10.0.0.1\n10.0.0.2');
    expect(t.keyOf({})).toBe(t.keyOf({ host: 'elsewhere' }));
    expect(new Throttle(1, 10, '').keyOf({ 'x-forwarded-for': 'x' })).toBe('');
  });
});
