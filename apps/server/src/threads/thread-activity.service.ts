import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '#config';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import type { ChannelRow } from '../channels/channel.model.js';
import type { PostRow } from '../posts/post.model.js';
import { PostsRepository } from '../posts/posts.repository.js';
import { CollapsedThreads } from './collapsed-threads.js';
import { AutoFollowResult, FollowCandidate, ReplyFollower, ThreadMembershipsRepository } from './thread-memberships.repository.js';
import { ThreadViews } from './thread-views.service.js';
import { participantsOf, toUserThreadView } from './thread.model.js';

/** What the posts area tells the threads area about a new reply. */
export interface NewReply {
  reply: Pick<PostRow, 'id' | 'user_id' | 'root_id'>;
  root: Pick<PostRow, 'id' | 'user_id' | 'props'>;
  channel: Pick<ChannelRow, 'id' | 'team_id'>;
  /** Users the reply mentions (never the poster). */
  mentionedUserIds: string[];
}

/** A reply's effect on following: who newly follows, and the followers with collapsed threads on. */
export interface ReplyFollowing {
  followed: AutoFollowResult;
  crtFollowers: ReplyFollower[];
}

/**
 * What a reply does to its thread's followers (SendNotifications' thread part): automatic
 * following (ThreadAutoFollow), unread mentions, the poster having read the thread, and one
 * thread_updated per follower who has collapsed threads on. The database work is a constant
 * number of statements whatever the number of followers.
 */
@Injectable()
export class ThreadActivity {
  private readonly log = new Logger('threads');

  constructor(
    private readonly memberships: ThreadMembershipsRepository,
    private readonly posts: PostsRepository,
    private readonly views: ThreadViews,
    private readonly collapsedThreads: CollapsedThreads,
    private readonly config: ConfigService,
    private readonly publisher: EventPublisher,
  ) {}

  /**
   * Called once a reply is stored, before its posted event (which names the followers to notify):
   * auto-following, then the thread's followers who have collapsed threads on. A failure here is
   * logged and leaves the followers empty, never fails the post.
   */
  async followReply(input: NewReply): Promise<ReplyFollowing> {
    const none: ReplyFollowing = { followed: { newFollowers: [] }, crtFollowers: [] };
    try {
      const now = Date.now();
      const settings = this.config.get().ServiceSettings;
      const followed = settings.ThreadAutoFollow
        ? await this.memberships.autoFollow(input.root.id, input.channel.id, input.reply.user_id, followCandidates(input), now)
        : none.followed;
      if (settings.CollapsedThreads === 'disabled') return { followed, crtFollowers: [] };
      return { followed, crtFollowers: await this.crtFollowers(await this.memberships.followers(input.root.id)) };
    } catch (err) {
      this.log.warn(`updating the followers of thread ${input.root.id} failed: ${err instanceof Error ? err.message : String(err)}`);
      return none;
    }
  }

  /** The thread's followers with collapsed threads on (a reply recovered from a dead node's outbox). */
  async crtFollowerIds(rootId: string): Promise<string[]> {
    if (this.config.get().ServiceSettings.CollapsedThreads === 'disabled') return [];
    return (await this.crtFollowers(await this.memberships.followers(rootId))).map((f) => f.user_id);
  }

  /** After the posted event: thread_updated to each follower with collapsed threads on. */
  async replyPosted(input: NewReply, following: ReplyFollowing): Promise<void> {
    try {
      await this.announce(input, following);
    } catch (err) {
      this.log.warn(`announcing thread ${input.root.id} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** thread_updated to every follower with collapsed threads on, with their counts before the reply. */
  private async announce(input: NewReply, { followed, crtFollowers: followers }: ReplyFollowing): Promise<void> {
    if (followers.length === 0) return;
    const root = await this.posts.byId(input.root.id, true);
    if (!root) return;
    // Its thread's participants as the reply left them (read with the root: no statement of their own).
    const participantIds = (await this.posts.participantsOf([root])).get(root.id) ?? [];
    const [post, users] = await Promise.all([this.views.post(root), this.views.participantUsers(participantIds)]);
    // Extended participants, as Mattermost's thread_updated carries them.
    const participants = participantsOf(participantIds, users);
    const mentioned = new Set(input.mentionedUserIds);
    const isNew = new Set(followed.newFollowers);
    for (const f of followers) {
      const thread = toUserThreadView(
        {
          ...f,
          post_id: root.id,
          channel_id: root.channel_id,
          reply_count: root.reply_count,
          last_reply_at: root.last_reply_at,
          participants: participantIds,
          thread_delete_at: root.delete_at,
        },
        post,
        participants,
      );
      const previous = previousCounts(f, input.reply.user_id, mentioned.has(f.user_id), isNew.has(f.user_id), followed);
      this.publisher.publish(
        newEvent(
          WsEvents.ThreadUpdated,
          { team_id: input.channel.team_id, user_id: f.user_id },
          { thread: JSON.stringify(thread), previous_unread_mentions: previous.mentions, previous_unread_replies: previous.replies },
        ),
      );
    }
  }

  /** Followers with collapsed threads on: all of them with always_on, else by their preference (one query). */
  private async crtFollowers(followers: ReplyFollower[]): Promise<ReplyFollower[]> {
    const on = await this.collapsedThreads.forUsers(followers.map((f) => f.user_id));
    return followers.filter((f) => on.has(f.user_id));
  }
}

/**
 * Who a reply may make follow: the poster, the root's author (unless a webhook posted it) and the
 * users it mentions; channel members who auto-follow every thread are added by the repository.
 */
export function followCandidates(input: NewReply): FollowCandidate[] {
  const byUser = new Map<string, boolean>([[input.reply.user_id, false]]);
  if (input.root.props?.from_webhook !== 'true' && !byUser.has(input.root.user_id)) byUser.set(input.root.user_id, false);
  for (const id of input.mentionedUserIds) if (id !== input.reply.user_id) byUser.set(id, true);
  return [...byUser].map(([userId, mentioned]) => ({ userId, mentioned }));
}

/**
 * A follower's unread counts before the reply, which thread_updated reports so that clients can
 * adjust their totals: none for a new follower; the poster's as they were; everyone else's
 * without this reply (and without its mention of them).
 */
export function previousCounts(
  f: ReplyFollower,
  posterId: string,
  mentioned: boolean,
  isNew: boolean,
  followed: AutoFollowResult,
): { mentions: number; replies: number } {
  if (isNew) return { mentions: 0, replies: 0 };
  if (f.user_id === posterId) return { mentions: followed.posterBefore?.unread_mentions ?? 0, replies: followed.posterBefore?.unread_replies ?? 0 };
  return { mentions: mentioned ? Math.max(f.unread_mentions - 1, 0) : f.unread_mentions, replies: Math.max(f.unread_replies - 1, 0) };
}
