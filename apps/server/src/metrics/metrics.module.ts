import { Module, OnModuleInit } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { Caches } from '#common';
import { Hub } from '#realtime';
import { ClusterState } from '../cluster/cluster-state.js';
import { JobRunner } from '../jobs/job-runner.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { PostCreatedListeners } from '../posts/post-created-listeners.js';
import { PostsModule } from '../posts/posts.module.js';
import { PushMetrics } from '../push/push-metrics.js';
import { PushModule } from '../push/push.module.js';
import { LoginService } from '../users/login.service.js';
import { UsersModule } from '../users/users.module.js';
import { WebSocketModule } from '../websocket/websocket.module.js';
import { WebSocketEndpoint } from '../websocket/websocket.server.js';
import { ApiMetricsGuard } from './api-metrics.guard.js';
import { DbMetrics } from './db-metrics.js';
import { registerFamilies } from './families.js';
import { Metrics } from './metrics.js';
import { MetricsServer } from './metrics-server.js';

/**
 * Prometheus metrics on MetricsSettings.ListenAddress (issue 16). It reads the other areas (new
 * posts through their listener seam; the counters of the push queue, the hub, the WebSocket
 * endpoint, the job runner, the login and the cluster at each scrape); nothing imports it.
 */
@Module({
  imports: [PostsModule, PushModule, WebSocketModule, JobsModule, UsersModule, DiscoveryModule],
  providers: [Metrics, MetricsServer, { provide: APP_GUARD, useClass: ApiMetricsGuard }, DbMetrics],
})
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly posts: PostCreatedListeners,
    private readonly push: PushMetrics,
    private readonly hub: Hub,
    private readonly sockets: WebSocketEndpoint,
    private readonly jobs: JobRunner,
    private readonly logins: LoginService,
    private readonly cluster: ClusterState,
    private readonly caches: Caches,
  ) {}

  onModuleInit(): void {
    this.posts.add(async () => this.metrics.postCreated(), { integrationPosts: true });
    const source = this.cluster.metricsSource();
    registerFamilies(this.metrics, {
      push: () => this.push.counts(),
      hub: this.hub,
      sockets: this.sockets,
      jobsActive: this.jobs.active,
      logins: this.logins,
      cluster: () => source,
      caches: this.caches,
    });
  }
}
