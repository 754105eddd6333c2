import { Module, OnModuleInit } from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { PostCreatedListeners } from '../posts/post-created-listeners.js';
import { PostsModule } from '../posts/posts.module.js';
import { PushMetrics } from '../push/push-metrics.js';
import { PushModule } from '../push/push.module.js';
import { ApiMetricsInterceptor } from './api-metrics.interceptor.js';
import { DbMetrics } from './db-metrics.js';
import { Metrics } from './metrics.js';
import { MetricsServer } from './metrics-server.js';

/**
 * Prometheus metrics on MetricsSettings.ListenAddress (issue 16 builds on it). It reads the
 * other areas (new posts through their listener seam, the push counters); nothing imports it.
 */
@Module({
  imports: [PostsModule, PushModule, DiscoveryModule],
  providers: [Metrics, MetricsServer, { provide: APP_INTERCEPTOR, useClass: ApiMetricsInterceptor }, DbMetrics],
})
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly posts: PostCreatedListeners,
    private readonly push: PushMetrics,
  ) {}

  onModuleInit(): void {
    this.posts.add(async () => this.metrics.postCreated(), { integrationPosts: true });
    const pushes = () => this.push.counts();
    this.metrics.counterFrom('mattermost_post_pushes_sent_total', 'The total number of push notifications sent.', () => pushes().sent);
    this.metrics.counterFrom('mattermost_notifications_error_total', 'Push notifications the proxy failed or never answered.', () => pushes().failed);
    this.metrics.counterFrom('mattermost_push_dropped_total', 'Push notifications dropped because the push queue was full.', () => pushes().dropped);
    this.metrics.counterFrom('mattermost_push_removed_total', 'Devices the push proxy reported removed.', () => pushes().removed);
    this.metrics.counterFrom('mattermost_notifications_ack_total', 'Push notification acks from the apps.', () => pushes().acked);
  }
}
