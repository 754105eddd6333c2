/** Load shapes for the benchmarks: bounded-concurrency maps, closed loops and open-loop schedules. */
import { performance } from 'node:perf_hooks';
import { sleep } from '#testing';

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Up to `count` calls of `fn` (indices 0, 1, …), at most `limit` in flight, starting none once
 * `budgetMs` have passed: as many as fit in a time budget (sign-ins prepared ahead, which must
 * still be valid when they are used). Results keep the order the calls started in.
 */
export async function mapWithin<R>(count: number, limit: number, budgetMs: number, fn: (index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  const end = performance.now() + budgetMs;
  let next = 0;
  const worker = async () => {
    while (next < count && (next === 0 || performance.now() < end)) {
      const i = next++;
      results[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

export interface LoadResult {
  /** Latency of each successful request, ms. */
  latencies: number[];
  errors: number;
  /** First error messages (a few), to tell "not implemented" from overload. */
  errorSamples: string[];
  /** Wall-clock time from the first send until the last response, ms. */
  elapsedMs: number;
}

function recorder() {
  const r: LoadResult = { latencies: [], errors: 0, errorSamples: [], elapsedMs: 0 };
  const fail = (err: unknown) => {
    r.errors++;
    if (r.errorSamples.length < 5) r.errorSamples.push(String((err as Error)?.message ?? err));
  };
  return { r, fail };
}

/**
 * `concurrency` workers each send the next request as soon as their previous one answered, for
 * `durationMs`: the throughput the server sustains when the client never waits.
 */
export async function closedLoop(concurrency: number, durationMs: number, op: (i: number) => Promise<unknown>): Promise<LoadResult> {
  const { r, fail } = recorder();
  const start = performance.now();
  const end = start + durationMs;
  let i = 0;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await op(i++);
        r.latencies.push(performance.now() - t0);
      } catch (err) {
        fail(err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  r.elapsedMs = performance.now() - start;
  return r;
}

/**
 * Sends `ratePerSec` requests a second for `durationMs` on a fixed schedule, whether or not earlier
 * ones answered (open loop). Latency counts from each request's *scheduled* time, so a stalled
 * client or server cannot hide queueing (no coordinated omission).
 */
export async function openLoop(ratePerSec: number, durationMs: number, op: (i: number) => Promise<unknown>): Promise<LoadResult & { maxSendLagMs: number }> {
  const { r, fail } = recorder();
  const interval = 1000 / ratePerSec;
  const total = Math.floor((durationMs / 1000) * ratePerSec);
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  let maxSendLagMs = 0;
  for (let i = 0; i < total; i++) {
    const scheduled = start + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 1) await sleep(wait);
    maxSendLagMs = Math.max(maxSendLagMs, performance.now() - scheduled);
    inFlight.push(
      op(i).then(
        () => void r.latencies.push(performance.now() - scheduled),
        (err) => fail(err),
      ),
    );
  }
  await Promise.all(inFlight);
  r.elapsedMs = performance.now() - start;
  return { ...r, maxSendLagMs };
}
