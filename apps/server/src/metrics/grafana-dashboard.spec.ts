/**
 * deploy/grafana/mattermost-cluster.json: a dashboard Grafana imports (a data source variable that
 * every panel and query uses), whose every PromQL expression names only metrics that exist: the
 * families of a live Metrics registry with every source registered, the push proxy's registry,
 * and the database families (db-metrics.ts, which needs a Database and the providers: listed here).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PushMetrics as PushProxyMetrics } from '../../../push-proxy/src/metrics.js';
import { emptySources, registerFamilies } from './families.js';
import { Metrics } from './metrics.js';

const DASHBOARD = join(import.meta.dirname, '../../../../deploy/grafana/mattermost-cluster.json');

/** The database families of db-metrics.ts, with Mattermost's names (its read replicas' gauge is `read_replica`). */
const ADDED_BY_THE_REPLICA_WORK: Record<string, 'gauge' | 'histogram'> = {
  mattermost_db_master_connections_total: 'gauge',
  mattermost_db_read_replica_connections_total: 'gauge',
  mattermost_db_search_replica_connections_total: 'gauge',
  mattermost_db_store_time: 'histogram',
  mattermost_db_replica_lag_abs: 'gauge',
  mattermost_db_replica_lag_time: 'gauge',
};

const SERIES_SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };

/** Every series name a set of families exposes (a histogram's `_bucket`, `_sum` and `_count`). */
function seriesNames(families: Array<{ name: string; type: string }>): Set<string> {
  const out = new Set<string>();
  for (const { name, type } of families) {
    out.add(name);
    for (const suffix of SERIES_SUFFIXES[type] ?? []) out.add(name + suffix);
  }
  return out;
}

function exported(): Set<string> {
  const server = new Metrics();
  server.startRuntimeMetrics();
  registerFamilies(server, emptySources());
  const proxy = new PushProxyMetrics();
  return seriesNames([
    ...server.registry.getMetricsAsArray().map((m) => ({ name: m.name, type: String((m as unknown as { type: string }).type) })),
    ...proxy.registry.getMetricsAsArray().map((m) => ({ name: m.name, type: String((m as unknown as { type: string }).type) })),
    ...Object.entries(ADDED_BY_THE_REPLICA_WORK).map(([name, type]) => ({ name, type })),
  ]);
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: identifiers left once strings, label matchers,
 * ranges, grouping clauses, functions (an identifier before `(`) and keywords are taken out.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = stripped.slice(m.index! + m[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return names;
}

interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; datasource?: { uid: string } }>;
  panels?: Panel[];
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
  uid: string;
  title: string;
  templating: { list: Array<{ name: string; type: string; query: unknown; datasource?: { uid: string } }> };
  panels: Panel[];
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');

describe('the Grafana dashboard', () => {
  it('reads metric names out of PromQL', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, handler) (rate(mattermost_api_time_bucket{instance=~"$instance", x="a{b}"}[$__rate_interval]))) and on (handler) topk(10, up)',
      ),
    ).toEqual(['mattermost_api_time_bucket', 'up']);
    expect(metricNames('-sum(rate(a_total[5m])) / b')).toEqual(['a_total', 'b']);
  });

  it('has a Prometheus data source variable that every panel and query uses', () => {
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(variable).toMatchObject({ name: 'datasource', query: 'prometheus' });
    for (const v of dashboard.templating.list.filter((v) => v.type === 'query')) expect(v.datasource?.uid, v.name).toBe('${datasource}');
    expect(panels.length).toBeGreaterThan(20);
    for (const p of panels) {
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe('${datasource}');
    }
    expect(new Set(dashboard.panels.map((p) => JSON.stringify((p as unknown as { gridPos: unknown }).gridPos))).size).toBe(dashboard.panels.length);
  });

  it('queries only metrics that the server, the push proxy or the replica work export', () => {
    const known = exported();
    const unknown: string[] = [];
    const queries = [
      ...panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr }))),
      ...dashboard.templating.list.filter((v) => v.type === 'query').map((v) => ({ where: `$${v.name}`, expr: (v.query as { query: string }).query })),
    ];
    for (const { where, expr } of queries) {
      const names = metricNames(expr.replace(/^label_values\((\w+),.*\)$/, '$1'));
      expect(names.length, `${where}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) if (!known.has(name)) unknown.push(`${where}: ${name}`);
    }
    expect(unknown).toEqual([]);
  });

  it('shows every family the server exports beyond the runtime defaults', () => {
    const server = new Metrics();
    registerFamilies(server, emptySources());
    const shown = new Set(panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr))));
    const missing = server
      .names()
      .filter((name) => !/^mattermost_(process|nodejs)_/.test(name))
      .filter((name) => ![name, `${name}_bucket`, `${name}_count`].some((n) => shown.has(n)));
    expect(missing).toEqual([]);
  });
});
