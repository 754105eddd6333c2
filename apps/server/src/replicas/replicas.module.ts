import { DynamicModule, Module, OnApplicationBootstrap, Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { Database } from '#db';
import type { CoreParts } from '../core/core.module.js';
import { ReadRoutingInterceptor } from './read-routing.interceptor.js';

/**
 * Read replicas (SqlSettings.DataSourceReplicas, DataSourceSearchReplicas): the per-request read
 * context and the monitor. In a cluster the fences are shared with the other nodes by the cluster
 * runtime (cluster/replica-fences.ts), which is attached before the app starts, so the monitor's
 * first floor covers whatever came before.
 *
 * The read context's interceptor is on every route only when the node has replicas or counts
 * statements (MetricsSettings.EnableStatementCounts, read at start-up): any interceptor on a route
 * runs Nest's Observable chain around its handler, a large part of a cheap route's CPU
 * (ApiMetricsGuard's note), for nothing when there is nothing to route or count.
 */
@Module({})
export class ReplicasModule implements OnApplicationBootstrap {
  constructor(private readonly db: Database) {}

  static register(parts: Pick<CoreParts, 'config' | 'db'>): DynamicModule {
    const wanted = parts.db.replicaSet !== undefined || parts.config.get().MetricsSettings.EnableStatementCounts;
    const providers: Provider[] = wanted ? [{ provide: APP_INTERCEPTOR, useClass: ReadRoutingInterceptor }] : [];
    return { module: ReplicasModule, providers };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.db.startReplicaMonitor();
  }
}
