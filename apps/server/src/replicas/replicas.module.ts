import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { Database } from '#db';
import { ReadRoutingInterceptor } from './read-routing.interceptor.js';

/**
 * Read replicas (SqlSettings.DataSourceReplicas, DataSourceSearchReplicas): the per-request read
 * context and the monitor. In a cluster the fences are shared with the other nodes by the cluster
 * runtime (cluster/replica-fences.ts), which is attached before the app starts, so the monitor's
 * first floor covers whatever came before.
 */
@Module({ providers: [{ provide: APP_INTERCEPTOR, useClass: ReadRoutingInterceptor }] })
export class ReplicasModule implements OnApplicationBootstrap {
  constructor(private readonly db: Database) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.db.startReplicaMonitor();
  }
}
