import { Module } from '@nestjs/common';
import { NotificationAckGateway } from './notification-ack.gateway.js';
import { NotificationMetrics } from './notification-metrics.js';
import { PingGateway } from './ping.gateway.js';
import { PresenceGateway } from './presence.gateway.js';
import { MattermostWsAdapter } from './websocket.adapter.js';
import { WebSocketEndpoint } from './websocket.server.js';

/** /api/v4/websocket. main.ts installs the adapter; the areas' gateways answer the actions. */
@Module({
  providers: [WebSocketEndpoint, MattermostWsAdapter, PingGateway, PresenceGateway, NotificationAckGateway, NotificationMetrics],
  // NotificationMetrics and WebSocketEndpoint: the metrics endpoint reads their counters.
  exports: [NotificationMetrics, WebSocketEndpoint],
})
export class WebSocketModule {}
