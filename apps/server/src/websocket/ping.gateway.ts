import { SubscribeMessage } from '@nestjs/websockets';
import { ConfigService } from '#config';
import { versionId } from '../common/http-pipeline.js';
import { ActionGateway } from './action-gateway.js';

/** The socket's own actions (wsapi system.go). */
@ActionGateway()
export class PingGateway {
  constructor(private readonly config: ConfigService) {}

  /** Clients ping to keep the socket alive and to learn which server build they talk to. */
  @SubscribeMessage('ping')
  ping() {
    return { text: 'pong', version: versionId(this.config), server_time: Date.now(), node_id: '' };
  }
}
