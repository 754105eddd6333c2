import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { badRequest, invalidParam, invalidUrlParam, isValidId } from '#common';
import { CurrentSession } from '../common/decorators.js';
import { bodyObject, bodyStringList, boolParam, optional, pagination, required, urlId, urlUserId } from '../common/params.js';
import type { ApiRequest } from '../common/request.js';
import type { Session } from '../common/session.js';
import { Cacheable, PostListsService, ThreadOptions } from './post-lists.service.js';
import { parsePriorityInput } from './post-priority.js';
import { PostSearchService } from './post-search.service.js';
import { searchInput } from './search/search-input.js';
import { PostsService } from './posts.service.js';

const OK = { status: 'OK' };
const MAX_POST_IDS = 1000;
const LIMIT_DEFAULT = 60;
const LIMIT_MAX = 200;
const SEARCH_INVALID_BODY = 'api.post.search_posts.invalid_body.app_error';

/** Posts REST endpoints (api4/post.go); reading and writing live in the services. */
@Controller()
export class PostsController {
  constructor(
    private readonly posts: PostsService,
    private readonly lists: PostListsService,
    private readonly searcher: PostSearchService,
  ) {}

  @Post('posts')
  @HttpCode(201)
  async create(@Body() body: unknown, @Query('set_online') setOnline: string | undefined, @CurrentSession() s: Session) {
    const b = bodyObject(body, 'post');
    const channelId = required<string>(b, 'channel_id', 'string');
    if (!isValidId(channelId)) throw invalidParam('channel_id');
    return this.posts.create(
      s,
      {
        channel_id: channelId,
        message: optional<string>(b, 'message', 'string') ?? '',
        root_id: optional<string>(b, 'root_id', 'string') ?? '',
        file_ids: fileIds(b) ?? [],
        props: optional<Record<string, unknown>>(b, 'props', 'object') ?? {},
        pending_post_id: optional<string>(b, 'pending_post_id', 'string') ?? '',
        type: optional<string>(b, 'type', 'string') ?? '',
        create_at: optional<number>(b, 'create_at', 'number') ?? 0,
        priority: parsePriorityInput(b.metadata),
      },
      setOnline !== 'false',
    );
  }

  @Post('posts/ids')
  @HttpCode(200)
  async byIds(@Body() body: unknown, @CurrentSession() s: Session) {
    const ids = [...new Set(bodyStringList(body, 'post_ids', Number.MAX_SAFE_INTEGER))];
    if (ids.length === 0) throw invalidParam('post_ids');
    if (ids.length > MAX_POST_IDS) {
      throw badRequest('api.post.posts_by_ids.invalid_body.request_error', `The number of post ids may not exceed ${MAX_POST_IDS}.`);
    }
    if (ids.some((id) => !isValidId(id))) throw invalidParam('post_ids');
    return this.lists.byIds(s, ids);
  }

  @Post('posts/search')
  @HttpCode(200)
  async searchAllTeams(@Body() body: unknown, @CurrentSession() s: Session, @Res({ passthrough: true }) res: Response) {
    res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
    return this.searcher.search(s, null, searchInput(body, SEARCH_INVALID_BODY));
  }

  @Post('teams/:team_id/posts/search')
  @HttpCode(200)
  async searchTeam(@Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session, @Res({ passthrough: true }) res: Response) {
    const id = urlId(teamId, 'team_id');
    res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
    return this.searcher.search(s, id, searchInput(body, SEARCH_INVALID_BODY));
  }

  @Get('posts/:post_id')
  async get(
    @Param('post_id') postId: string,
    @Query('include_deleted') includeDeleted: string | undefined,
    @CurrentSession() s: Session,
    @Req() req: ApiRequest,
    @Res() res: Response,
  ) {
    send(res, await this.lists.get(s, urlId(postId, 'post_id'), boolParam(includeDeleted), ifNoneMatch(req)));
  }

  @Put('posts/:post_id')
  async update(@Param('post_id') postId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(postId, 'post_id');
    const b = bodyObject(body, 'post');
    if (optional<string>(b, 'id', 'string') !== id) throw invalidParam('id');
    return this.posts.update(s, id, {
      message: optional<string>(b, 'message', 'string') ?? '',
      is_pinned: optional<boolean>(b, 'is_pinned', 'boolean') ?? false,
      props: optional<Record<string, unknown>>(b, 'props', 'object') ?? {},
      file_ids: fileIds(b),
    });
  }

  @Put('posts/:post_id/patch')
  async patch(@Param('post_id') postId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const b = bodyObject(body, 'post');
    return this.posts.patch(s, urlId(postId, 'post_id'), {
      message: optional<string>(b, 'message', 'string'),
      is_pinned: optional<boolean>(b, 'is_pinned', 'boolean'),
      props: optional<Record<string, unknown>>(b, 'props', 'object'),
      file_ids: fileIds(b),
    });
  }

  @Delete('posts/:post_id')
  async delete(@Param('post_id') postId: string, @CurrentSession() s: Session) {
    await this.posts.delete(s, urlId(postId, 'post_id'));
    return OK;
  }

  @Get('posts/:post_id/thread')
  async thread(
    @Param('post_id') postId: string,
    @Query() q: Record<string, string>,
    @CurrentSession() s: Session,
    @Req() req: ApiRequest,
    @Res() res: Response,
  ) {
    const id = urlId(postId, 'post_id');
    const perPage = q.perPage === undefined || q.perPage === '' ? 0 : Number(q.perPage);
    if (!Number.isInteger(perPage) || perPage < 0 || perPage > LIMIT_MAX) throw invalidParam('perPage');
    const fromCreateAt = q.fromCreateAt ? Number(q.fromCreateAt) : 0;
    if (!Number.isInteger(fromCreateAt) || fromCreateAt < 0) throw invalidParam('fromCreateAt');
    const fromPost = q.fromPost ?? '';
    if (fromPost && (!fromCreateAt || !isValidId(fromPost))) throw invalidParam('fromPost');
    const direction = q.direction || 'down';
    if (direction !== 'up' && direction !== 'down') throw invalidParam('direction');
    const result = await this.lists.thread(s, id, { ...threadOptions(q), direction, perPage, fromCreateAt, fromPost }, ifNoneMatch(req));
    send(res, result);
  }

  @Post('posts/:post_id/pin')
  @HttpCode(200)
  async pin(@Param('post_id') postId: string, @CurrentSession() s: Session) {
    await this.posts.setPinned(s, urlId(postId, 'post_id'), true);
    return OK;
  }

  @Post('posts/:post_id/unpin')
  @HttpCode(200)
  async unpin(@Param('post_id') postId: string, @CurrentSession() s: Session) {
    await this.posts.setPinned(s, urlId(postId, 'post_id'), false);
    return OK;
  }

  @Get('channels/:channel_id/posts')
  async channelPosts(
    @Param('channel_id') channelId: string,
    @Query() q: Record<string, string>,
    @CurrentSession() s: Session,
    @Req() req: ApiRequest,
    @Res() res: Response,
  ) {
    const id = urlId(channelId, 'channel_id');
    const { page, perPage } = pagination(q);
    const since = q.since ? Number(q.since) : 0;
    if (!Number.isInteger(since) || since < 0) throw invalidParam('since');
    const before = q.before ?? '';
    if (before && !isValidId(before)) throw invalidParam('before');
    const after = q.after ?? '';
    if (after && !isValidId(after)) throw invalidParam('after');
    const query = { ...threadOptions(q), page, perPage, since, before, after, includeDeleted: boolParam(q.include_deleted) };
    send(res, await this.lists.channelPosts(s, id, query, ifNoneMatch(req)));
  }

  @Get('channels/:channel_id/pinned')
  async pinned(@Param('channel_id') channelId: string, @CurrentSession() s: Session) {
    return this.lists.pinned(s, urlId(channelId, 'channel_id'));
  }

  @Get('users/:user_id/channels/:channel_id/posts/unread')
  async unread(
    @Param('user_id') userId: string,
    @Param('channel_id') channelId: string,
    @Query() q: Record<string, string>,
    @CurrentSession() s: Session,
    @Req() req: ApiRequest,
    @Res() res: Response,
  ) {
    const uid = urlUserId(userId, s);
    const cid = urlId(channelId, 'channel_id');
    const limits = { before: limitParam(q.limit_before), after: limitParam(q.limit_after) };
    if (limits.after === 0) throw invalidUrlParam('limit_after');
    send(res, await this.lists.unread(s, uid, cid, limits, threadOptions(q), ifNoneMatch(req)));
  }
}

function fileIds(b: Record<string, unknown>): string[] | undefined {
  const value = b.file_ids;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalidParam('file_ids');
  return value as string[];
}

function threadOptions(q: Record<string, string>): ThreadOptions {
  return {
    skipFetchThreads: boolParam(q.skipFetchThreads),
    collapsedThreads: boolParam(q.collapsedThreads),
    collapsedThreadsExtended: boolParam(q.collapsedThreadsExtended),
  };
}

/** limit_before / limit_after as web/params.go reads them: bad or negative → 60, capped at 200. */
function limitParam(value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isInteger(n) || n < 0) return LIMIT_DEFAULT;
  return Math.min(n, LIMIT_MAX);
}

function ifNoneMatch(req: ApiRequest): string | undefined {
  const header = req.headers['if-none-match'];
  return typeof header === 'string' ? header : undefined;
}

/** Sends a cacheable answer: 304 with the ETag when the client's copy is current (c.HandleEtag). */
function send<T>(res: Response, result: Cacheable<T>) {
  if (result.etag) res.setHeader('ETag', result.etag);
  if (result.notModified) {
    res.status(304).end();
    return;
  }
  res.status(200).json(result.body);
}
