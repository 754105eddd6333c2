import { Injectable } from '@nestjs/common';
import { notFound } from '#common';
import { PermissionsService } from '../auth/permissions.service.js';
import type { ChannelRow } from '../channels/channel.model.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import { SERVER_VERSION } from '../common/http-pipeline.js';
import type { Session } from '../common/session.js';
import { PostAccess, postNotFound } from './post-access.service.js';
import { makePostList, PostListCursors, PostListView, sortNewestFirst } from './post-list.js';
import { PostViews, ViewOptions } from './post-views.service.js';
import { PostRow, PostView } from './post.model.js';
import { PostsRepository, type PostWindow } from './posts.repository.js';

export interface ThreadOptions {
  skipFetchThreads: boolean;
  collapsedThreads: boolean;
  collapsedThreadsExtended: boolean;
}

export interface ChannelPostsQuery extends ThreadOptions {
  page: number;
  perPage: number;
  since: number;
  before: string;
  after: string;
  includeDeleted: boolean;
}

export interface ThreadQuery extends ThreadOptions {
  direction: 'up' | 'down';
  perPage: number;
  fromCreateAt: number;
  fromPost: string;
}

/** A response that may be answered with 304 when the client's ETag still matches. */
export type Cacheable<T> = { notModified: true; etag: string } | { notModified: false; etag?: string; body: T };

/** Reading posts: single posts, channel pages, threads, unread windows and pinned lists. */
@Injectable()
export class PostListsService {
  constructor(
    private readonly repo: PostsRepository,
    private readonly channels: ChannelsRepository,
    private readonly access: PostAccess,
    private readonly views: PostViews,
    private readonly permissions: PermissionsService,
  ) {}

  /** A channel's ETag: it moves whenever any of its posts is created, edited, deleted or reacted to. */
  async channelEtag(channelId: string): Promise<string> {
    return `${SERVER_VERSION}.${await this.repo.lastChangeAt(channelId)}`;
  }

  /** The ETag a page read with its rows; an empty page asks for it alone. */
  private async pageEtag(channelId: string, page: PostWindow): Promise<string> {
    return page.lastChangeAt !== undefined ? `${SERVER_VERSION}.${page.lastChangeAt}` : this.channelEtag(channelId);
  }

  async get(session: Session, postId: string, includeDeleted: boolean, ifNoneMatch?: string): Promise<Cacheable<PostView>> {
    if (includeDeleted) this.permissions.requireSystem(session, 'manage_system');
    const { post } = await this.access.readablePost(session, postId, includeDeleted);
    const etag = `${SERVER_VERSION}.${post.update_at}`;
    if (ifNoneMatch === etag) return { notModified: true, etag };
    return { notModified: false, etag, body: await this.views.one(post) };
  }

  /** POST /posts/ids: the posts the caller may read; unknown ids are skipped. */
  async byIds(session: Session, ids: string[]): Promise<PostView[]> {
    const rows = await this.repo.byIds(ids);
    if (rows.length === 0) throw postNotFound(ids.join(','));
    const channels = new Map((await this.channels.byIds([...new Set(rows.map((r) => r.channel_id))])).map((c) => [c.id, c]));
    const readable = new Map<string, boolean>();
    const visible: PostRow[] = [];
    for (const row of rows) {
      const channel = channels.get(row.channel_id);
      if (!channel) continue;
      if (!readable.has(channel.id)) readable.set(channel.id, await this.access.canRead(session, channel));
      if (readable.get(channel.id)) visible.push(row);
    }
    return this.views.many(visible);
  }

  async channelPosts(session: Session, channelId: string, q: ChannelPostsQuery, ifNoneMatch?: string): Promise<Cacheable<PostListView>> {
    if (q.includeDeleted) this.permissions.requireSystem(session, 'manage_system');
    const channel = await this.access.channel(channelId);
    await this.access.requireRead(session, channel);
    const viewOptions = this.viewOptions(session, q);

    if (q.since > 0) return { notModified: false, body: await this.since(channel, q, viewOptions) };

    const listOptions = { includeDeleted: q.includeDeleted, rootsOnly: q.collapsedThreads };
    const offset = q.page * q.perPage;
    // A client that sent an ETag gets its 304 before anything else is read; otherwise a page reads
    // its ETag with its rows.
    const asked = ifNoneMatch !== undefined ? await this.channelEtag(channelId) : undefined;
    if (asked !== undefined && ifNoneMatch === asked) return { notModified: true, etag: asked };

    if (q.after || q.before) {
      const before = !q.after;
      const anchorId = q.after || q.before;
      // The window reads its anchor's create time, its cursors and its ETag in one statement.
      const window = await this.repo.aroundWithCursors(channelId, anchorId, before, q.perPage, listOptions, offset);
      const etag = asked ?? (await this.pageEtag(channelId, window));
      const ordered = sortNewestFirst(window.rows);
      // Around an anchor, every thread touched by the page comes along (getPostsAround).
      const threadIds = [...new Set(ordered.flatMap((r) => (r.root_id ? [r.id, r.root_id] : [r.id])))];
      const context = q.collapsedThreads ? [] : await this.repo.threadContext(channelId, threadIds, !q.skipFetchThreads, q.includeDeleted);
      const cursors: PostListCursors = { next_post_id: window.next, prev_post_id: window.prev };
      if (q.page === 0) {
        if (before) cursors.next_post_id = anchorId;
        else cursors.prev_post_id = anchorId;
      }
      cursors.has_next = before ? cursors.prev_post_id !== '' : cursors.next_post_id !== '';
      return { notModified: false, etag, body: await this.assemble(ordered, context, cursors, viewOptions) };
    }

    const page = await this.repo.page(channelId, offset, q.perPage, listOptions);
    const etag = asked ?? (await this.pageEtag(channelId, page));
    const context = q.collapsedThreads ? [] : await this.repo.threadContext(channelId, rootIdsOfReplies(page.rows), !q.skipFetchThreads, q.includeDeleted);
    const cursors: PostListCursors = { next_post_id: page.next, prev_post_id: page.prev, has_next: page.prev !== '' };
    return { notModified: false, etag, body: await this.assemble(page.rows, context, cursors, viewOptions) };
  }

  /** Posts changed after a time, deleted ones included; no cursors, as Mattermost. */
  private async since(channel: ChannelRow, q: ChannelPostsQuery, viewOptions: ViewOptions): Promise<PostListView> {
    const rows = await this.repo.changedSince(channel.id, q.since, q.collapsedThreads);
    const have = new Set(rows.map((r) => r.id));
    const missingRoots = [...new Set(rows.map((r) => r.root_id).filter((id) => id && !have.has(id)))];
    const roots = await this.repo.rootsOf(channel.id, missingRoots);
    return this.assemble(rows, roots, {}, viewOptions);
  }

  async thread(session: Session, postId: string, q: ThreadQuery, ifNoneMatch?: string): Promise<Cacheable<PostListView>> {
    const { post } = await this.access.readablePost(session, postId);
    let ordered: PostRow[] = [post];
    let hasNext = false;
    if (!q.skipFetchThreads) {
      const page = await this.repo.threadPage(post.root_id || post.id, q);
      ordered = [post, ...page.posts.filter((p) => p.id !== post.id)];
      hasNext = page.hasNext;
    }
    const etag = `${SERVER_VERSION}.${Math.max(...ordered.map((p) => p.update_at))}`;
    if (ifNoneMatch === etag) return { notModified: true, etag };
    const body = await this.assemble(ordered, [], { has_next: hasNext }, this.viewOptions(session, q));
    return { notModified: false, etag, body };
  }

  /**
   * GET /users/{uid}/channels/{cid}/posts/unread: the window around the first unread post, or
   * the latest page when nothing is unread.
   */
  async unread(
    session: Session,
    userId: string,
    channelId: string,
    limits: { before: number; after: number },
    q: ThreadOptions,
    ifNoneMatch?: string,
  ): Promise<Cacheable<PostListView>> {
    if (userId !== session.user_id) this.permissions.requireSystem(session, 'edit_other_users');
    const channel = await this.access.channel(channelId);
    await this.access.requireRead(session, channel);
    const found = await this.repo.unreadWindow(channelId, userId, { before: limits.before, after: Math.max(limits.after - 1, 0) }, q.collapsedThreads);
    if (!found) throw notFound('app.channel.get_member.missing.app_error', 'No channel member found for that user ID and channel ID.');
    const viewOptions = this.viewOptions(session, q);
    const ordered = sortNewestFirst(found.posts);
    const cursors = { next_post_id: found.next, prev_post_id: found.prev };
    const { firstUnread } = found;
    if (!firstUnread) {
      // Nothing unread: the latest page, with its ETag.
      const etag = `${SERVER_VERSION}.${found.lastChangeAt}`;
      if (ifNoneMatch === etag) return { notModified: true, etag };
      const context = q.collapsedThreads ? [] : await this.repo.threadContext(channelId, rootIdsOfReplies(ordered), !q.skipFetchThreads);
      return { notModified: false, etag, body: await this.assemble(ordered, context, cursors, viewOptions) };
    }
    const threadIds = [...new Set([...rootIdsOfReplies(ordered), firstUnread.root_id || firstUnread.id])];
    const context = q.collapsedThreads ? [] : await this.repo.threadContext(channelId, threadIds, !q.skipFetchThreads);
    return { notModified: false, body: await this.assemble(ordered, context, cursors, viewOptions) };
  }

  async pinned(session: Session, channelId: string): Promise<PostListView> {
    const channel = await this.access.channel(channelId);
    await this.access.requireRead(session, channel);
    return this.assemble(await this.repo.pinned(channelId), [], {}, {});
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private viewOptions(session: Session, q: ThreadOptions): ViewOptions {
    if (q.collapsedThreadsExtended) return { participants: 'users', viewer: session };
    return q.collapsedThreads ? { participants: 'ids', viewer: session } : {};
  }

  private async assemble(ordered: PostRow[], context: PostRow[], cursors: PostListCursors, viewOptions: ViewOptions): Promise<PostListView> {
    const views = await this.views.many([...ordered, ...context], viewOptions);
    return makePostList(views.slice(0, ordered.length), views.slice(ordered.length), cursors);
  }
}

function rootIdsOfReplies(rows: PostRow[]): string[] {
  return [...new Set(rows.map((r) => r.root_id).filter(Boolean))];
}
