import { Module } from '@nestjs/common';
import { WebSocketActions } from './websocket.actions.js';
import { WebSocketEndpoint } from './websocket.server.js';

@Module({ providers: [WebSocketEndpoint, WebSocketActions] })
export class WebSocketModule {}
