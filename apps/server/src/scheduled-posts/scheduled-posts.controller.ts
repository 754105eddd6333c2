import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { invalidParam } from '#common';
import { CurrentSession } from '../common/decorators.js';
import { boolParam } from '../common/params.js';
import type { Session } from '../common/session.js';
import { routeSegment } from '../drafts/drafts.controller.js';
import { parseScheduledPostInput } from './scheduled-post.model.js';
import { ScheduledPostsService } from './scheduled-posts.service.js';

/** api4/scheduled_post.go. Create, update and delete all answer 201, as Mattermost's do. */
@Controller()
export class ScheduledPostsController {
  constructor(private readonly scheduled: ScheduledPostsService) {}

  @Post('posts/schedule')
  @HttpCode(201)
  async create(@Body() body: unknown, @Headers('connection-id') connectionId: string | undefined, @CurrentSession() s: Session) {
    return this.scheduled.create(s, parseScheduledPostInput(body), connectionId ?? '');
  }

  @Put('posts/schedule/:scheduled_post_id')
  @HttpCode(201)
  async update(
    @Param('scheduled_post_id') id: string,
    @Body() body: unknown,
    @Headers('connection-id') connectionId: string | undefined,
    @CurrentSession() s: Session,
  ) {
    const input = parseScheduledPostInput(body);
    const raw = body as Record<string, unknown>;
    const createAt = raw.create_at ?? 0;
    const userId = raw.user_id ?? '';
    if (typeof createAt !== 'number' || !Number.isSafeInteger(createAt) || typeof userId !== 'string') throw invalidParam('schedule_post');
    return this.scheduled.update(s, routeSegment(id), { ...input, create_at: createAt, user_id: userId }, connectionId ?? '');
  }

  @Delete('posts/schedule/:scheduled_post_id')
  @HttpCode(201)
  async delete(@Param('scheduled_post_id') id: string, @Headers('connection-id') connectionId: string | undefined, @CurrentSession() s: Session) {
    return this.scheduled.delete(s, routeSegment(id), connectionId ?? '');
  }

  @Get('posts/scheduled/team/:team_id')
  async listForTeam(@Param('team_id') teamId: string, @Query('includeDirectChannels') includeDirect: string | undefined, @CurrentSession() s: Session) {
    return this.scheduled.listForTeam(s, routeSegment(teamId), boolParam(includeDirect));
  }
}
