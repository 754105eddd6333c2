import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, type Metric, Registry } from 'prom-client';
import { DurationHistogram } from '#common';
import type { RequestDbStats } from '#db';

export type Labels = Record<string, string>;

const API_TIME_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Sample {
  metricName?: string;
  labels: Labels;
  value: number;
}

/**
 * The node's Prometheus metrics (Mattermost's metrics names, server/enterprise/metrics): one
 * registry per process, read by the metrics server on MetricsSettings.ListenAddress. The API
 * interceptor and posts record through the few methods here; every other family reads plain
 * counters that its area keeps (NamedCounts, DurationHistogram, stats objects) at scrape time
 * (families.ts), so those areas know nothing of Prometheus and pay one addition per event.
 * Process and Node runtime metrics come with the registry (`mattermost_process_*`,
 * `mattermost_nodejs_*`, as Mattermost's Go collectors are prefixed).
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly httpRequests = new Counter({
    name: 'mattermost_http_requests_total',
    help: 'The total number of http API requests.',
    registers: [this.registry],
  });
  private readonly httpErrors = new Counter({
    name: 'mattermost_http_errors_total',
    help: 'The total number of http API errors.',
    registers: [this.registry],
  });
  /**
   * mattermost_api_time by handler, method and status, and (ours) each handler's database
   * statements: kept as plain bucket counts under one string key and read at scrape time
   * (histogramFrom), so a request costs a map lookup and a few additions, not prom-client's
   * label validation and hashing (which, with the store timer, made metrics cost 7 % of the
   * server's CPU per request in bench:capacity).
   */
  private readonly apiTimes = new Map<string, { labels: Labels; histogram: DurationHistogram }>();
  private readonly apiDb = new Map<string, { queries: number; seconds: number }>();

  private readonly posts = new Counter({ name: 'mattermost_post_total', help: 'The total number of posts created.', registers: [this.registry] });

  private runtimeStarted = false;

  constructor() {
    this.registerApiFamilies();
  }

  /**
   * Process and Node runtime metrics, from the first time metrics are turned on: prom-client's
   * collectors sample the event loop's delay on a timer and observe every GC from the moment they
   * are registered, which a node with metrics off should not pay for. (They cannot be stopped, so
   * they run until the process ends once metrics were on.)
   */
  startRuntimeMetrics(): void {
    if (this.runtimeStarted) return;
    this.runtimeStarted = true;
    collectDefaultMetrics({ register: this.registry, prefix: 'mattermost_' });
    // Gauges named like counters, which Prometheus' lint (promtool check metrics) rejects; the
    // same counts by type stay (mattermost_nodejs_active_handles{type}, …).
    for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total'])
      this.registry.removeSingleMetric(`mattermost_nodejs_${name}`);
  }

  /** One API request answered: its route handler, method, status and duration, and its statements when counted. */
  apiRequest(handler: string, method: string, status: number, seconds: number, db?: RequestDbStats): void {
    this.httpRequests.inc();
    if (status >= 400) this.httpErrors.inc();
    const key = `${handler} ${method} ${status}`;
    let time = this.apiTimes.get(key);
    if (!time)
      this.apiTimes.set(key, (time = { labels: { handler, method, status_code: String(status) }, histogram: new DurationHistogram(API_TIME_BUCKETS) }));
    time.histogram.observe(seconds);
    if (!db) return;
    let statements = this.apiDb.get(handler);
    if (!statements) this.apiDb.set(handler, (statements = { queries: 0, seconds: 0 }));
    statements.queries += db.queries;
    statements.seconds += db.ms / 1000;
  }

  /** The API families read from the maps above (registered once, in the constructor). */
  private registerApiFamilies(): void {
    this.histogramFrom('mattermost_api_time', 'Time to execute the api handler', () =>
      [...this.apiTimes.values()].map((t) => [t.labels, t.histogram] as const),
    );
    // Ours: what each handler asks of the database (ReadRoutingInterceptor counts per request, with
    // MetricsSettings.EnableStatementCounts), so that a route that makes too many or too slow
    // queries shows by name (bench:capacity's route table).
    this.labelledFrom('counter', 'mattermost_api_db_queries_total', 'Database statements run by API requests, by handler.', () =>
      [...this.apiDb].map(([handler, d]) => [{ handler }, d.queries] as const),
    );
    this.labelledFrom('counter', 'mattermost_api_db_seconds_total', 'Time API requests waited on their database statements, by handler.', () =>
      [...this.apiDb].map(([handler, d]) => [{ handler }, d.seconds] as const),
    );
  }

  postCreated(): void {
    this.posts.inc();
  }

  /**
   * A counter whose value another part keeps (the push queue's counts): read at each scrape, so the
   * part needs no knowledge of Prometheus.
   */
  counterFrom(name: string, help: string, read: () => number): void {
    this.labelledFrom('counter', name, help, () => [[{}, read()]]);
  }

  /** A gauge read at each scrape. */
  gaugeFrom(name: string, help: string, read: () => number): void {
    this.labelledFrom('gauge', name, help, () => [[{}, read()]]);
  }

  /**
   * A counter or gauge with labels, read at each scrape: one sample per labels and value pair.
   * `untyped` is for Mattermost's names that Prometheus' lint rejects with their real type (a
   * gauge named `_total`, a counter named `_totals`): queries read untyped samples all the same.
   */
  labelledFrom(type: 'counter' | 'gauge' | 'untyped', name: string, help: string, read: () => Iterable<readonly [Labels, number]>): void {
    this.custom(name, help, type, () => {
      const out: Sample[] = [];
      for (const [labels, value] of read()) out.push({ labels, value });
      return out;
    });
  }

  /** A histogram kept elsewhere as bucket counts (DurationHistogram), one per labels, read at each scrape. */
  histogramFrom(name: string, help: string, read: () => Iterable<readonly [Labels, DurationHistogram]>): void {
    this.custom(name, help, 'histogram', () => {
      const out: Sample[] = [];
      for (const [labels, h] of read()) out.push(...histogramSamples(name, labels, h));
      return out;
    });
  }

  /** Names of every family registered (for the dashboard's check). */
  names(): string[] {
    return this.registry.getMetricsAsArray().map((m) => m.name);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** A family whose samples are computed at scrape time (prom-client formats what `get` returns). */
  private custom(name: string, help: string, type: 'counter' | 'gauge' | 'histogram' | 'untyped', values: () => Sample[]): void {
    const metric = {
      name,
      help,
      type,
      aggregator: 'sum',
      get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
      reset: () => undefined,
    };
    this.registry.registerMetric(metric as unknown as Metric);
  }
}

/** Prometheus' histogram samples: cumulative `_bucket`s by `le` (with +Inf), `_sum` and `_count`. */
export function histogramSamples(name: string, labels: Labels, h: DurationHistogram): Sample[] {
  const out: Sample[] = [];
  let cumulative = 0;
  h.bounds.forEach((bound, i) => {
    cumulative += h.counts[i];
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: String(bound) }, value: cumulative });
  });
  out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.count });
  out.push({ metricName: `${name}_sum`, labels, value: h.sum });
  out.push({ metricName: `${name}_count`, labels, value: h.count });
  return out;
}
