import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The node's Prometheus metrics (Mattermost's metrics names, server/enterprise/metrics): one
 * registry per process, read by the metrics server on MetricsSettings.ListenAddress. Areas
 * record through the few methods here; process and Node runtime metrics come with the registry
 * (`mattermost_process_*`, `mattermost_nodejs_*`, as Mattermost's Go collectors are prefixed).
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

  constructor() {
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
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
