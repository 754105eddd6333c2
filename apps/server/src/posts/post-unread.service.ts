import { Injectable } from '@nestjs/common';
import { notFound } from '#common';
import { ConfigService } from '#config';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import type { ChannelRow } from '../channels/channel.model.js';
import type { Session } from '../common/session.js';
import { ChannelMembersRepository, ChannelUnreadAtRow } from '../membership/channel-members.repository.js';
import type { ChannelMemberRow } from '../membership/membership.model.js';
import { ReadStateListeners } from '../membership/read-state-listeners.js';
import { UsersRepository } from '../users/users.repository.js';
import type { UserRow } from '../users/user.model.js';
import { findMentions } from './mentions.js';
import { PostAccess, postNotFound } from './post-access.service.js';
import { PostPriorityRepository } from './post-priority.repository.js';
import type { PostRow } from './post.model.js';
import { MentionCandidate, PostsRepository } from './posts.repository.js';
import { PostsService } from './posts.service.js';

/** The most posts after the marked one that are read to count mentions (Mattermost reads them all). */
export const MENTION_SCAN_LIMIT = 10_000;

/** A user's mentions in the posts from the marked one on. */
export interface MentionCounts {
  mentions: number;
  mentionsRoot: number;
  urgent: number;
}

/** What counting a user's mentions knows about them. */
export interface MentionReader {
  user: Pick<UserRow, 'id' | 'username' | 'first_name' | 'notify_props'>;
  member: Pick<ChannelMemberRow, 'notify_props'>;
}

/**
 * Marking a post unread (MarkChannelAsUnreadFromPost): the member's channel goes back to just
 * before the post, with the message and mention counts of what follows it.
 */
@Injectable()
export class PostUnreadService {
  constructor(
    private readonly repo: PostsRepository,
    private readonly priorities: PostPriorityRepository,
    private readonly members: ChannelMembersRepository,
    private readonly users: UsersRepository,
    private readonly access: PostAccess,
    private readonly posts: PostsService,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
    private readonly publisher: EventPublisher,
    private readonly readState: ReadStateListeners,
  ) {}

  /**
   * POST /users/{user_id}/posts/{post_id}/set_unread (setPostUnread): the user themself or someone
   * with edit_other_users, with read_channel_content on the post's channel (a missing post is a
   * 403 there, a deleted one a 404 after it). Root counts (msg_count_root, mention_count_root,
   * urgent_mention_count) are set when the client supports collapsed threads and the user has them
   * on, or when the post is a root; for a reply seen without collapsed threads they are left as
   * read, as Mattermost's markChannelAsUnreadFromPostCRTUnsupported does.
   */
  async markUnread(session: Session, userId: string, postId: string, collapsedThreadsSupported: boolean): Promise<ChannelUnreadAtRow> {
    this.permissions.requireSelfOrAdmin(session, userId);
    await this.access.requireOnPost(session, postId, 'read_channel_content');
    const post = await this.repo.byId(postId);
    if (!post) throw postNotFound(postId);
    const user = await this.users.byId(userId);
    if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
    const channel = await this.access.channel(post.channel_id);
    const member = await this.members.get(channel.id, userId);
    if (!member) throw notFound('app.channel.get_member.missing.app_error', 'No channel member found for that user ID and channel ID.');

    const counts = await this.countMentionsFrom({ user, member }, channel, post);
    const withRoots = post.root_id === '' || (collapsedThreadsSupported && (await this.posts.collapsedThreadsFor(userId)));
    const lastViewedAt = post.create_at - 1;
    const unread = await this.repo.countAfter(channel.id, lastViewedAt);
    const state = await this.members.markUnreadFrom(
      {
        channelId: channel.id,
        userId,
        lastViewedAt,
        mentions: counts.mentions,
        mentionsRoot: withRoots ? counts.mentionsRoot : 0,
        urgentMentions: withRoots ? counts.urgent : 0,
        unread: unread.all,
        unreadRoot: withRoots ? unread.roots : 0,
      },
      Date.now(),
    );
    if (!state) throw notFound('app.channel.get_member.missing.app_error', 'No channel member found for that user ID and channel ID.');
    this.publisher.publish(postUnreadEvent(state, post.id));
    // The user's devices show the higher badge (Mattermost's UpdateMobileAppBadge).
    this.readState.notify({ kind: 'marked_unread', userId, sessionId: session.id, channelId: channel.id });
    return state;
  }

  /**
   * countMentionsFromPost: in a direct or group message every post of someone else from the marked
   * one on is a mention; elsewhere the posts that mention the user by their keywords (channel-wide
   * mentions always count), add them to the channel, or reply in a thread they started or (with
   * comments "any") replied in before; the user's own posts never do, unless from a webhook.
   */
  async countMentionsFrom(reader: MentionReader, channel: Pick<ChannelRow, 'id' | 'type'>, post: Pick<PostRow, 'create_at'>): Promise<MentionCounts> {
    const priorityOn = this.config.get().ServiceSettings.PostPriority;
    if (channel.type === 'D' || channel.type === 'G') {
      const others = await this.repo.countAfter(channel.id, post.create_at - 1, reader.user.id);
      const urgent = priorityOn ? await this.priorities.countUrgentAfter(channel.id, post.create_at - 1, reader.user.id) : 0;
      return { mentions: others.all, mentionsRoot: others.roots, urgent };
    }
    const candidates = await this.repo.mentionCandidates(channel.id, post.create_at, MENTION_SCAN_LIMIT);
    const threads = await this.repo.threadAuthorship(threadsToCheck(reader, candidates), reader.user.id);
    const mentioning = candidates.filter((p) => isMentionOf(reader, p, threads));
    const rootIds = mentioning.filter((p) => p.root_id === '').map((p) => p.id);
    const urgent = priorityOn ? (await this.priorities.urgentAmong(rootIds)).size : 0;
    return { mentions: mentioning.length, mentionsRoot: rootIds.length, urgent };
  }
}

/** The threads whose replies may be comment mentions (the user's comments setting is root or any). */
function threadsToCheck(reader: MentionReader, posts: MentionCandidate[]): string[] {
  const comments = reader.user.notify_props.comments;
  if (comments !== 'root' && comments !== 'any') return [];
  return [...new Set(posts.filter((p) => p.root_id !== '' && p.user_id !== reader.user.id).map((p) => p.root_id))];
}

/** isPostMention for one post. */
export function isMentionOf(reader: MentionReader, post: MentionCandidate, threads: Map<string, { rootUserId: string; firstReplyAt: number }>): boolean {
  const { user } = reader;
  const fromWebhook = post.props?.from_webhook === 'true';
  if (post.user_id === user.id && !fromWebhook) return false;
  const found = findMentions(
    post.message,
    [
      {
        userId: user.id,
        username: user.username,
        firstName: user.first_name,
        userNotifyProps: user.notify_props ?? {},
        channelNotifyProps: reader.member.notify_props ?? {},
        online: true,
      },
    ],
    // Mattermost assumes channel mentions allowed and the user online when counting these.
    { posterId: fromWebhook ? '' : post.user_id, allowChannelMentions: true },
  );
  if (found.userIds.includes(user.id)) return true;
  if (post.type === 'system_add_to_channel' && post.props?.addedUserId === user.id) return true;
  if (post.root_id === '') return false;
  const thread = threads.get(post.root_id);
  if (!thread) return false;
  if (thread.rootUserId === user.id) return true;
  return user.notify_props.comments === 'any' && thread.firstReplyAt > 0 && thread.firstReplyAt < post.create_at;
}

/** post_unread to the user (sendWebSocketPostUnreadEvent). */
export function postUnreadEvent(state: ChannelUnreadAtRow, postId: string) {
  return newEvent(
    WsEvents.PostUnread,
    { team_id: state.team_id, channel_id: state.channel_id, user_id: state.user_id },
    {
      msg_count: state.msg_count,
      msg_count_root: state.msg_count_root,
      mention_count: state.mention_count,
      mention_count_root: state.mention_count_root,
      urgent_mention_count: state.urgent_mention_count,
      last_viewed_at: state.last_viewed_at,
      post_id: postId,
    },
  );
}
