import { describe, expect, it } from 'vitest';
import { parseRetryAfter, withRetry, type AttemptResult, type RetryOptions } from './retry.js';

/** A fake clock: sleeping moves it forward and records the waits. */
function clock(start = 0) {
  const waits: number[] = [];
  let now = start;
  return {
    waits,
    opts: (over: Partial<RetryOptions> = {}): RetryOptions => ({
      maxAttempts: 3,
      baseDelayMs: 1000,
      attemptTimeoutMs: 8000,
      totalTimeoutMs: 30_000,
      now: () => now,
      sleep: async (ms: number) => {
        waits.push(ms);
        now += ms;
      },
      ...over,
    }),
  };
}

/** An attempt function answering `script` in turn (an Error is thrown). */
function attempts<T>(script: (AttemptResult<T> | Error)[]) {
  let calls = 0;
  const fn = async () => {
    const next = script[calls++];
    if (next instanceof Error) throw next;
    return next;
  };
  return { fn, calls: () => calls };
}

describe('withRetry', () => {
  it('returns a final answer at once', async () => {
    const c = clock();
    const a = attempts([{ done: 'ok' }]);
    expect(await withRetry(a.fn, c.opts())).toBe('ok');
    expect(a.calls()).toBe(1);
    expect(c.waits).toEqual([]);
  });

  it('tries 3 times, waiting 1 s then 2 s, and returns the last answer', async () => {
    const c = clock();
    const a = attempts<string>([{ retry: '429' }, { retry: '503' }, { retry: '500' }, { done: 'never' }]);
    expect(await withRetry(a.fn, c.opts())).toBe('500');
    expect(a.calls()).toBe(3);
    expect(c.waits).toEqual([1000, 2000]);
  });

  it('retries thrown errors (connection refused, timeouts) and rethrows the last', async () => {
    const c = clock();
    expect(await withRetry(attempts([new Error('ECONNREFUSED'), { done: 'ok' }]).fn, c.opts())).toBe('ok');
    await expect(withRetry(attempts([new Error('one'), new Error('two'), new Error('three')]).fn, clock().opts())).rejects.toThrow('three');
  });

  it("waits as long as the provider's Retry-After when that is longer", async () => {
    const c = clock();
    await withRetry(attempts([{ retry: 'a', retryAfterMs: 5000 }, { retry: 'b', retryAfterMs: 10 }, { done: 'ok' }]).fn, c.opts());
    expect(c.waits).toEqual([5000, 2000]);
  });

  it('does not wait past the deadline (SendTimeoutSec)', async () => {
    const c = clock();
    const a = attempts<string>([{ retry: 'a', retryAfterMs: 40_000 }, { done: 'ok' }]);
    expect(await withRetry(a.fn, c.opts())).toBe('a');
    expect(a.calls()).toBe(1);
    const d = clock();
    const b = attempts<string>([{ retry: 'a' }, { retry: 'b' }, { done: 'ok' }]);
    expect(await withRetry(b.fn, d.opts({ totalTimeoutMs: 2500 }))).toBe('b');
    expect(d.waits).toEqual([1000]);
  });

  it('gives each attempt a signal that fires after RetryTimeoutSec', async () => {
    const started = Date.now();
    const result = await withRetry(
      (signal) =>
        new Promise<AttemptResult<string>>((resolve) => {
          signal.addEventListener('abort', () => resolve({ done: `aborted after ${Date.now() - started >= 40 ? '≥40' : '<40'} ms` }));
        }),
      { maxAttempts: 1, baseDelayMs: 1, attemptTimeoutMs: 50, totalTimeoutMs: 1000 },
    );
    expect(result).toBe('aborted after ≥40 ms');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(61_000).toUTCString(), 1000)).toBe(60_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
