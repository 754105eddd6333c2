import { ConnectedSocket, MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { isValidId } from '#common';
import { ConfigService } from '#config';
import type { WebConnection } from '#realtime';
import { ActionGateway, type ActionData, invalidActionParam } from '../websocket/action-gateway.js';
import { TypingService } from './typing.service.js';

/** `user_typing` {channel_id, parent_id?}: the socket twin of POST /users/{user_id}/typing (wsapi user.go). */
@ActionGateway()
export class TypingGateway {
  constructor(
    private readonly config: ConfigService,
    private readonly typing: TypingService,
  ) {}

  @SubscribeMessage('user_typing')
  async userTyping(@ConnectedSocket() connection: WebConnection, @MessageBody() data: ActionData) {
    const channelId = data.channel_id;
    if (!isValidId(channelId)) throw invalidActionParam('channel_id');
    const parentId = typeof data.parent_id === 'string' ? data.parent_id : '';
    // Switched off, the action is accepted and announces nothing.
    if (!this.config.get().ServiceSettings.EnableUserTypingMessages) return;
    const { owner } = connection;
    await this.typing.userTyping({ user_id: owner.userId, roles: owner.roles }, owner.userId, channelId, parentId);
  }
}
