import { Injectable } from '@nestjs/common';
import { ConfigService } from '#config';
import { WebConnection } from '#realtime';
import { versionId } from '../common/http-pipeline.js';

export type ActionReply = { status: 'OK'; data?: Record<string, unknown> } | { status: 'FAIL'; error: { id: string; message: string } };

const fail = (id: string, message: string): ActionReply => ({ status: 'FAIL', error: { id, message } });

/** Client → server requests on an authenticated socket (wsapi). */
@Injectable()
export class WebSocketActions {
  constructor(private readonly config: ConfigService) {}

  async handle(connection: WebConnection, action: string, data: Record<string, unknown>): Promise<ActionReply> {
    switch (action) {
      case 'ping':
        return { status: 'OK', data: { text: 'pong', version: versionId(this.config), server_time: Date.now(), node_id: '' } };
      default:
        return fail('api.web_socket_router.bad_action.app_error', `Unknown action ${action}.`);
    }
  }
}
