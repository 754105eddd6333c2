/**
 * bench:capacity's table by route, from the server's own metrics: for each API handler, the
 * requests it answered over the measured window, its average time on the server
 * (mattermost_api_time), and what it asked of the database per request (our
 * mattermost_api_db_queries_total and mattermost_api_db_seconds_total). Taken as the difference of
 * two scrapes (the window's first and last), so the ramp before the window does not count. The
 * client-side table by endpoint (latency as the users saw it) is in the run's report.json.
 */

/** Per handler, the counters of one scrape. */
export type RouteCounters = Map<string, { requests: number; seconds: number; queries: number; dbSeconds: number }>;

export interface RouteRow {
  handler: string;
  requests: number;
  perSec: number;
  /** Average time on the server (from routing to the answer), ms. */
  avgMs: number;
  /** Share of all the server's request time over the window (requests × average). */
  timeShare: number;
  queriesPerRequest: number;
  dbMsPerRequest: number;
}

const SAMPLE = /^(mattermost_api_time_count|mattermost_api_time_sum|mattermost_api_db_queries_total|mattermost_api_db_seconds_total)\{([^}]*)\} (\S+)$/;

/** The per-handler counters of a Prometheus text exposition (every method and status summed). */
export function parseRouteCounters(text: string): RouteCounters {
  const out: RouteCounters = new Map();
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const handler = /handler="([^"]*)"/.exec(m[2])?.[1];
    const value = Number(m[3]);
    if (!handler || !Number.isFinite(value)) continue;
    let c = out.get(handler);
    if (!c) out.set(handler, (c = { requests: 0, seconds: 0, queries: 0, dbSeconds: 0 }));
    if (m[1] === 'mattermost_api_time_count') c.requests += value;
    else if (m[1] === 'mattermost_api_time_sum') c.seconds += value;
    else if (m[1] === 'mattermost_api_db_queries_total') c.queries += value;
    else c.dbSeconds += value;
  }
  return out;
}

/** The rows of the window between two scrapes `seconds` apart, the handlers with the most server time first. */
export function routeRows(first: RouteCounters, last: RouteCounters, seconds: number): RouteRow[] {
  const rows: RouteRow[] = [];
  for (const [handler, end] of last) {
    const start = first.get(handler) ?? { requests: 0, seconds: 0, queries: 0, dbSeconds: 0 };
    const requests = end.requests - start.requests;
    if (requests <= 0) continue;
    rows.push({
      handler,
      requests,
      perSec: requests / Math.max(1e-9, seconds),
      avgMs: ((end.seconds - start.seconds) / requests) * 1000,
      timeShare: end.seconds - start.seconds,
      queriesPerRequest: (end.queries - start.queries) / requests,
      dbMsPerRequest: ((end.dbSeconds - start.dbSeconds) / requests) * 1000,
    });
  }
  const total = rows.reduce((sum, r) => sum + r.timeShare, 0);
  for (const r of rows) r.timeShare = total > 0 ? r.timeShare / total : 0;
  return rows.sort((a, b) => b.timeShare - a.timeShare);
}

/**
 * The node's own timing of its WebSocket events (Hub.eventTimes, exported as
 * mattermost_websocket_event_phase_seconds): per phase, `queued` behind earlier events and
 * `delivering` to its sockets, the cumulative bucket counts of one scrape by upper bound.
 */
export type EventPhaseCounts = Map<string, Map<number, number>>;

export function parseEventPhases(text: string): EventPhaseCounts {
  return histogramBuckets(text, 'mattermost_websocket_event_phase_seconds', 'phase');
}

/** A histogram's cumulative bucket counts in one scrape: by the value of `label`, then by upper bound (+Inf as Infinity). */
function histogramBuckets(text: string, metric: string, label: string): Map<string, Map<number, number>> {
  const sample = new RegExp(`^${metric}_bucket\\{([^}]*)\\} (\\S+)$`);
  const labelValue = new RegExp(`${label}="([^"]*)"`);
  const out = new Map<string, Map<number, number>>();
  for (const line of text.split('\n')) {
    const m = sample.exec(line);
    if (!m) continue;
    const key = labelValue.exec(m[1])?.[1];
    const le = /le="([^"]*)"/.exec(m[1])?.[1];
    if (!key || le === undefined) continue;
    let buckets = out.get(key);
    if (!buckets) out.set(key, (buckets = new Map()));
    buckets.set(le === '+Inf' ? Infinity : Number(le), Number(m[2]));
  }
  return out;
}

export interface EventPhaseRow {
  phase: string;
  events: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Per phase, the events between two scrapes and their p50 and p99, interpolated within the bucket
 * the rank falls in as Prometheus's histogram_quantile does (the highest finite bound when it
 * falls beyond it).
 */
export function eventPhaseRows(first: EventPhaseCounts, last: EventPhaseCounts): EventPhaseRow[] {
  const rows: EventPhaseRow[] = [];
  for (const [phase, end] of last) {
    const start = first.get(phase) ?? new Map<number, number>();
    const buckets = [...end].map(([le, n]) => [le, n - (start.get(le) ?? 0)] as const).sort((a, b) => a[0] - b[0]);
    const events = buckets.at(-1)?.[1] ?? 0;
    if (events <= 0) continue;
    const quantile = (q: number) => {
      const rank = q * events;
      let lower = 0;
      let below = 0;
      for (const [le, cumulative] of buckets) {
        if (cumulative >= rank) {
          if (le === Infinity) return lower;
          return lower + ((le - lower) * (rank - below)) / (cumulative - below); // the bucket below held fewer than `rank`
        }
        [lower, below] = [le, cumulative];
      }
      return lower;
    };
    rows.push({ phase, events, p50Ms: quantile(0.5) * 1000, p99Ms: quantile(0.99) * 1000 });
  }
  return rows;
}

const n1 = (v: number) => (Math.round(v * 10) / 10).toLocaleString('en-US');

/** One sentence: `queued p50 0.4 ms, p99 12 ms; delivering …` over so many events. */
export function eventPhaseText(rows: EventPhaseRow[]): string {
  return rows.map((r) => `${r.phase} p50 ${n1(r.p50Ms)} ms, p99 ${n1(r.p99Ms)} ms (${r.events.toLocaleString('en-US')} events)`).join('; ');
}

/** A markdown table of the first `limit` rows, and the whole window's totals. */
export function renderRouteTable(rows: RouteRow[], limit = 20): string {
  const all = rows.reduce(
    (t, r) => ({ requests: t.requests + r.requests, queries: t.queries + r.queriesPerRequest * r.requests, db: t.db + r.dbMsPerRequest * r.requests }),
    {
      requests: 0,
      queries: 0,
      db: 0,
    },
  );
  const out = [
    '| Handler | Requests | req/s | avg on server | share of server time | DB queries / request | DB time / request |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows.slice(0, limit)) {
    out.push(
      `| \`${r.handler}\` | ${r.requests.toLocaleString('en-US')} | ${n1(r.perSec)} | ${n1(r.avgMs)} ms | ${n1(r.timeShare * 100)} % | ${n1(r.queriesPerRequest)} | ${n1(r.dbMsPerRequest)} ms |`,
    );
  }
  if (all.requests > 0) {
    out.push(
      `| all ${rows.length} handlers | ${all.requests.toLocaleString('en-US')} | | | 100 % | ${n1(all.queries / all.requests)} | ${n1(all.db / all.requests)} ms |`,
    );
  }
  return out.join('\n');
}

/** What the users saw of one endpoint over the measured window (the report's `result.endpoints`). */
export interface EndpointSeen {
  count: number;
  perSec: number | null;
  /** Null where the endpoint had no timed answer. */
  latency: { avgMs: number | null; p50Ms: number | null; p99Ms: number | null; maxMs: number | null };
}

/**
 * The endpoints that made the users wait most (count × average, as a share of all the waiting),
 * client-side, from every run's report: the average-latency check the ramp stops on is this sum
 * over the requests, so these rows are what limits it, and their p99 is where the HTTP tail is.
 */
export function renderWaitTable(endpoints: Record<string, EndpointSeen>, limit = 10): string {
  const rows = Object.entries(endpoints).map(([name, e]) => ({ name, e, waited: e.count * (e.latency.avgMs ?? 0) }));
  const total = rows.reduce((sum, r) => sum + r.waited, 0);
  rows.sort((a, b) => b.waited - a.waited);
  const ms = (v: number | null) => (v === null ? '' : `${Math.round(v).toLocaleString('en-US')} ms`);
  const out = ["| Endpoint | Requests | req/s | avg | p50 | p99 | max | share of the users' waiting |", '|---|---|---|---|---|---|---|---|'];
  for (const { name, e, waited } of rows.slice(0, limit)) {
    out.push(
      `| \`${name}\` | ${e.count.toLocaleString('en-US')} | ${e.perSec === null ? '' : n1(e.perSec)} | ${ms(e.latency.avgMs)} | ${ms(e.latency.p50Ms)} | ${ms(e.latency.p99Ms)} | ${ms(e.latency.maxMs)} | ${n1(total > 0 ? (waited / total) * 100 : 0)} % |`,
    );
  }
  return out.join('\n');
}

/**
 * What PostgreSQL's busy backends ran, from the load test's statement polls (PgActivity): average
 * backends per statement over the measured window, and, when some ticks were slow, in those ticks
 * and in the others at a like load (stalls.ts), so a statement that takes over in an overload shows.
 */
export function renderStatementTable(
  window: Record<string, number>,
  slow?: { slow: Record<string, number>; other: Record<string, number> },
  limit = 12,
): string {
  const keys = [...new Set([...Object.keys(window), ...Object.keys(slow?.slow ?? {})])].slice(0, limit);
  const cell = (v: number | undefined) => (v === undefined ? '' : String(v));
  const code = (k: string) => `\`${k.replace(/\|/g, '\\|')}\``;
  const out = slow
    ? ['| Statement (values as ?) | window | slow ticks | other ticks at a like load |', '|---|---|---|---|']
    : ['| Statement (values as ?) | window |', '|---|---|'];
  for (const k of keys) out.push(`| ${code(k)} | ${cell(window[k])} |${slow ? ` ${cell(slow.slow[k])} | ${cell(slow.other[k])} |` : ''}`);
  return out.join('\n');
}

/**
 * The node's pauses in one scrape, from Node's runtime metrics (prom-client's default collectors,
 * on with MetricsSettings.Enable): garbage collections by kind (mattermost_nodejs_gc_duration_seconds,
 * cumulative: count, total time, and how many took longer than 100 ms and than 1 s, from its
 * buckets), and the event loop's delay since the previous scrape (mattermost_nodejs_eventloop_lag_*,
 * which the collector resets at each scrape). Every request and event waits through these.
 */
export interface RuntimePauses {
  gc: Map<string, { count: number; seconds: number; over100ms: number; over1s: number }>;
  /** The event loop's delay over the interval this scrape closes: its p99 and its longest, seconds. */
  lagP99: number;
  lagMax: number;
}

const GC_SUM = /^mattermost_nodejs_gc_duration_seconds_sum\{[^}]*kind="([^"]*)"[^}]*\} (\S+)$/;
const LAG_SAMPLE = /^mattermost_nodejs_eventloop_lag_(p99|max)_seconds(?:\{[^}]*\})? (\S+)$/;

export function parseRuntimePauses(text: string): RuntimePauses {
  const out: RuntimePauses = { gc: new Map(), lagP99: 0, lagMax: 0 };
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    const lag = LAG_SAMPLE.exec(line);
    if (lag) {
      if (lag[1] === 'p99') out.lagP99 = Number(lag[2]);
      else out.lagMax = Number(lag[2]);
    }
    const sum = GC_SUM.exec(line);
    if (sum) sums.set(sum[1], Number(sum[2]));
  }
  // A pause longer than a bound is one its bucket (cumulative: every pause up to the bound) did
  // not hold; prom-client's buckets include 0.1 and 1 s.
  for (const [kind, le] of histogramBuckets(text, 'mattermost_nodejs_gc_duration_seconds', 'kind')) {
    const count = le.get(Infinity) ?? 0;
    out.gc.set(kind, { count, seconds: sums.get(kind) ?? 0, over100ms: count - (le.get(0.1) ?? count), over1s: count - (le.get(1) ?? count) });
  }
  return out;
}

export interface PausesOverWindow {
  /** Per GC kind, over the window: pauses, their total, and those longer than 100 ms and than 1 s. */
  gc: Array<{ kind: string; count: number; seconds: number; over100ms: number; over1s: number }>;
  /** The event loop's delay, per scrape interval (`everySec`) in the window: the median and worst of the p99s, and the longest. */
  everySec: number;
  lagP99MedianMs: number;
  lagP99WorstMs: number;
  lagMaxMs: number;
}

/** The pauses between the window's first scrape and its last; the lag from every scrape after the first. */
export function pausesOverWindow(scrapes: RuntimePauses[], everySec: number): PausesOverWindow | undefined {
  const first = scrapes[0];
  const last = scrapes.at(-1);
  if (!first || !last || first === last) return undefined;
  const gc = [...last.gc].map(([kind, end]) => {
    const start = first.gc.get(kind) ?? { count: 0, seconds: 0, over100ms: 0, over1s: 0 };
    return {
      kind,
      count: end.count - start.count,
      seconds: end.seconds - start.seconds,
      over100ms: end.over100ms - start.over100ms,
      over1s: end.over1s - start.over1s,
    };
  });
  const p99s = scrapes
    .slice(1)
    .map((s) => s.lagP99)
    .sort((a, b) => a - b);
  return {
    gc: gc.filter((g) => g.count > 0).sort((a, b) => b.seconds - a.seconds),
    everySec,
    lagP99MedianMs: p99s[Math.floor(p99s.length / 2)] * 1000,
    lagP99WorstMs: p99s.at(-1)! * 1000,
    lagMaxMs: Math.max(...scrapes.slice(1).map((s) => s.lagMax)) * 1000,
  };
}

/** One sentence: each GC kind's pauses, then the event loop's delay. */
export function pausesText(p: PausesOverWindow): string {
  const gc = p.gc.map(
    (g) =>
      `${g.kind} GC ${g.count.toLocaleString('en-US')} pauses, ${n1(g.seconds)} s in all, ${g.over100ms.toLocaleString('en-US')} longer than 100 ms and ${g.over1s.toLocaleString('en-US')} longer than 1 s`,
  );
  const lag = `the event loop's delay p99 per ${p.everySec} s: median ${n1(p.lagP99MedianMs)} ms, worst ${n1(p.lagP99WorstMs)} ms; its longest delay ${n1(p.lagMaxMs)} ms`;
  return [...gc, lag].join('; ');
}
