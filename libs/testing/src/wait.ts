/** Waiting in tests and benchmarks: fixed pauses and bounded polls. */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `check` until it returns something truthy and returns that; an error `check` throws ends
 * the wait at once (e.g. "the process exited"). Throws "timed out … waiting for <what>" otherwise.
 */
export async function until<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  what: string,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Retries `fn` until it returns without throwing (an assertion that holds), or rethrows its last
 * error after `timeoutMs`, saying how long it kept failing.
 */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs: number, intervalMs = 50): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() - started >= timeoutMs) {
        if (err instanceof Error) err.message = `still failing after ${Date.now() - started} ms: ${err.message}`;
        throw err;
      }
    }
    await sleep(intervalMs);
  }
}
