/**
 * What was different while the users waited. A ramp on a shared machine can break on a stall
 * (latency up while the server's CPU falls) as well as on the server running out of CPU; the two
 * call for different fixes. This compares the slow ticks (the requests answered in the tick
 * averaged at least the coordinator's average threshold) with the other ticks at a like load (at
 * least 90 % of the users of the first slow tick): CPU of the server and of PostgreSQL, steal and
 * iowait, pressure stalls, the busiest disk, the WAL rate, what the checkpointer was doing, and
 * what PostgreSQL's busy backends waited on. Not the ticks whose health checks failed: those look
 * back over a minute, so their readings are not those of the moments that were slow.
 */
import type { TimelinePoint } from '../run/driver.js';
import type { StallSample } from '../run/resources.js';

/** A set of ticks' averages: the machine's stall readings, and the server's and PostgreSQL's. */
export interface Conditions extends StallSample {
  ticks: number;
  avgMs: number;
  serverCpuPercent: number;
  postgresCpuPercent: number;
  walMiBPerSec: number;
  /** Share of the ticks (0–1) by the checkpointer's wait event, most first. */
  checkpointer: Record<string, number>;
  /** Average backends per wait event, CPU-busy ones left out, most first (at most four). */
  waits: Record<string, number>;
  /** Average busy backends per statement they ran, most first (at most STATEMENTS_COMPARED). */
  statements: Record<string, number>;
}

export interface StallComparison {
  slowMs: number;
  slow: Conditions;
  otherAtLikeLoad: Conditions;
}

const LIKE_LOAD = 0.9;
const STATEMENTS_COMPARED = 6;

/** null when no tick was slow, or the timeline predates the per-tick readings. */
export function compareStalls(timeline: TimelinePoint[], slowMs: number): StallComparison | null {
  const read = timeline.filter((p) => p.resources.stall && p.tickAvgMs !== undefined);
  const slow = read.filter((p) => p.tickAvgMs! >= slowMs);
  if (!slow.length) return null;
  const floor = slow[0].users * LIKE_LOAD;
  const other = read.filter((p) => p.tickAvgMs! < slowMs && p.users >= floor);
  return { slowMs, slow: conditions(slow), otherAtLikeLoad: conditions(other) };
}

function conditions(points: TimelinePoint[]): Conditions {
  const mean = (f: (p: TimelinePoint) => number) => round(points.reduce((s, p) => s + f(p), 0) / Math.max(1, points.length));
  return {
    ticks: points.length,
    avgMs: mean((p) => p.tickAvgMs ?? 0),
    serverCpuPercent: mean((p) => p.resources.serverCpuPercent),
    postgresCpuPercent: mean((p) => p.resources.postgresCpuPercent),
    stealPercent: mean((p) => p.resources.stall?.stealPercent ?? 0),
    iowaitPercent: mean((p) => p.resources.stall?.iowaitPercent ?? 0),
    cpuPressurePercent: mean((p) => p.resources.stall?.cpuPressurePercent ?? 0),
    ioPressurePercent: mean((p) => p.resources.stall?.ioPressurePercent ?? 0),
    diskBusyPercent: mean((p) => p.resources.stall?.diskBusyPercent ?? 0),
    diskWriteMiBPerSec: mean((p) => p.resources.stall?.diskWriteMiBPerSec ?? 0),
    walMiBPerSec: mean((p) => p.pgWalMiBPerSec ?? 0),
    checkpointer: shares(
      points.filter((p) => p.pgCheckpointer).map((p) => p.pgCheckpointer!),
      points.length,
    ),
    waits: averageByKey(
      points.map((p) => p.pgBackends),
      4,
      (k) => !k.endsWith(' CPU'),
    ),
    statements: averageByKey(
      points.map((p) => p.pgStatements),
      STATEMENTS_COMPARED,
    ),
  };
}

/**
 * Per key of the ticks' readings (backends by wait event, by statement), the average over the
 * ticks, the `count` largest, most first; keys `include` refuses are left out.
 */
export function averageByKey(
  readings: Array<Record<string, number> | undefined>,
  count: number,
  include: (key: string) => boolean = () => true,
): Record<string, number> {
  const sums = new Map<string, number>();
  for (const r of readings) for (const [k, n] of Object.entries(r ?? {})) if (include(k)) sums.set(k, (sums.get(k) ?? 0) + n);
  return top(sums, readings.length, count);
}

function shares(values: string[], of: number): Record<string, number> {
  const n = new Map<string, number>();
  for (const v of values) n.set(v, (n.get(v) ?? 0) + 1);
  return top(n, of);
}

/** The `count` largest, each divided by `of`, most first. */
function top(sums: Map<string, number>, of: number, count = 4): Record<string, number> {
  return Object.fromEntries(
    [...sums]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([k, n]) => [k, round(n / Math.max(1, of), 100)]),
  );
}

const round = (v: number, by = 10) => Math.round(v * by) / by;

/** One sentence: slow ticks against the others at a like load, "a against b" for each reading. */
export function stallText(s: StallComparison): string {
  const f = s.slow;
  const h = s.otherAtLikeLoad;
  const pair = (label: string, a: number, b: number, unit: string) => `${label} ${a} against ${b}${unit}`;
  const list = (r: Record<string, number>, scale = 1, unit = '') =>
    Object.entries(r)
      .map(([k, n]) => `${k} ${Math.round(n * scale * 100) / 100}${unit}`)
      .join(', ') || 'none';
  return (
    `in the ticks whose requests averaged ≥ ${s.slowMs} ms (${f.ticks}) against the other ticks at a like load (${h.ticks}): ` +
    [
      pair('average latency', f.avgMs, h.avgMs, ' ms'),
      pair('server CPU', f.serverCpuPercent, h.serverCpuPercent, ' %'),
      pair('PostgreSQL CPU', f.postgresCpuPercent, h.postgresCpuPercent, ' %'),
      pair('steal', f.stealPercent, h.stealPercent, ' %'),
      pair('iowait', f.iowaitPercent, h.iowaitPercent, ' %'),
      pair('CPU pressure', f.cpuPressurePercent, h.cpuPressurePercent, ' %'),
      pair('I/O pressure', f.ioPressurePercent, h.ioPressurePercent, ' %'),
      pair('busiest disk', f.diskBusyPercent, h.diskBusyPercent, ' % busy'),
      pair('disk writes', f.diskWriteMiBPerSec, h.diskWriteMiBPerSec, ' MiB/s'),
      pair('WAL', f.walMiBPerSec, h.walMiBPerSec, ' MiB/s'),
    ].join(', ') +
    `; the checkpointer: ${list(f.checkpointer, 100, ' %')} of the ticks (others: ${list(h.checkpointer, 100, ' %')})` +
    `; PostgreSQL backends waiting: ${list(f.waits)} (others: ${list(h.waits)})`
  );
}
