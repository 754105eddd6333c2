import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, type Metric, Registry } from 'prom-client';
import type { DurationHistogram } from '#common';

export type Labels = Record<string, string>;

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
  private readonly apiTime = new Histogram({
    name: 'mattermost_api_time',
    help: 'Time to execute the api handler',
    labelNames: ['handler', 'method', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly posts = new Counter({ name: 'mattermost_post_total', help: 'The total number of posts created.', registers: [this.registry] });

  private runtimeStarted = false;

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

  /** One API request answered: its route handler, method, status and duration. */
  apiRequest(handler: string, method: string, status: number, seconds: number): void {
    this.httpRequests.inc();
    if (status >= 400) this.httpErrors.inc();
    this.apiTime.observe({ handler, method, status_code: String(status) }, seconds);
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
