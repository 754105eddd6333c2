import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { invalidParam, isValidId } from '#common';
import { CurrentSession } from '../common/decorators.js';
import { bodyObject, optional, urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { TypingService } from './typing.service.js';

/** POST /users/{user_id}/typing {channel_id, parent_id?}: the REST twin of the `user_typing` socket action. */
@Controller('users')
export class TypingController {
  constructor(private readonly typing: TypingService) {}

  @Post(':user_id/typing')
  @HttpCode(200)
  async typingNotice(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const b = bodyObject(body, 'typing_request');
    const channelId = optional<string>(b, 'channel_id', 'string');
    if (!channelId || !isValidId(channelId)) throw invalidParam('channel_id');
    const parentId = optional<string>(b, 'parent_id', 'string') ?? '';
    await this.typing.userTyping(s, id, channelId, parentId);
    return { status: 'OK' };
  }
}
