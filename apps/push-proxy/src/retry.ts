/**
 * Retrying a send to a provider, as Mattermost's proxy bounds it: at most 3 attempts, each with
 * its own timeout (RetryTimeoutSec), all within one deadline (SendTimeoutSec), waiting 1 s, then
 * 2 s between attempts — or longer when the provider said when to come back (Retry-After), as
 * long as that still fits before the deadline.
 */

export interface RetryOptions {
  maxAttempts: number;
  /** The first wait; each next one doubles. */
  baseDelayMs: number;
  attemptTimeoutMs: number;
  totalTimeoutMs: number;
  /** Injected in specs. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const SEND_RETRY = { maxAttempts: 3, baseDelayMs: 1000 } as const;

/** What one attempt ended with: a final answer, or one worth another attempt (after `retryAfterMs` at the earliest). */
export type AttemptResult<T> = { done: T } | { retry: T; retryAfterMs?: number };

/**
 * Runs `attempt` until it gives a final answer, attempts run out or the deadline comes. An
 * attempt that throws (connection refused, reset, timed out: `signal` aborted) is retried like a
 * `retry` result. Returns the last answer, or throws the last error when the last attempt threw.
 */
export async function withRetry<T>(attempt: (signal: AbortSignal, attemptNo: number) => Promise<AttemptResult<T>>, opts: RetryOptions): Promise<T> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const deadline = now() + opts.totalTimeoutMs;
  let last: { value: T } | { error: unknown } = { error: new Error('no attempt made') };
  for (let n = 1; n <= opts.maxAttempts; n++) {
    const signal = AbortSignal.timeout(Math.max(1, Math.min(opts.attemptTimeoutMs, deadline - now())));
    let retryAfterMs = 0;
    try {
      const result = await attempt(signal, n);
      if ('done' in result) return result.done;
      last = { value: result.retry };
      retryAfterMs = result.retryAfterMs ?? 0;
    } catch (error) {
      last = { error };
    }
    const wait = Math.max(opts.baseDelayMs * 2 ** (n - 1), retryAfterMs);
    if (n === opts.maxAttempts || now() + wait >= deadline) break;
    await sleep(wait);
  }
  if ('value' in last) return last.value;
  throw last.error;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After as seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
