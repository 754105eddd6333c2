import { describe, expect, it } from 'vitest';
import { parseRouteCounters, renderRouteTable, routeRows } from './route-table.js';

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
