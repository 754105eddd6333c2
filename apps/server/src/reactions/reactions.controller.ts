import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { badRequest, invalidParam, invalidUrlParam, isValidId } from '#common';
import { CurrentSession } from '../common/decorators.js';
import { bodyObject, bodyStringList, optional, urlId, urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { EMOJI_NAME_MAX_LENGTH, isValidEmojiName } from './reaction.model.js';
import { ReactionsService } from './reactions.service.js';

/** Reaction endpoints (api4/reaction.go). */
@Controller()
export class ReactionsController {
  constructor(private readonly reactions: ReactionsService) {}

  @Post('reactions')
  @HttpCode(200)
  async save(@Body() body: unknown, @CurrentSession() s: Session) {
    const b = bodyObject(body, 'reaction');
    const userId = optional<string>(b, 'user_id', 'string') ?? '';
    const postId = optional<string>(b, 'post_id', 'string') ?? '';
    const emojiName = optional<string>(b, 'emoji_name', 'string') ?? '';
    if (!isValidId(userId) || !isValidId(postId) || emojiName === '' || emojiName.length > EMOJI_NAME_MAX_LENGTH) {
      throw badRequest('api.reaction.save_reaction.invalid.app_error', 'Reaction is not valid.');
    }
    return this.reactions.add(s, { user_id: userId, post_id: postId, emoji_name: emojiName });
  }

  @Get('posts/:post_id/reactions')
  async forPost(@Param('post_id') postId: string, @CurrentSession() s: Session) {
    return this.reactions.forPost(s, urlId(postId, 'post_id'));
  }

  @Delete('users/:user_id/posts/:post_id/reactions/:emoji_name')
  async remove(@Param('user_id') userId: string, @Param('post_id') postId: string, @Param('emoji_name') emojiName: string, @CurrentSession() s: Session) {
    const uid = urlUserId(userId, s);
    const pid = urlId(postId, 'post_id');
    if (!isValidEmojiName(emojiName)) throw invalidUrlParam('emoji_name');
    await this.reactions.remove(s, uid, pid, emojiName);
    return { status: 'OK' };
  }

  @Post('posts/ids/reactions')
  @HttpCode(200)
  async forPosts(@Body() body: unknown, @CurrentSession() s: Session) {
    const ids = [...new Set(bodyStringList(body, 'post_ids'))];
    if (ids.some((id) => !isValidId(id))) throw invalidParam('post_ids');
    return this.reactions.forPosts(s, ids);
  }
}
