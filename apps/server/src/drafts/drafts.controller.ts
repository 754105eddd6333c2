import { Body, Controller, Delete, Get, Headers, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { notFound } from '#common';
import { CurrentSession } from '../common/decorators.js';
import type { Session } from '../common/session.js';
import { parseDraftInput } from './draft.model.js';
import { DraftsService } from './drafts.service.js';

const OK = { status: 'OK' };

/**
 * api4/drafts.go. The user id in the URL is not read (Mattermost's handlers use the session's
 * user), so a caller only ever sees and deletes their own drafts.
 */
@Controller()
export class DraftsController {
  constructor(private readonly drafts: DraftsService) {}

  @Post('drafts')
  async upsert(@Body() body: unknown, @Headers('connection-id') connectionId: string | undefined, @CurrentSession() s: Session, @Res() res: Response) {
    // 201 with the draft, or with `null` when an empty message deleted it.
    res.status(201).json(await this.drafts.upsert(s, parseDraftInput(body), connectionId ?? ''));
  }

  @Get('users/:user_id/teams/:team_id/drafts')
  async list(@Param('user_id') userId: string, @Param('team_id') teamId: string, @CurrentSession() s: Session) {
    routeSegment(userId);
    return this.drafts.list(s, routeSegment(teamId));
  }

  @Delete('users/:user_id/channels/:channel_id/drafts')
  async deleteChannelDraft(
    @Param('user_id') userId: string,
    @Param('channel_id') channelId: string,
    @Headers('connection-id') connectionId: string | undefined,
    @CurrentSession() s: Session,
  ) {
    routeSegment(userId);
    await this.drafts.delete(s, routeSegment(channelId), '', connectionId ?? '');
    return OK;
  }

  @Delete('users/:user_id/channels/:channel_id/drafts/:thread_id')
  async deleteThreadDraft(
    @Param('user_id') userId: string,
    @Param('channel_id') channelId: string,
    @Param('thread_id') threadId: string,
    @Headers('connection-id') connectionId: string | undefined,
    @CurrentSession() s: Session,
  ) {
    routeSegment(userId);
    await this.drafts.delete(s, routeSegment(channelId), routeSegment(threadId), connectionId ?? '');
    return OK;
  }
}

/** Mattermost's router matches these segments as `[A-Za-z0-9]+`; anything else is no route at all. */
export function routeSegment(value: string): string {
  if (!/^[A-Za-z0-9]+$/.test(value)) throw notFound('api.context.404.app_error', 'Sorry, we could not find the page.');
  return value;
}
