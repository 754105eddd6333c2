import { ConnectedSocket, MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { isValidId } from '#common';
import type { WebConnection } from '#realtime';
import { ActionGateway, type ActionData, invalidActionParam } from '../websocket/action-gateway.js';
import { StatusService } from './status.service.js';

/** Presence over the socket (wsapi status.go): the REST status routes' socket twins. */
@ActionGateway()
export class StatusGateway {
  constructor(private readonly status: StatusService) {}

  /** Everyone who is not offline: user id → status. */
  @SubscribeMessage('get_statuses')
  getStatuses() {
    return this.status.getAllConnectedStatuses();
  }

  @SubscribeMessage('get_statuses_by_ids')
  getStatusesByIds(@MessageBody() data: ActionData) {
    const ids = data.user_ids;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every(isValidId)) throw invalidActionParam('user_ids');
    return this.status.getStatusesByIds(ids as string[]);
  }

  /** The client reports activity (online) or inactivity (away once idle long enough). */
  @SubscribeMessage('user_update_active_status')
  async updateActiveStatus(@ConnectedSocket() connection: WebConnection, @MessageBody() data: ActionData) {
    if (typeof data.user_is_active !== 'boolean') throw invalidActionParam('user_is_active');
    await this.status.setActivity(connection.userId, data.user_is_active, data.manual === true);
  }
}
