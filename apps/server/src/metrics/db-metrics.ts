import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { DurationHistogram } from '#common';
import { ConfigService } from '#config';
import { Database } from '#db';
import { Metrics } from './metrics.js';

const STORE_TIME_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The database families (Mattermost's MetricsSubsystemDB): open connections per pool kind and the
 * replicas' lag, read from the Database at each scrape, and mattermost_db_store_time, the time of
 * every repository method (Mattermost times each store method in its timer layer:
 * `PostStore.GetPosts`; ours are `PostsRepository.page`). The timing wraps each repository's
 * methods while MetricsSettings.Enable is on: a clock read and a few additions per call.
 */
@Injectable()
export class DbMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly db: Database,
    private readonly config: ConfigService,
    private readonly discovery: DiscoveryService,
  ) {}

  onModuleInit(): void {
    const db = this.db;
    // Gauges in Mattermost named like counters: untyped, so that promtool's lint passes, as the
    // other families do it (Metrics.labelledFrom).
    const connections = (name: string, help: string, read: (c: ReturnType<Database['openConnections']>) => number) =>
      this.metrics.labelledFrom('untyped', name, help, () => [[{}, read(db.openConnections())]]);
    connections('mattermost_db_master_connections_total', 'The total number of connections to the master database.', (c) => c.master);
    connections('mattermost_db_read_replica_connections_total', 'The total number of connections to all the read replica databases.', (c) => c.replicas);
    connections('mattermost_db_search_replica_connections_total', 'The total number of connections to the search replica database.', (c) => c.searchReplicas);
    const lag = (name: string, help: string, pick: 'abs' | 'time') =>
      this.metrics.labelledFrom('gauge', name, help, () => [...(db.replicaSet?.lag()[pick] ?? [])].map(([node, value]) => [{ node }, value] as const));
    lag('mattermost_db_replica_lag_abs', 'An abstract unit for measuring replica lag (bytes of WAL behind the master).', 'abs');
    lag('mattermost_db_replica_lag_time', 'A time unit for measuring replica lag (seconds).', 'time');
    this.timeRepositories();
  }

  /**
   * Wraps each repository method in a timer while metrics are on, and takes the wrappers off
   * (the prototype's methods answer again) when they are turned off: a node with metrics off pays
   * nothing per call (a wrapper that only checked the setting cost 1 % of the server's CPU at
   * capacity, bench:capacity's profile).
   */
  private timeRepositories(): void {
    // Plain bucket counts per method and outcome, read at scrape time (Metrics.histogramFrom).
    const times = new Map<string, DurationHistogram>();
    const histogram = (method: string, success: boolean) => {
      const h = new DurationHistogram(STORE_TIME_BUCKETS);
      times.set(`${method} ${success}`, h);
      return h;
    };
    this.metrics.histogramFrom('mattermost_db_store_time', 'Time to execute the store method', () =>
      [...times]
        .filter(([, h]) => h.count > 0)
        .map(([key, h]) => [{ method: key.slice(0, key.lastIndexOf(' ')), success: key.slice(key.lastIndexOf(' ') + 1) }, h] as const),
    );
    const wrappers: Array<{ instance: Record<string, unknown>; name: string; timed: unknown }> = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      const type = instance?.constructor?.name;
      if (!instance || !type?.endsWith('Repository')) continue;
      const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const original = proto[name];
        if (name === 'constructor' || typeof original !== 'function' || Object.hasOwn(instance, name)) continue;
        const method = `${type}.${name}`;
        wrappers.push({ instance, name, timed: timedMethod(original as (...args: unknown[]) => unknown, histogram(method, true), histogram(method, false)) });
      }
    }
    let on = false;
    const apply = (enable: boolean) => {
      if (enable === on) return;
      on = enable;
      for (const w of wrappers) {
        if (enable) w.instance[w.name] = w.timed;
        else delete w.instance[w.name];
      }
    };
    apply(this.config.get().MetricsSettings.Enable);
    this.config.onChange((_old, next) => apply(next.MetricsSettings.Enable));
  }
}

/** `original`, observing each call's time in `ok`, or in `failed` when it rejected. */
function timedMethod(original: (...args: unknown[]) => unknown, ok: DurationHistogram, failed: DurationHistogram) {
  return function timed(this: unknown, ...args: unknown[]) {
    const started = performance.now();
    const result = original.apply(this, args);
    if (!(result instanceof Promise)) {
      ok.observe((performance.now() - started) / 1000);
      return result;
    }
    return result.then(
      (value) => {
        ok.observe((performance.now() - started) / 1000);
        return value;
      },
      (err: unknown) => {
        failed.observe((performance.now() - started) / 1000);
        throw err;
      },
    );
  };
}
