import { Injectable } from '@nestjs/common';
import { AppError, isValidId } from '#common';
import { ConfigService } from '#config';
import { WebConnection } from '#realtime';
import { versionId } from '../common/http-pipeline.js';
import { StatusService } from '../status/status.service.js';
import { TypingService } from '../status/typing.service.js';

export type ActionReply = { status: 'OK'; data?: Record<string, unknown> } | { status: 'FAIL'; error: { id: string; message: string } };

const fail = (id: string, message: string): ActionReply => ({ status: 'FAIL', error: { id, message } });
const badParam = (name: string) => fail('api.websocket_handler.invalid_param.app_error', `Invalid ${name} parameter.`);

/** Client → server requests on an authenticated socket (Mattermost's wsapi handlers). */
@Injectable()
export class WebSocketActions {
  constructor(
    private readonly config: ConfigService,
    private readonly status: StatusService,
    private readonly typing: TypingService,
  ) {}

  async handle(connection: WebConnection, action: string, data: Record<string, unknown>): Promise<ActionReply> {
    try {
      return await this.dispatch(connection, action, data);
    } catch (err) {
      if (err instanceof AppError) return fail(err.id, err.message);
      return fail('api.web_socket_router.internal_error', 'The action failed.');
    }
  }

  private async dispatch(connection: WebConnection, action: string, data: Record<string, unknown>): Promise<ActionReply> {
    const userId = connection.userId;
    switch (action) {
      case 'ping':
        return { status: 'OK', data: { text: 'pong', version: versionId(this.config), server_time: Date.now(), node_id: '' } };
      case 'user_typing': {
        const channelId = data.channel_id;
        if (!isValidId(channelId)) return badParam('channel_id');
        const parentId = typeof data.parent_id === 'string' ? data.parent_id : '';
        if (!this.config.get().ServiceSettings.EnableUserTypingMessages) return { status: 'OK' };
        await this.typing.userTyping({ user_id: userId, roles: connection.owner.roles }, userId, channelId, parentId);
        return { status: 'OK' };
      }
      case 'get_statuses':
        return { status: 'OK', data: await this.status.getAllConnectedStatuses() };
      case 'get_statuses_by_ids': {
        const ids = data.user_ids;
        if (!Array.isArray(ids) || ids.length === 0 || !ids.every(isValidId)) return badParam('user_ids');
        return { status: 'OK', data: await this.status.getStatusesByIds(ids as string[]) };
      }
      case 'user_update_active_status': {
        if (typeof data.user_is_active !== 'boolean') return badParam('user_is_active');
        await this.status.setActivity(userId, data.user_is_active, data.manual === true);
        return { status: 'OK' };
      }
      default:
        return fail('api.web_socket_router.bad_action.app_error', `Unknown action ${action}.`);
    }
  }
}
