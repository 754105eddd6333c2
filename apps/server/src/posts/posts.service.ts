import { Injectable, OnModuleInit } from '@nestjs/common';
import { badRequest, newId, notFound, permissionDenied } from '#common';
import { ConfigService } from '#config';
import { Database, Queryable } from '#db';
import { EventOutbox, EventPublisher, WebSocketEvent } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import type { ChannelRow } from '../channels/channel.model.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import { DraftsService } from '../drafts/drafts.service.js';
import { FileInfosRepository } from '../files/file-infos.repository.js';
import { isSystemAdmin, sessionFor, type Session } from '../common/session.js';
import { desktopFollowers } from '../notifications/notification-rules.js';
import { CollapsedThreads } from '../threads/collapsed-threads.js';
import { ThreadActivity } from '../threads/thread-activity.service.js';
import { UsersRepository } from '../users/users.repository.js';
import type { UserRow } from '../users/user.model.js';
import { parseHashtags } from './hashtags.js';
import { PendingPosts } from './pending-posts.js';
import { PostCreatedListeners } from './post-created-listeners.js';
import { PostAccess, postNotFound } from './post-access.service.js';
import { postDeletedEvent, postEditedEvent, postedEvent } from './post-events.js';
import { populateActionIds } from './post-actions.js';
import { PostMentionsService } from './post-mentions.service.js';
import type { PostPriorityView } from './post-priority.js';
import { PostPriorityService } from './post-priority.service.js';
import { PostViews } from './post-views.service.js';
import { PostRow, PostView, sanitizeProps, SYSTEM_POST_PREFIX, validatePostContent } from './post.model.js';
import { PostsRepository } from './posts.repository.js';

export interface NewPostInput {
  channel_id: string;
  message: string;
  root_id: string;
  file_ids: string[];
  props: Record<string, unknown>;
  pending_post_id: string;
  type: string;
  /** Honoured for system admins only (imports); 0 = now. */
  create_at: number;
  /** metadata.priority as sent; none when absent. */
  priority?: PostPriorityView | null;
}

/**
 * A post an integration makes for its owner (an incoming webhook, an outgoing webhook's answer):
 * no permission check beyond the integration's own, no files, and nobody notified of it as a
 * user's post (so no webhook fires on it).
 */
export interface IntegrationPostInput {
  poster: UserRow;
  channel_id: string;
  /** The channel's row when the caller has just read it. */
  channel?: ChannelRow;
  message: string;
  root_id: string;
  props: Record<string, unknown>;
  type: string;
  priority: PostPriorityView | null;
  /** The posted event's sender_name: the override username when overrides are on. */
  senderName?: string;
}

interface CreateOptions {
  fromIntegration?: boolean;
  senderName?: string;
  /** Rows the caller has just read, not read again. */
  channel?: ChannelRow;
  poster?: UserRow;
}

/** The editable part of a post: what PUT replaces and PATCH merges. */
export interface PostEdit {
  message: string;
  is_pinned: boolean;
  props: Record<string, unknown>;
  file_ids: string[];
}

export type PostPatch = Partial<PostEdit>;

/** Props only the server sets; an edit keeps the stored values whatever the client sends. */
const PRESERVED_PROPS = ['from_bot', 'from_webhook', 'from_oauth_app', 'from_plugin', 'deleteBy'];

/** Creating, editing, pinning and deleting posts, with their counters and events. */
@Injectable()
export class PostsService implements OnModuleInit {
  private readonly pending = new PendingPosts<PostView>();

  constructor(
    private readonly repo: PostsRepository,
    private readonly access: PostAccess,
    private readonly views: PostViews,
    private readonly mentions: PostMentionsService,
    private readonly permissions: PermissionsService,
    private readonly users: UsersRepository,
    private readonly channels: ChannelsRepository,
    private readonly members: ChannelMembersRepository,
    private readonly collapsedThreads: CollapsedThreads,
    private readonly db: Database,
    private readonly config: ConfigService,
    private readonly publisher: EventPublisher,
    private readonly outbox: EventOutbox,
    private readonly priority: PostPriorityService,
    private readonly drafts: DraftsService,
    private readonly threads: ThreadActivity,
    private readonly fileInfos: FileInfosRepository,
    private readonly created: PostCreatedListeners,
  ) {}

  onModuleInit() {
    // If this node dies between committing a post and announcing it, a survivor announces it.
    this.outbox.onRecover('posted', (postId) => this.rebuildPostedEvent(postId));
  }

  /**
   * A post whose node died between committing it and announcing it: the survivor announces it and
   * starts what the dead node had not started yet (notifications, outgoing webhooks), since those
   * run only after the announcement.
   */
  private async rebuildPostedEvent(postId: string): Promise<WebSocketEvent | null> {
    const post = await this.repo.byId(postId);
    if (!post || post.delete_at > 0) return null;
    const channel = await this.channels.byId(post.channel_id);
    const poster = await this.users.byId(post.user_id);
    if (!channel || !poster) return null;
    const root = post.root_id ? await this.repo.byId(post.root_id) : undefined;
    // The poster's own roles decide, as when they posted, whether @channel mentions count.
    const mentions = await this.mentions.forNewPost(sessionFor(poster), channel, post, root);
    const view = await this.views.one(post);
    const fromIntegration = post.props?.from_webhook === 'true';
    // The dead node had already made the reply's followers follow (before announcing), or never did: either way, as they are now.
    const crtFollowerIds = root ? await this.threads.crtFollowerIds(root.id) : [];
    this.created.notify({ post: view, channel, poster, mentions, crtFollowerIds, fromIntegration });
    return postedEvent(view, {
      channel,
      senderUsername: poster.username,
      memberUsernames: mentions.memberUsernames,
      mentionedUserIds: mentions.userIds,
      setOnline: true,
    });
  }

  // ---- create ---------------------------------------------------------------------------------

  async create(session: Session, input: NewPostInput, setOnline: boolean): Promise<PostView> {
    await this.requireCreatePost(session, input.channel_id);
    if (input.file_ids.length > 0) await this.permissions.requireChannel(session, input.channel_id, 'upload_file');
    if (!input.pending_post_id) return this.createNow(session, input, setOnline);
    // A retried request with the same pending id gets the post the first one created.
    return this.pending.run(`${session.user_id}:${input.pending_post_id}`, () => this.createNow(session, input, setOnline));
  }

  /** An integration's post (IntegrationPostInput); the caller has checked what the integration may do. */
  async createForIntegration(input: IntegrationPostInput): Promise<PostView> {
    const session = sessionFor(input.poster);
    const post: NewPostInput = {
      channel_id: input.channel_id,
      message: input.message,
      root_id: input.root_id,
      file_ids: [],
      props: input.props,
      pending_post_id: '',
      type: input.type,
      create_at: 0,
      priority: input.priority,
    };
    return this.createNow(session, post, false, { fromIntegration: true, senderName: input.senderName, channel: input.channel, poster: input.poster });
  }

  /** create_post on the channel, or create_post_public on the team for a public channel. */
  private async requireCreatePost(session: Session, channelId: string): Promise<void> {
    if (await this.permissions.hasChannel(session, channelId, 'create_post')) return;
    const channel = await this.channels.byId(channelId);
    if (channel?.type === 'O' && (await this.permissions.hasTeam(session, channel.team_id, 'create_post_public'))) return;
    throw permissionDenied('create_post');
  }

  private async createNow(session: Session, input: NewPostInput, setOnline: boolean, options: CreateOptions = {}): Promise<PostView> {
    const channel = options.channel?.id === input.channel_id ? options.channel : await this.channels.byIdForPosting(input.channel_id);
    if (!channel) throw badRequest('api.context.invalid_param.app_error', 'Invalid post.channel_id parameter.');
    if (input.type.startsWith(SYSTEM_POST_PREFIX)) throw badRequest('api.context.invalid_param.app_error', 'Invalid post.type parameter.');
    if (channel.delete_at !== 0) throw badRequest('api.post.create_post.can_not_post_to_deleted.error', 'Can not post to a deleted channel.');
    const root = input.root_id ? await this.threadRoot(input.root_id, channel) : undefined;
    const poster = options.poster?.id === session.user_id ? options.poster : await this.users.byId(session.user_id);
    if (!poster) throw notFound('app.user.missing_account.const', 'Unable to find the user.');

    const now = Date.now();
    const createAt = input.create_at > 0 && isSystemAdmin(session) ? input.create_at : now;
    const props = populateActionIds(sanitizeProps(input.props));
    if (poster.is_bot) props.from_bot = 'true';
    const row: Omit<PostRow, 'reply_count' | 'last_reply_at'> = {
      id: newId(),
      create_at: createAt,
      // Moved past the channel's newest change by the insert: a back-dated import is still a change now.
      update_at: Math.max(createAt, now),
      edit_at: 0,
      delete_at: 0,
      is_pinned: false,
      user_id: session.user_id,
      channel_id: channel.id,
      root_id: root?.id ?? '',
      original_id: '',
      message: input.message,
      type: input.type,
      props,
      hashtags: parseHashtags(input.message),
      file_ids: input.file_ids,
      has_reactions: false,
    };
    validatePostContent(row);

    const [mentions, crtReply] = await Promise.all([
      this.mentions.forNewPost(session, channel, row, root),
      // With collapsed threads a reply does not read the channel (Mattermost's isCRTReply).
      root ? this.collapsedThreadsFor(session.user_id) : false,
    ]);
    this.priority.checkForNewPost(input.priority, row, poster);
    const marksRead = !crtReply;
    // One round trip (Database.transactionInOneTrip): the channel row's lock, which every post to
    // this channel waits for, is held while PostgreSQL runs the statements, not while this process
    // gets its turns on a busy event loop between them.
    const [updateAt, fileIds, thread] = await this.db.transactionInOneTrip((tx) =>
      Promise.all([
        this.repo.insert(tx, row),
        this.attachFiles(tx, row, now),
        root ? this.repo.addReplyToThread(tx, row) : undefined,
        this.priority.saveForNewPost(tx, row, input.priority, mentions.userIds),
        this.members.incrementMentions(channel.id, mentions.userIds, !root, now, tx),
        // An integration's post leaves its owner's draft alone.
        options.fromIntegration ? undefined : this.drafts.clearWithPost(tx, session.user_id, channel.id, row.root_id, now),
        // In a cluster this goes with the COMMIT (a last statement).
        this.outbox.note(tx, 'posted', row.id),
        // Last: it locks the channel row.
        this.channels.countNewPost(channel.id, createAt, !root, marksRead ? session.user_id : null, now, tx),
      ]),
    );
    row.update_at = updateAt;
    row.file_ids = fileIds;

    // The row as written, with its thread's counters as the transaction left them: nothing to read back.
    const saved: PostRow = { ...row, reply_count: thread?.reply_count ?? 0, last_reply_at: thread?.last_reply_at ?? 0 };
    const view = await this.views.one(saved, { pendingPostId: input.pending_post_id, newPriority: input.priority ?? null });
    const reply = root ? { reply: row, root, channel, mentionedUserIds: mentions.userIds } : undefined;
    const following = reply ? await this.threads.followReply(reply) : undefined;
    const crtFollowerIds = following?.crtFollowers.map((f) => f.user_id) ?? [];
    // Confirmed: once this request answers, every node has the event, even if this one dies.
    await this.publisher.publishConfirmed(
      postedEvent(view, {
        channel,
        senderUsername: poster.username,
        senderName: options.senderName,
        memberUsernames: mentions.memberUsernames,
        mentionedUserIds: mentions.userIds,
        followers: desktopFollowers(row, crtFollowerIds, mentions),
        setOnline,
      }),
    );
    void this.outbox.done('posted', row.id);
    if (reply) await this.threads.replyPosted(reply, following!);
    this.created.notify({ post: view, channel, poster, mentions, crtFollowerIds, senderName: options.senderName, fromIntegration: !!options.fromIntegration });
    return view;
  }

  /** The files a new post names that could be attached to it, in its order; the post keeps only those. */
  private async attachFiles(tx: Queryable, row: Pick<PostRow, 'id' | 'channel_id' | 'user_id' | 'file_ids'>, now: number): Promise<string[]> {
    if (row.file_ids.length === 0) return [];
    const [attached] = await Promise.all([this.fileInfos.attachToPost(tx, row.file_ids, row, now), this.repo.keepAttachedFiles(tx, row.id)]);
    return attached;
  }

  /** The post a reply attaches to: live, in the same channel, and itself a root. */
  private async threadRoot(rootId: string, channel: ChannelRow): Promise<PostRow> {
    const root = await this.repo.byId(rootId);
    if (!root) throw badRequest('api.post.create_post.root_id.app_error', 'Invalid root_id parameter.', `root_id=${rootId}`);
    if (root.channel_id !== channel.id) {
      throw badRequest('api.post.create_post.channel_root_id.app_error', 'Invalid ChannelId for RootId parameter.', `root_id=${rootId}`);
    }
    if (root.root_id !== '') throw badRequest('api.post.create_post.root_id.app_error', 'Invalid root_id parameter.', 'replies to a reply are not allowed');
    return root;
  }

  /** ServiceSettings.CollapsedThreads with the user's display_settings preference. */
  collapsedThreadsFor(userId: string): Promise<boolean> {
    return this.collapsedThreads.forUser(userId);
  }

  // ---- edit -----------------------------------------------------------------------------------

  /** PUT /posts/{id}: a full update of the editable fields. */
  async update(session: Session, postId: string, edit: Omit<PostEdit, 'file_ids'> & { file_ids?: string[] }): Promise<PostView> {
    const original = await this.editable(session, postId);
    const fileIds = edit.file_ids ?? original.file_ids;
    await this.requireUploadForNewFiles(session, original, fileIds);
    this.checkEditTimeLimit(original, edit.message !== original.message);
    return this.applyEdit(original, { ...edit, file_ids: fileIds }, 'update_post');
  }

  /** PUT /posts/{id}/patch: only the fields given change; the same checks as PUT /posts/{id}. */
  async patch(session: Session, postId: string, patch: PostPatch): Promise<PostView> {
    const original = await this.editable(session, postId);
    this.checkEditTimeLimit(original, patch.message !== undefined);
    if (patch.file_ids) await this.requireUploadForNewFiles(session, original, patch.file_ids);
    return this.applyEdit(original, { ...editableOf(original), ...definedOnly(patch) }, 'patch_post');
  }

  /**
   * The post an edit may change, for PUT and PATCH alike, since both answer with the post:
   * 1. the caller reads its channel (the 403 GET /posts/{id} gives), so an edit never hands the
   *    post to someone who may not see it: a team admin holds edit_others_posts through the team
   *    in channels they are not in;
   * 2. edit_post on the channel (updatePost); 3. edit_others_posts for someone else's post.
   * Mattermost's patchPost asks edit_post for one's own post and edit_others_posts for others'
   * only, and neither handler checks reading; PATCH follows PUT here so that the two agree (with
   * the built-in roles they differ only for a team admin outside the channel).
   * A missing post is the edit_post 403, as in Mattermost.
   */
  private async editable(session: Session, postId: string): Promise<PostRow> {
    const original = await this.repo.byId(postId);
    if (!original) throw permissionDenied('edit_post');
    await this.access.requireRead(session, await this.access.channel(original.channel_id));
    await this.permissions.requireChannel(session, original.channel_id, 'edit_post');
    if (session.user_id !== original.user_id) await this.permissions.requireChannel(session, original.channel_id, 'edit_others_posts');
    return original;
  }

  /**
   * An interactive action's answer replacing a post (DoPostActionWithCookie's UpdatePost): the
   * integration the post's author set up speaks for the post, so no permission of the clicker's is
   * asked; the post keeps its author, channel, pin and files, and the edit time limit does not
   * apply. The props are the caller's, already merged with those the post keeps.
   */
  async updateFromIntegration(postId: string, message: string, props: Record<string, unknown>): Promise<PostView> {
    const original = await this.repo.byId(postId);
    if (!original) throw postNotFound(postId);
    return this.applyEdit(original, { ...editableOf(original), message, props }, 'update_post');
  }

  /**
   * POST /posts/{id}/pin and /unpin: read_channel_content on the post's channel, as reacting needs
   * it, so pinning takes being in the channel (or a role that grants it everywhere, system admin).
   * That is the check older Mattermost releases made (SessionHasPermissionToChannelByPost) and what
   * its user documentation says ("all members of a channel can pin"). Newer releases' saveIsPinnedPost
   * accept anyone who may read the channel, for a public channel the whole team, without joining;
   * this server keeps the members-only rule.
   */
  async setPinned(session: Session, postId: string, pinned: boolean): Promise<void> {
    const post = await this.repo.byId(postId);
    if (!post) throw permissionDenied('read_channel_content');
    await this.permissions.requireChannel(session, post.channel_id, 'read_channel_content');
    await this.applyEdit(post, { ...editableOf(post), is_pinned: pinned }, 'patch_post');
  }

  private checkEditTimeLimit(original: PostRow, changesMessage: boolean) {
    const limit = this.config.get().ServiceSettings.PostEditTimeLimit;
    if (limit !== -1 && changesMessage && Date.now() > original.create_at + limit * 1000) {
      throw badRequest('api.post.update_post.permissions_time_limit.app_error', `Post edit is only allowed for ${limit} seconds.`);
    }
  }

  private async requireUploadForNewFiles(session: Session, original: PostRow, fileIds: string[]) {
    if (fileIds.some((id) => !original.file_ids.includes(id))) await this.permissions.requireChannel(session, original.channel_id, 'upload_file');
  }

  private async applyEdit(original: PostRow, next: PostEdit, op: 'update_post' | 'patch_post'): Promise<PostView> {
    const channel = await this.access.channel(original.channel_id);
    if (channel.delete_at !== 0) throw badRequest(`api.post.${op}.can_not_update_post_in_deleted.error`, 'Can not update a post in a deleted channel.');
    if (original.type.startsWith(SYSTEM_POST_PREFIX)) throw badRequest('api.post.update_post.system_message.app_error', 'Unable to update system message.');

    const now = Date.now();
    const messageChanged = next.message !== original.message;
    // edit_at marks a visible change (message or files), not a pin.
    const edited = messageChanged || JSON.stringify(next.file_ids) !== JSON.stringify(original.file_ids);
    const props = populateActionIds(sanitizeProps(next.props), original.props);
    for (const key of PRESERVED_PROPS) {
      if (key in original.props) props[key] = original.props[key];
    }
    const updated = {
      id: original.id,
      update_at: now,
      edit_at: edited ? now : original.edit_at,
      is_pinned: next.is_pinned,
      message: next.message,
      props,
      hashtags: messageChanged ? parseHashtags(next.message) : original.hashtags,
      file_ids: next.file_ids,
    };
    validatePostContent({ ...original, ...updated });
    await this.db.transaction(async (tx) => {
      const changeAt = await this.repo.nextChangeAt(tx, original.channel_id, now);
      updated.update_at = changeAt;
      if (edited) updated.edit_at = changeAt;
      updated.file_ids = await this.editFiles(tx, original, next.file_ids, now);
      await this.repo.update(tx, updated);
      // An edit also moves the channel's last post time and the thread root, as Mattermost's store does.
      await this.channels.touchLastPostAt(original.channel_id, now, tx);
      if (original.is_pinned !== updated.is_pinned) this.channels.countsChanged(original.channel_id, tx);
      if (original.root_id) await this.repo.touch(tx, original.root_id, changeAt);
    });
    const view = await this.views.one((await this.repo.byId(original.id))!);
    await this.publisher.publishConfirmed(postEditedEvent(view));
    return view;
  }

  /**
   * An edit's files: those newly named are attached as on create (the poster's own, not yet on a
   * post), those taken off are deleted; the post keeps the ones it had and the ones attached.
   */
  private async editFiles(tx: Queryable, original: PostRow, fileIds: string[], now: number): Promise<string[]> {
    const added = fileIds.filter((id) => !original.file_ids.includes(id));
    const removed = original.file_ids.filter((id) => !fileIds.includes(id));
    await this.fileInfos.deleteFromPost(tx, original.id, removed, now);
    const attached = new Set(await this.fileInfos.attachToPost(tx, added, original, now));
    return fileIds.filter((id) => original.file_ids.includes(id) || attached.has(id));
  }

  // ---- delete ---------------------------------------------------------------------------------

  /** Soft delete; deleting a root takes its replies with it. */
  async delete(session: Session, postId: string): Promise<void> {
    const post = await this.repo.byId(postId);
    if (!post) throw postNotFound(postId);
    await this.permissions.requireChannel(session, post.channel_id, session.user_id === post.user_id ? 'delete_post' : 'delete_others_posts');
    const channel = await this.access.channel(post.channel_id);
    if (channel.delete_at !== 0) throw badRequest('api.post.delete_post.can_not_delete_post_in_deleted.error', 'Can not delete a post in a deleted channel.');

    await this.db.transaction(async (tx) => {
      const changeAt = await this.repo.nextChangeAt(tx, post.channel_id, Date.now());
      await this.repo.softDelete(tx, post.id, changeAt, session.user_id);
      await this.fileInfos.deleteForThread(tx, post.id, changeAt);
      if (post.root_id === '') {
        await this.repo.deleteThread(tx, post.id, changeAt);
      } else {
        await this.repo.recountThread(tx, post.root_id);
        await this.repo.touch(tx, post.root_id, changeAt);
      }
      this.channels.countsChanged(post.channel_id, tx); // it, or a reply it took along, may have been pinned
    });
    const deleted = await this.repo.byId(post.id, true);
    this.publisher.publish(postDeletedEvent(await this.views.one(deleted!)));
    this.drafts.clearThread(post.channel_id, post.id);
  }
}

function editableOf(post: PostRow): PostEdit {
  return { message: post.message, is_pinned: post.is_pinned, props: post.props, file_ids: post.file_ids };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
