import { describe, expect, it } from 'vitest';
import {
  eventPhaseRows,
  eventPhaseText,
  parseEventPhases,
  parseRuntimePauses,
  pausesOverWindow,
  pausesText,
  parseRouteCounters,
  renderRouteTable,
  renderStatementTable,
  renderWaitTable,
  routeRows,
} from './route-table.js';

const scrape = (imageCount: number, imageSum: number, queries: number, dbSeconds: number) =>
  [
    '# HELP mattermost_api_time Time to execute the api handler',
    '# TYPE mattermost_api_time histogram',
    `mattermost_api_time_bucket{le="0.005",handler="users.image",method="GET",status_code="200"} 1`,
    `mattermost_api_time_sum{handler="users.image",method="GET",status_code="200"} ${imageSum}`,
    `mattermost_api_time_count{handler="users.image",method="GET",status_code="200"} ${imageCount}`,
    `mattermost_api_time_sum{handler="users.image",method="GET",status_code="304"} 1`,
    `mattermost_api_time_count{handler="users.image",method="GET",status_code="304"} 100`,
    `mattermost_api_time_sum{handler="posts.create",method="POST",status_code="201"} 20`,
    `mattermost_api_time_count{handler="posts.create",method="POST",status_code="201"} 100`,
    `mattermost_api_db_queries_total{handler="users.image"} ${queries}`,
    `mattermost_api_db_seconds_total{handler="users.image"} ${dbSeconds}`,
    `mattermost_api_db_queries_total{handler="posts.create"} 900`,
    `mattermost_api_db_seconds_total{handler="posts.create"} 5`,
  ].join('\n');

describe('route table', () => {
  it('sums every method and status of a handler', () => {
    const c = parseRouteCounters(scrape(400, 3, 500, 0.5));
    expect(c.get('users.image')).toEqual({ requests: 500, seconds: 4, queries: 500, dbSeconds: 0.5 });
    expect(c.get('posts.create')).toEqual({ requests: 100, seconds: 20, queries: 900, dbSeconds: 5 });
  });

  it('takes the window as the difference of two scrapes and orders by server time', () => {
    const first = parseRouteCounters(scrape(400, 3, 500, 0.5));
    const last = parseRouteCounters(scrape(1400, 13, 2500, 2.5));
    const rows = routeRows(first, last, 100);
    // posts.create did nothing in the window: it is left out.
    expect(rows.map((r) => r.handler)).toEqual(['users.image']);
    const [image] = rows;
    expect(image.requests).toBe(1000);
    expect(image.perSec).toBe(10);
    expect(image.avgMs).toBeCloseTo(10);
    expect(image.queriesPerRequest).toBe(2);
    expect(image.dbMsPerRequest).toBeCloseTo(2);
    expect(image.timeShare).toBe(1);
    const table = renderRouteTable(rows);
    expect(table).toContain('| `users.image` | 1,000 | 10 | 10 ms | 100 % | 2 | 2 ms |');
    expect(table).toContain('| all 1 handlers | 1,000 |');
  });

  it('shares the server time between handlers', () => {
    const rows = routeRows(new Map(), parseRouteCounters(scrape(400, 3, 500, 0.5)), 10);
    expect(rows.map((r) => r.handler)).toEqual(['posts.create', 'users.image']);
    expect(rows[0].timeShare).toBeCloseTo(20 / 24);
  });
});

describe('wait table', () => {
  const seen = (count: number, avgMs: number, p99Ms: number) => ({ count, perSec: count / 100, latency: { avgMs, p50Ms: avgMs / 2, p99Ms, maxMs: p99Ms * 2 } });

  it('orders endpoints by the waiting they caused, not by their count', () => {
    const table = renderWaitTable({ 'GET /users/{id}/image': seen(9000, 10, 50), 'GET /channels/{id}/posts': seen(1000, 300, 3000) }).split('\n');
    expect(table[2]).toBe('| `GET /channels/{id}/posts` | 1,000 | 10 | 300 ms | 150 ms | 3,000 ms | 6,000 ms | 76.9 % |');
    expect(table[3]).toBe('| `GET /users/{id}/image` | 9,000 | 90 | 10 ms | 5 ms | 50 ms | 100 ms | 23.1 % |');
  });

  it('keeps the first rows only', () => {
    const many = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`GET /r${i}`, seen(10, i + 1, 10)]));
    expect(renderWaitTable(many, 2).split('\n')).toHaveLength(4);
  });
});

describe('statement table', () => {
  it("sets the window's statements beside the slow ticks' ones, a statement only the slow ticks ran included", () => {
    const rows = renderStatementTable(
      { 'SELECT … FROM posts WHERE id = ?': 0.2, 'SELECT a || b': 0.1 },
      { slow: { 'autovacuum: VACUUM public.posts': 0.9, 'SELECT … FROM posts WHERE id = ?': 0.4 }, other: { 'SELECT … FROM posts WHERE id = ?': 0.1 } },
    ).split('\n');
    expect(rows[0]).toContain('| slow ticks | other ticks at a like load |');
    expect(rows.slice(2)).toEqual([
      '| `SELECT … FROM posts WHERE id = ?` | 0.2 | 0.4 | 0.1 |',
      '| `SELECT a \\|\\| b` | 0.1 |  |  |',
      '| `autovacuum: VACUUM public.posts` |  | 0.9 |  |',
    ]);
  });

  it('has the window column only when no tick was slow', () => {
    expect(renderStatementTable({ 'SELECT ?': 1 }).split('\n')).toEqual(['| Statement (values as ?) | window |', '|---|---|', '| `SELECT ?` | 1 |']);
  });
});

describe('event phases', () => {
  const scrape = (queued: number[], delivering: number[]) =>
    [
      '# TYPE mattermost_websocket_event_phase_seconds histogram',
      ...['0.001', '0.01', '0.1', '+Inf'].map((le, i) => `mattermost_websocket_event_phase_seconds_bucket{phase="queued",le="${le}"} ${queued[i]}`),
      ...['0.001', '0.01', '0.1', '+Inf'].map((le, i) => `mattermost_websocket_event_phase_seconds_bucket{phase="delivering",le="${le}"} ${delivering[i]}`),
      'mattermost_websocket_event_phase_seconds_count{phase="queued"} 1',
    ].join('\n');

  it("takes each phase's percentiles over the window between two scrapes, interpolated as histogram_quantile", () => {
    const first = parseEventPhases(scrape([50, 50, 50, 50], [0, 0, 0, 0]));
    // Over the window: queued, 100 events, 90 under 1 ms and 10 between 1 and 10 ms; delivering, 100 events, all 10–100 ms.
    const last = parseEventPhases(scrape([140, 150, 150, 150], [0, 0, 100, 100]));
    const rows = eventPhaseRows(first, last);
    expect(rows.map((r) => [r.phase, r.events, Math.round(r.p50Ms * 1000) / 1000, Math.round(r.p99Ms * 1000) / 1000])).toEqual([
      ['queued', 100, 0.556, 9.1],
      ['delivering', 100, 55, 99.1],
    ]);
    expect(eventPhaseText(rows)).toBe('queued p50 0.6 ms, p99 9.1 ms (100 events); delivering p50 55 ms, p99 99.1 ms (100 events)');
  });

  it('gives the highest finite bound for a rank beyond it, and skips a phase without events', () => {
    const rows = eventPhaseRows(parseEventPhases(scrape([0, 0, 0, 0], [0, 0, 0, 0])), parseEventPhases(scrape([0, 0, 0, 10], [0, 0, 0, 0])));
    expect(rows).toEqual([{ phase: 'queued', events: 10, p50Ms: 100, p99Ms: 100 }]);
  });
});

describe('pauses', () => {
  /** One scrape: major GCs with their cumulative buckets (0.001 … 5 s, as prom-client's), and the loop's delay since the last scrape. */
  const scrape = (major: { buckets: number[]; count: number; sum: number }, lag: { p99: number; max: number }) =>
    [
      '# TYPE mattermost_nodejs_gc_duration_seconds histogram',
      ...['0.001', '0.01', '0.1', '1', '2', '5', '+Inf'].map(
        (le, i) => `mattermost_nodejs_gc_duration_seconds_bucket{le="${le}",kind="major"} ${major.buckets[i] ?? major.count}`,
      ),
      `mattermost_nodejs_gc_duration_seconds_sum{kind="major"} ${major.sum}`,
      `mattermost_nodejs_gc_duration_seconds_count{kind="major"} ${major.count}`,
      `mattermost_nodejs_eventloop_lag_p99_seconds ${lag.p99}`,
      `mattermost_nodejs_eventloop_lag_max_seconds ${lag.max}`,
      'mattermost_nodejs_eventloop_lag_p50_seconds 0.001',
    ].join('\n');

  it("counts the window's GC pauses by kind, those over 100 ms and 1 s, and the loop's delay of each scrape after the first", () => {
    const scrapes = [
      // Before the window: 10 pauses, 2 of them over 100 ms (none over 1 s); the lag of the interval before it does not count.
      scrape({ buckets: [0, 5, 8, 10, 10, 10], count: 10, sum: 0.5 }, { p99: 9, max: 9 }),
      scrape({ buckets: [0, 6, 9, 11, 12, 12], count: 12, sum: 1.5 }, { p99: 0.02, max: 0.3 }),
      // Over the window: 5 more pauses, 1.5 s more; of them 3 over 100 ms and 2 over 1 s.
      scrape({ buckets: [0, 7, 10, 13, 15, 15], count: 15, sum: 2 }, { p99: 0.05, max: 1.2 }),
      scrape({ buckets: [0, 7, 10, 13, 15, 15], count: 15, sum: 2 }, { p99: 0.01, max: 0.02 }),
    ].map(parseRuntimePauses);
    const p = pausesOverWindow(scrapes, 15)!;
    expect(p.gc).toEqual([{ kind: 'major', count: 5, seconds: 1.5, over100ms: 3, over1s: 2 }]);
    expect([p.lagP99MedianMs, p.lagP99WorstMs, p.lagMaxMs].map(Math.round)).toEqual([20, 50, 1200]);
    expect(pausesText(p)).toBe(
      "major GC 5 pauses, 1.5 s in all, 3 longer than 100 ms and 2 longer than 1 s; the event loop's delay p99 per 15 s: median 20 ms, worst 50 ms; its longest delay 1,200 ms",
    );
  });

  it('has nothing to say about a window of one scrape', () => {
    expect(pausesOverWindow([parseRuntimePauses(scrape({ buckets: [], count: 0, sum: 0 }, { p99: 0, max: 0 }))], 15)).toBeUndefined();
  });
});
