import { Module } from '@nestjs/common';
import { StatusModule } from '../status/status.module.js';
import { WebSocketActions } from './websocket.actions.js';
import { WebSocketEndpoint } from './websocket.server.js';

@Module({ imports: [StatusModule], providers: [WebSocketEndpoint, WebSocketActions] })
export class WebSocketModule {}
