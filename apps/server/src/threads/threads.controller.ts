import { Controller, Delete, Get, HttpCode, Param, Put, Post, Query } from '@nestjs/common';
import { badRequest, invalidParam, invalidUrlParam, notFound } from '#common';
import { CurrentSession } from '../common/decorators.js';
import { pagination, parseBoolParam, urlId, urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { UserThreadsQuery } from './thread.model.js';
import { ThreadsService } from './threads.service.js';

const OK = { status: 'OK' };

/** The store's page size when the client asks for none. */
const DEFAULT_THREAD_PAGE = 30;

/** A path segment Mattermost's router constrains to digits ({timestamp:[0-9]+}): anything else matches no route. */
function urlTimestamp(value: string): number {
  if (!/^[0-9]+$/.test(value)) throw notFound('api.context.404.app_error', 'Sorry, we could not find the page.');
  const timestamp = Number(value);
  // RequireTimestamp: 0 (or a number past int64) is no timestamp.
  if (timestamp === 0 || !Number.isSafeInteger(timestamp)) throw invalidUrlParam('timestamp');
  return timestamp;
}

/** getThreadsForUser's query: strconv.ParseUint for since, strconv.ParseBool for the flags. */
function threadsQuery(q: Record<string, string | undefined>): UserThreadsQuery {
  let since = 0;
  if (q.since !== undefined && q.since !== '') {
    if (!/^[0-9]+$/.test(q.since) || !Number.isSafeInteger(Number(q.since))) throw invalidParam('since');
    since = Number(q.since);
  }
  const query: UserThreadsQuery = {
    pageSize: pagination(q).perPage || DEFAULT_THREAD_PAGE,
    since,
    before: q.before ?? '',
    after: q.after ?? '',
    totalsOnly: parseBoolParam(q.totalsOnly),
    threadsOnly: parseBoolParam(q.threadsOnly),
    deleted: parseBoolParam(q.deleted),
    unread: parseBoolParam(q.unread),
    extended: parseBoolParam(q.extended),
  };
  if (query.before && query.after)
    throw badRequest('api.getThreadsForUser.bad_params', 'Before and after parameters to getThreadsForUser are mutually exclusive.');
  if (query.totalsOnly && query.threadsOnly) {
    throw badRequest('api.getThreadsForUser.bad_only_params', 'OnlyThreads and OnlyTotals parameters to getThreadsForUser are mutually exclusive.');
  }
  return query;
}

/** /api/v4/users/{user_id}/teams/{team_id}/threads…: a user's followed threads (collapsed reply threads). */
@Controller('users/:user_id/teams/:team_id/threads')
export class ThreadsController {
  constructor(private readonly threads: ThreadsService) {}

  @Get()
  async list(@Param('user_id') userId: string, @Param('team_id') teamId: string, @Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const uid = urlUserId(userId, s);
    const tid = urlId(teamId, 'team_id');
    return this.threads.list(s, uid, tid, threadsQuery(q));
  }

  @Put('read')
  async markAllRead(@Param('user_id') userId: string, @Param('team_id') teamId: string, @CurrentSession() s: Session) {
    const uid = urlUserId(userId, s);
    await this.threads.markAllRead(s, uid, urlId(teamId, 'team_id'));
    return OK;
  }

  @Get(':thread_id')
  async get(
    @Param('user_id') userId: string,
    @Param('team_id') teamId: string,
    @Param('thread_id') threadId: string,
    @Query('extended') extended: string | undefined,
    @CurrentSession() s: Session,
  ) {
    const uid = urlUserId(userId, s);
    urlId(teamId, 'team_id');
    return this.threads.get(s, uid, urlId(threadId, 'thread_id'), parseBoolParam(extended));
  }

  @Put(':thread_id/following')
  async follow(@Param('user_id') userId: string, @Param('team_id') teamId: string, @Param('thread_id') threadId: string, @CurrentSession() s: Session) {
    return this.setFollowing(userId, teamId, threadId, true, s);
  }

  @Delete(':thread_id/following')
  async unfollow(@Param('user_id') userId: string, @Param('team_id') teamId: string, @Param('thread_id') threadId: string, @CurrentSession() s: Session) {
    return this.setFollowing(userId, teamId, threadId, false, s);
  }

  @Put(':thread_id/read/:timestamp')
  async markRead(
    @Param('user_id') userId: string,
    @Param('team_id') teamId: string,
    @Param('thread_id') threadId: string,
    @Param('timestamp') timestamp: string,
    @CurrentSession() s: Session,
  ) {
    const ts = urlTimestamp(timestamp);
    // RequireUserId().RequireThreadId().RequireTimestamp().RequireTeamId(), in that order.
    const uid = urlUserId(userId, s);
    const thread = urlId(threadId, 'thread_id');
    return this.threads.markRead(s, uid, urlId(teamId, 'team_id'), thread, ts);
  }

  @Post(':thread_id/set_unread/:post_id')
  @HttpCode(200)
  async markUnread(
    @Param('user_id') userId: string,
    @Param('team_id') teamId: string,
    @Param('thread_id') threadId: string,
    @Param('post_id') postId: string,
    @CurrentSession() s: Session,
  ) {
    const uid = urlUserId(userId, s);
    const thread = urlId(threadId, 'thread_id');
    const post = urlId(postId, 'post_id');
    return this.threads.markUnread(s, uid, urlId(teamId, 'team_id'), thread, post);
  }

  private async setFollowing(userId: string, teamId: string, threadId: string, following: boolean, s: Session) {
    const uid = urlUserId(userId, s);
    const thread = urlId(threadId, 'thread_id');
    await this.threads.setFollowing(s, uid, urlId(teamId, 'team_id'), thread, following);
    return OK;
  }
}
