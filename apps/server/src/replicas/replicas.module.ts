import { Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { ClusterTransport } from '#cluster';
import { Database } from '#db';
import { ClusterState } from '../cluster/cluster-state.js';
import { ReadRoutingInterceptor } from './read-routing.interceptor.js';
import { shareFences } from './replica-fences.js';

/**
 * Read replicas (SqlSettings.DataSourceReplicas, DataSourceSearchReplicas): the per-request read
 * context, fences shared with the other nodes, and the monitor, started once the node can take
 * its peers' fences (the monitor's first floor then covers whatever came before).
 */
@Module({ providers: [{ provide: APP_INTERCEPTOR, useClass: ReadRoutingInterceptor }] })
export class ReplicasModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly db: Database,
    private readonly cluster: ClusterState,
  ) {}

  onModuleInit(): void {
    const replicas = this.db.replicaSet;
    const transport = (this.cluster as ClusterState & { transport?: ClusterTransport }).transport;
    if (replicas && this.cluster.enabled && transport) shareFences(replicas, transport);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.db.startReplicaMonitor();
  }
}
