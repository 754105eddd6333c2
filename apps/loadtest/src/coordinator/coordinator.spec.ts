import { describe, expect, it } from 'vitest';
import { RequestTotals } from '../metrics/collector.js';
import { Histogram } from '../metrics/histogram.js';
import { Coordinator, slope, type CoordinatorRule } from './coordinator.js';
import { evaluateHealth, healthValues } from './health.js';

const RULE: CoordinatorRule = { numUsersInc: 8, numUsersDec: 8, restTimeSec: 2, maxActiveUsers: 100, stableWindowSec: 60, stopSlope: 0.1 };
const THRESHOLDS = { avgRequestMs: 100, p99RequestMs: 2000, http5xxPercent: 0.025, timeoutPercent: 0.025 };

describe('coordinator add/remove rule', () => {
  it('adds 8 users per tick while healthy, up to the maximum', () => {
    const c = new Coordinator(RULE);
    let users = 0;
    for (let t = 0; t < 13; t++) {
      const d = c.tick(t * 2000, false, users);
      users += d.delta;
    }
    expect(users).toBe(100);
    expect(c.tick(26_000, false, users)).toEqual({ delta: 0, reason: 'at-max' });
  });

  it('removes 8 users when a check fails, then waits restTimeSec after the alert before adding again', () => {
    const c = new Coordinator(RULE);
    expect(c.tick(0, false, 40).delta).toBe(8);
    expect(c.tick(2000, true, 48)).toMatchObject({ delta: -8, reason: 'decrement' });
    // Next tick 1 s later: still resting after the last action.
    expect(c.tick(3000, false, 40)).toMatchObject({ delta: 0, reason: 'rest' });
    // 2 s after the alert and the decrement: healthy again → add.
    expect(c.tick(4000, false, 40)).toMatchObject({ delta: 8, reason: 'increment' });
    // Still failing keeps removing, once per rest period, never below zero.
    expect(c.tick(6000, true, 5)).toMatchObject({ delta: -5 });
  });

  it('converges: supported users = average of the last window once its slope is flat', () => {
    const c = new Coordinator({ ...RULE, stableWindowSec: 20 });
    let users = 0;
    let done: number | undefined;
    // Healthy below 50 users, failing at or above: the loop oscillates around 50.
    for (let t = 0; t < 400 && done === undefined; t++) {
      const d = c.tick(t * 2000, users >= 50, users);
      if (d.reason === 'done') done = d.supportedUsers;
      users += d.delta;
    }
    expect(done).toBeDefined();
    expect(done!).toBeGreaterThanOrEqual(42);
    expect(done!).toBeLessThanOrEqual(56);
  });

  it('does not stop before a full window of samples exists', () => {
    const c = new Coordinator({ ...RULE, stableWindowSec: 60 });
    expect(c.tick(0, true, 50).reason).toBe('decrement');
    for (let t = 1; t <= 29; t++) expect(c.tick(t * 2000, false, 42).reason).not.toBe('done');
    // 62 s after the first sample the window is full and flat.
    expect(c.tick(62_000, false, 42)).toMatchObject({ reason: 'done', supportedUsers: 42 });
  });

  it('computes the least-squares slope in users per second', () => {
    expect(
      slope([
        { t: 0, users: 0 },
        { t: 1000, users: 4 },
        { t: 2000, users: 8 },
      ]),
    ).toBeCloseTo(4);
    expect(
      slope([
        { t: 0, users: 5 },
        { t: 1000, users: 5 },
      ]),
    ).toBe(0);
    expect(slope([{ t: 0, users: 5 }])).toBeNaN();
  });
});

describe('health checks', () => {
  const window = (latencies: number[], extra: Partial<RequestTotals> = {}) => {
    const r = new RequestTotals();
    const h = new Histogram();
    for (const l of latencies) h.record(l);
    r.merge({
      count: latencies.length + (extra.timeouts ?? 0) + (extra.network ?? 0),
      err4xx: 0,
      err5xx: extra.err5xx ?? 0,
      timeouts: extra.timeouts ?? 0,
      network: extra.network ?? 0,
      latency: h.toData(),
    });
    return r;
  };

  it('passes a fast, clean window', () => {
    expect(evaluateHealth(healthValues(window(Array(1000).fill(20))), THRESHOLDS)).toMatchObject({ ok: true, failures: [] });
  });

  it('fails on the average, the p99, 5xx and timeouts', () => {
    expect(evaluateHealth(healthValues(window(Array(100).fill(150))), THRESHOLDS).failures[0]).toMatch(/^avg/);
    const slowTail = [...Array(980).fill(10), ...Array(20).fill(2500)];
    const h = evaluateHealth(healthValues(window(slowTail)), THRESHOLDS);
    expect(h.ok).toBe(false);
    expect(h.failures.some((f) => f.startsWith('p99'))).toBe(true);
    // 1 error in 1000 requests = 0.1 % ≥ 0.025 %.
    expect(evaluateHealth(healthValues(window(Array(999).fill(10), { err5xx: 1 })), THRESHOLDS).failures).toEqual(['5xx 0.1 % ≥ 0.025 %']);
    expect(evaluateHealth(healthValues(window(Array(999).fill(10), { timeouts: 1 })), THRESHOLDS).failures).toEqual(['timeouts 0.1 % ≥ 0.025 %']);
    // A refused connection counts as a server error.
    expect(evaluateHealth(healthValues(window(Array(999).fill(10), { network: 1 })), THRESHOLDS).failures).toEqual(['5xx 0.1 % ≥ 0.025 %']);
  });

  it('passes a window without requests', () => {
    expect(evaluateHealth(healthValues(new RequestTotals()), THRESHOLDS).ok).toBe(true);
  });
});
