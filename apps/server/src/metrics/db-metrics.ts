import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Histogram } from 'prom-client';
import { ConfigService } from '#config';
import { Database } from '#db';
import { Metrics } from './metrics.js';

/**
 * The database families (Mattermost's MetricsSubsystemDB): open connections per pool kind and the
 * replicas' lag, read from the Database at each scrape, and mattermost_db_store_time, the time of
 * every repository method (Mattermost times each store method in its timer layer:
 * `PostStore.GetPosts`; ours are `PostsRepository.page`). The timing wraps each repository's
 * methods once at start: a clock read and a histogram observation per call, only while
 * MetricsSettings.Enable is on.
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

  private timeRepositories(): void {
    const storeTime = new Histogram({
      name: 'mattermost_db_store_time',
      help: 'Time to execute the store method',
      labelNames: ['method', 'success'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.metrics.registry],
    });
    const config = this.config;
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      const type = instance?.constructor?.name;
      if (!instance || !type?.endsWith('Repository')) continue;
      const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const original = proto[name];
        if (name === 'constructor' || typeof original !== 'function' || Object.hasOwn(instance, name)) continue;
        const method = `${type}.${name}`;
        instance[name] = function timed(this: unknown, ...args: unknown[]) {
          if (!config.get().MetricsSettings.Enable) return original.apply(this, args);
          const started = performance.now();
          const done = (success: boolean) => storeTime.observe({ method, success: String(success) }, (performance.now() - started) / 1000);
          const result = original.apply(this, args);
          if (!(result instanceof Promise)) {
            done(true);
            return result;
          }
          return result.then(
            (value) => {
              done(true);
              return value;
            },
            (err: unknown) => {
              done(false);
              throw err;
            },
          );
        };
      }
    }
  }
}
