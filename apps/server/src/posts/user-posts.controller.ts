import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CurrentSession } from '../common/decorators.js';
import { pagination, urlId, urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { PostPriorityService } from './post-priority.service.js';
import { PostUnreadService } from './post-unread.service.js';
import { SavedPostsService } from './saved-posts.service.js';

const OK = { status: 'OK' };

/** A user's relation to posts (api4/post.go): saved posts, marking unread, acknowledgements. */
@Controller()
export class UserPostsController {
  constructor(
    private readonly saved: SavedPostsService,
    private readonly unread: PostUnreadService,
    private readonly priority: PostPriorityService,
  ) {}

  @Get('users/:user_id/posts/flagged')
  async flagged(@Param('user_id') userId: string, @Query() q: Record<string, unknown>, @CurrentSession() s: Session) {
    const uid = urlUserId(userId, s);
    const { page, perPage } = pagination(q);
    return this.saved.flagged(s, uid, { channelId: stringParam(q.channel_id), teamId: stringParam(q.team_id), page, perPage });
  }

  @Post('users/:user_id/posts/:post_id/set_unread')
  @HttpCode(200)
  async setUnread(@Param('user_id') userId: string, @Param('post_id') postId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const pid = urlId(postId, 'post_id');
    const uid = urlUserId(userId, s);
    return this.unread.markUnread(s, uid, pid, collapsedThreadsSupported(body));
  }

  @Post('users/:user_id/posts/:post_id/ack')
  @HttpCode(200)
  async acknowledge(@Param('user_id') userId: string, @Param('post_id') postId: string, @CurrentSession() s: Session) {
    const pid = urlId(postId, 'post_id');
    return this.priority.acknowledge(s, urlUserId(userId, s), pid);
  }

  @Delete('users/:user_id/posts/:post_id/ack')
  async unacknowledge(@Param('user_id') userId: string, @Param('post_id') postId: string, @CurrentSession() s: Session) {
    const pid = urlId(postId, 'post_id');
    await this.priority.unacknowledge(s, urlUserId(userId, s), pid);
    return OK;
  }
}

function stringParam(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** model.MapBoolFromJSON: a body that is not a map of booleans reads as empty, never an error. */
function collapsedThreadsSupported(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  return (body as Record<string, unknown>).collapsed_threads_supported === true;
}
