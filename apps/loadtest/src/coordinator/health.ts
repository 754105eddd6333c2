/**
 * Mattermost's coordinator health checks (coordinator.sample.json, ceiling tests v2) over a window
 * of client-side request metrics: average and p99 request duration, 5xx ratio, timeout ratio.
 */
import type { Thresholds } from '../config.js';
import type { RequestTotals } from '../metrics/collector.js';

export interface HealthValues {
  requests: number;
  avgMs: number;
  p99Ms: number;
  /** Server errors, as a percentage of requests (connections refused or reset count as server errors). */
  http5xxPercent: number;
  timeoutPercent: number;
}

export interface HealthStatus {
  ok: boolean;
  values: HealthValues;
  /** The checks that failed, e.g. "p99 2410 ms ≥ 2000 ms". */
  failures: string[];
}

export function healthValues(window: RequestTotals): HealthValues {
  const n = window.count;
  const pct = (x: number) => (n ? (x / n) * 100 : 0);
  return {
    requests: n,
    avgMs: window.latency.count ? window.latency.mean : 0,
    p99Ms: window.latency.count ? window.latency.percentile(99) : 0,
    http5xxPercent: pct(window.err5xx + window.network),
    timeoutPercent: pct(window.timeouts),
  };
}

/** As the monitor: a check fails when its value reaches the threshold (value ≥ threshold). */
export function evaluateHealth(v: HealthValues, t: Thresholds): HealthStatus {
  const failures: string[] = [];
  const r = (x: number) => Math.round(x * 1000) / 1000;
  if (v.requests > 0) {
    if (v.avgMs >= t.avgRequestMs) failures.push(`avg ${r(v.avgMs)} ms ≥ ${t.avgRequestMs} ms`);
    if (v.p99Ms >= t.p99RequestMs) failures.push(`p99 ${r(v.p99Ms)} ms ≥ ${t.p99RequestMs} ms`);
    if (v.http5xxPercent >= t.http5xxPercent) failures.push(`5xx ${r(v.http5xxPercent)} % ≥ ${t.http5xxPercent} %`);
    if (v.timeoutPercent >= t.timeoutPercent) failures.push(`timeouts ${r(v.timeoutPercent)} % ≥ ${t.timeoutPercent} %`);
  }
  return { ok: failures.length === 0, values: v, failures };
}
