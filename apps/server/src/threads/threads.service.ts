import { Injectable } from '@nestjs/common';
import { badRequest, notFound, permissionDenied } from '#common';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import type { Session } from '../common/session.js';
import { ReadStateListeners } from '../membership/read-state-listeners.js';
import { findMentions } from '../posts/mentions.js';
import { postNotFound } from '../posts/post-access.service.js';
import type { PostRow } from '../posts/post.model.js';
import { PostsRepository } from '../posts/posts.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { ThreadMembershipsRepository } from './thread-memberships.repository.js';
import { ThreadViews } from './thread-views.service.js';
import { UserThreadsQuery, UserThreadsView, UserThreadView } from './thread.model.js';

const membershipNotFound = () =>
  notFound('app.user.get_thread_membership_for_user.not_found', 'Thread membership not found.', 'thread membership not found/followed');
const threadNotFound = () => notFound('app.user.get_threads_for_user.not_found', 'Thread not found.', 'thread not found/followed');

/**
 * A user's followed threads (api4/user.go thread handlers and app/user.go): the list with its
 * totals, one thread, reading, marking unread, following. Every route acts for the user in the URL:
 * the caller themselves, or anyone with edit_other_users (SessionHasPermissionToUser). Routes about
 * one thread also need read_channel_content on the thread's channel (SessionHasPermissionToChannelByPost);
 * team-wide routes need view_team.
 */
@Injectable()
export class ThreadsService {
  constructor(
    private readonly memberships: ThreadMembershipsRepository,
    private readonly views: ThreadViews,
    private readonly posts: PostsRepository,
    private readonly channels: ChannelsRepository,
    private readonly users: UsersRepository,
    private readonly permissions: PermissionsService,
    private readonly publisher: EventPublisher,
    private readonly readState: ReadStateListeners,
  ) {}

  async list(session: Session, userId: string, teamId: string, q: UserThreadsQuery): Promise<UserThreadsView> {
    this.permissions.requireSelfOrAdmin(session, userId);
    await this.permissions.requireTeam(session, teamId, 'view_team');
    // As GetThreadsForUser: the totals and the page are independent reads, run side by side.
    const [totals, rows] = await Promise.all([
      q.threadsOnly ? undefined : this.memberships.totals(userId, teamId, q.deleted),
      q.totalsOnly ? [] : this.memberships.list(userId, teamId, q),
    ]);
    const threads = await this.views.many(rows, q.extended);
    const result: UserThreadsView = {
      total: totals?.total ?? 0,
      total_unread_threads: totals?.total_unread_threads ?? 0,
      total_unread_mentions: totals?.total_unread_mentions ?? 0,
      total_unread_urgent_mentions: totals?.total_unread_urgent_mentions ?? 0,
      threads,
    };
    // `unread` is a legacy flag under which the total is the number of unread threads.
    if (q.unread) result.total = result.total_unread_threads;
    return result;
  }

  async get(session: Session, userId: string, threadId: string, extended: boolean): Promise<UserThreadView> {
    await this.requireThreadAccess(session, userId, threadId);
    if (!(await this.memberships.get(userId, threadId))) throw membershipNotFound();
    const row = await this.memberships.thread(userId, threadId);
    if (!row) throw threadNotFound();
    return this.views.one(row, extended);
  }

  /** PUT …/threads/read: every thread of the team (and of direct/group messages) read up to now. */
  async markAllRead(session: Session, userId: string, teamId: string): Promise<void> {
    this.permissions.requireSelfOrAdmin(session, userId);
    await this.permissions.requireTeam(session, teamId, 'view_team');
    await this.memberships.markAllRead(userId, teamId, Date.now());
    this.publisher.publish(newEvent(WsEvents.ThreadReadChanged, { team_id: teamId, user_id: userId }));
  }

  /** PUT …/threads/{id}/read/{timestamp}. */
  async markRead(session: Session, userId: string, teamId: string, threadId: string, timestamp: number): Promise<UserThreadView> {
    const thread = await this.requireThreadAccess(session, userId, threadId);
    return this.readUpTo(session, userId, teamId, liveRoot(thread, threadId), timestamp);
  }

  /** POST …/threads/{id}/set_unread/{post_id}: read up to just before that post of the thread. */
  async markUnread(session: Session, userId: string, teamId: string, threadId: string, postId: string): Promise<UserThreadView> {
    const thread = await this.requireThreadAccess(session, userId, threadId);
    const post = await this.posts.byId(postId);
    if (!post) throw postNotFound(postId);
    if (post.root_id !== threadId && post.id !== threadId) {
      throw badRequest('app.user.update_thread_read_for_user_by_post.app_error', 'Unable to update the thread read state: the post is not in the thread.');
    }
    return this.readUpTo(session, userId, teamId, liveRoot(thread, threadId), post.create_at - 1);
  }

  /** PUT|DELETE …/threads/{id}/following. Following reads the thread up to now (UpdateThreadFollowForUser). */
  async setFollowing(session: Session, userId: string, teamId: string, threadId: string, following: boolean): Promise<void> {
    // Only a post that exists gets followers (Mattermost would store a membership of any id).
    const root = await this.requireThreadAccess(session, userId, threadId);
    if (!root) throw postNotFound(threadId);
    await this.memberships.setFollowing(userId, threadId, following, Date.now());
    this.publisher.publish(
      newEvent(WsEvents.ThreadFollowChanged, { team_id: teamId, user_id: userId }, { thread_id: threadId, state: following, reply_count: root.reply_count }),
    );
  }

  /**
   * UpdateThreadReadForUser: the user follows the thread (again), their unread mentions become
   * those of the replies from `timestamp` on, and they have read it up to `timestamp`.
   */
  private async readUpTo(session: Session, userId: string, teamId: string, root: PostRow, timestamp: number): Promise<UserThreadView> {
    const now = Date.now();
    // The mentions are counted while the membership is made sure of: one wait less on a busy node.
    const [before, unreadMentions] = await Promise.all([
      this.memberships.ensureFollowing(userId, root.id, now).then(() => this.memberships.thread(userId, root.id)),
      this.countThreadMentions(userId, root, timestamp),
    ]);
    await this.memberships.markRead(userId, root.id, timestamp, unreadMentions, now);
    const after = await this.memberships.thread(userId, root.id);
    // A root without replies has no thread row yet (Mattermost's GetThreadForUser fails there too).
    if (!after) throw threadNotFound();
    this.publisher.publish(
      newEvent(
        WsEvents.ThreadReadChanged,
        { team_id: teamId, user_id: userId },
        {
          thread_id: root.id,
          timestamp,
          unread_mentions: after.unread_mentions,
          unread_replies: after.unread_replies,
          previous_unread_mentions: before?.unread_mentions ?? 0,
          previous_unread_replies: before?.unread_replies ?? 0,
          channel_id: root.channel_id,
        },
      ),
    );
    // A thread read to its end is cleared from the user's other devices (UpdateThreadReadForUser).
    this.readState.notify({
      kind: 'thread_read',
      userId,
      sessionId: session.id,
      channelId: root.channel_id,
      threadId: root.id,
      unreadReplies: after.unread_replies,
    });
    return this.views.one(after, false);
  }

  /**
   * countThreadMentions: the replies from `timestamp` on that mention the user, by their username,
   * mention keys and (if they chose so) first name, with channel-wide mentions counting; in a
   * direct message every reply of the other person counts.
   */
  private async countThreadMentions(userId: string, root: PostRow, timestamp: number): Promise<number> {
    const [channel, user, page] = await Promise.all([
      this.channels.byId(root.channel_id),
      this.users.byId(userId),
      this.posts.threadPage(root.id, { direction: 'down', fromCreateAt: timestamp - 1, fromPost: '', perPage: 0 }),
    ]);
    if (!channel || !user) return 0;
    const replies = page.posts.filter((p) => p.root_id !== '' && p.create_at >= timestamp);
    if (channel.type === 'D') return replies.filter((p) => p.user_id !== userId).length;
    const member = {
      userId,
      username: user.username,
      firstName: user.first_name,
      userNotifyProps: user.notify_props ?? {},
      channelNotifyProps: {},
      online: true,
    };
    return replies.filter((p) => findMentions(p.message, [member], { posterId: p.user_id, allowChannelMentions: true }).userIds.includes(userId)).length;
  }

  /**
   * SessionHasPermissionToUser, then SessionHasPermissionToChannelByPost(read_channel_content): the
   * channel member's roles, else the team's for a public channel's team, else the system roles; a
   * post that does not exist grants only what the system roles grant. Answers the thread's root as
   * read for the check, deleted or not (undefined if there is none), so that it is read once.
   */
  private async requireThreadAccess(session: Session, userId: string, threadId: string): Promise<PostRow | undefined> {
    this.permissions.requireSelfOrAdmin(session, userId);
    const post = await this.posts.byId(threadId, true);
    const allowed = post
      ? await this.permissions.hasChannel(session, post.channel_id, 'read_channel_content')
      : this.permissions.hasSystem(session, 'read_channel_content');
    if (!allowed) throw permissionDenied('read_channel_content');
    return post;
  }
}

/** The thread's root, live; 404 as GetSinglePost. */
function liveRoot(post: PostRow | undefined, threadId: string): PostRow {
  if (!post || post.delete_at !== 0) throw postNotFound(threadId);
  return post;
}
