import { Module } from '@nestjs/common';
import { PingGateway } from './ping.gateway.js';
import { MattermostWsAdapter } from './websocket.adapter.js';
import { WebSocketEndpoint } from './websocket.server.js';

/** /api/v4/websocket. main.ts installs the adapter; the areas' gateways answer the actions. */
@Module({ providers: [WebSocketEndpoint, MattermostWsAdapter, PingGateway] })
export class WebSocketModule {}
