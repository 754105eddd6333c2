import { Queryable } from '#db';
import type { PostRow } from '../posts/post.model.js';
import type { PostsRepository, ThreadPageOptions } from '../posts/posts.repository.js';
import { testPostRow } from '../posts/post.fixtures.js';
import type { AutoFollowResult, FollowCandidate, ReplyFollower, TeamThreadUnread, ThreadMembershipsRepository } from './thread-memberships.repository.js';
import { ThreadMembershipRow, ThreadTotals, UserThreadRow, UserThreadsQuery } from './thread.model.js';

/** Posts and their threads as the threads area reads them (PostsRepository's thread part). */
export class MemoryThreadPosts {
  readonly rows = new Map<string, PostRow>();
  readonly participants = new Map<string, string[]>();
  readonly teamOf = new Map<string, string>();
  /** Roots posted with the urgent priority (posts_priority). */
  readonly urgent = new Set<string>();
  private clock = 1_000;

  root(userId: string, channelId: string, message = 'root', props: Record<string, unknown> = {}): PostRow {
    const row = testPostRow(`root${this.rows.size}`.padEnd(26, 'r'), this.clock++, { user_id: userId, channel_id: channelId, message, props });
    this.rows.set(row.id, row);
    return row;
  }

  /** Stores a reply and updates its thread as addReplyToThread does. */
  reply(root: PostRow, userId: string, message = 'reply'): PostRow {
    const row = testPostRow(`reply${this.rows.size}`.padEnd(26, 'p'), this.clock++, {
      user_id: userId,
      channel_id: root.channel_id,
      root_id: root.id,
      message,
    });
    this.rows.set(row.id, row);
    root.reply_count++;
    root.last_reply_at = row.create_at;
    const list = this.participants.get(root.id) ?? [];
    if (!list.includes(userId)) list.push(userId);
    this.participants.set(root.id, list);
    return row;
  }

  repliesOf(rootId: string): PostRow[] {
    return [...this.rows.values()].filter((p) => p.root_id === rootId && p.delete_at === 0).sort((a, b) => a.create_at - b.create_at);
  }

  asRepository(): PostsRepository {
    const repo: Pick<PostsRepository, 'byId' | 'byIds' | 'threadPage' | 'participantsOf'> = {
      byId: async (id: string, includeDeleted = false) => {
        const row = this.rows.get(id);
        // A root comes with its thread's participants, as the SQL's thread join reads them.
        const participants = row?.root_id === '' ? (this.participants.get(id) ?? null) : null;
        return row && (includeDeleted || row.delete_at === 0) ? { ...row, thread_participants: participants } : undefined;
      },
      byIds: async (ids: string[]) => ids.flatMap((id) => (this.rows.get(id)?.delete_at === 0 ? [{ ...this.rows.get(id)! }] : [])),
      threadPage: async (rootId: string, opts: ThreadPageOptions) => ({
        posts: [this.rows.get(rootId)!, ...this.repliesOf(rootId)].filter((p) => p && p.create_at > opts.fromCreateAt),
        hasNext: false,
      }),
      participantsOf: async (roots: Array<Pick<PostRow, 'id'>>) => new Map(roots.map((r) => [r.id, this.participants.get(r.id) ?? []])),
    };
    return repo as PostsRepository;
  }
}

/**
 * thread_memberships in memory, with the same rules as the SQL: only readable threads are listed
 * (`readable(userId, channelId)`), a team's list holds its channels' and direct messages' threads.
 */
export class MemoryThreadMemberships {
  readonly rows = new Map<string, ThreadMembershipRow>();

  constructor(
    private readonly posts: MemoryThreadPosts,
    private readonly readable: (userId: string, channelId: string) => boolean,
  ) {}

  private key(userId: string, postId: string) {
    return `${postId}:${userId}`;
  }

  private unreadReplies(rootId: string, lastViewed: number) {
    return this.posts.repliesOf(rootId).filter((p) => p.create_at > lastViewed).length;
  }

  private threadRow(m: ThreadMembershipRow): UserThreadRow | undefined {
    const root = this.posts.rows.get(m.post_id);
    if (!root || root.reply_count === 0) return undefined;
    return {
      post_id: root.id,
      channel_id: root.channel_id,
      reply_count: root.reply_count,
      last_reply_at: root.last_reply_at,
      participants: this.posts.participants.get(root.id) ?? [],
      thread_delete_at: root.delete_at,
      last_viewed: m.last_viewed,
      unread_mentions: m.unread_mentions,
      unread_replies: this.unreadReplies(root.id, m.last_viewed),
    };
  }

  private followed(userId: string, teamId: string, deleted: boolean): Array<{ m: ThreadMembershipRow; t: UserThreadRow }> {
    return [...this.rows.values()]
      .filter((m) => m.user_id === userId && m.following)
      .flatMap((m) => {
        const t = this.threadRow(m);
        if (!t) return [];
        const team = this.posts.teamOf.get(t.channel_id) ?? '';
        if (team !== teamId && team !== '') return [];
        if (!deleted && t.thread_delete_at !== 0) return [];
        return this.readable(userId, t.channel_id) ? [{ m, t }] : [];
      });
  }

  asRepository(): ThreadMembershipsRepository {
    const repo: Omit<ThreadMembershipsRepository, 'db'> = {
      get: async (userId, postId) => this.rows.get(this.key(userId, postId)),
      followingOf: async (userId, postIds) =>
        new Map(postIds.flatMap((id) => (this.rows.has(this.key(userId, id)) ? [[id, this.rows.get(this.key(userId, id))!.following] as const] : []))),
      list: async (userId, teamId, q: UserThreadsQuery) => {
        let list = this.followed(userId, teamId, q.deleted);
        if (q.since > 0) list = list.filter(({ m }) => m.last_updated >= q.since);
        if (q.unread) list = list.filter(({ m, t }) => m.last_viewed < t.last_reply_at);
        const cursor = (id: string) => this.posts.rows.get(id)?.last_reply_at ?? 0;
        if (q.before) list = list.filter(({ t }) => t.last_reply_at < cursor(q.before));
        if (q.after) list = list.filter(({ t }) => t.last_reply_at > cursor(q.after));
        list.sort((a, b) => (q.after ? a.t.last_reply_at - b.t.last_reply_at : b.t.last_reply_at - a.t.last_reply_at));
        return list.slice(0, q.pageSize).map(({ t }) => t);
      },
      totals: async (userId, teamId, deleted): Promise<ThreadTotals> => {
        const list = this.followed(userId, teamId, deleted);
        return {
          total: list.length,
          total_unread_threads: list.filter(({ m, t }) => m.last_viewed < t.last_reply_at).length,
          total_unread_mentions: list.reduce((n, { m }) => n + m.unread_mentions, 0),
          total_unread_urgent_mentions: list.reduce((n, { m, t }) => n + (this.posts.urgent.has(t.post_id) ? m.unread_mentions : 0), 0),
        };
      },
      unreadByTeam: async (userId, teamIds): Promise<TeamThreadUnread[]> =>
        teamIds.map((teamId) => {
          const list = this.followed(userId, teamId, false).filter(({ t }) => this.posts.teamOf.get(t.channel_id) === teamId);
          return {
            team_id: teamId,
            thread_count: list.filter(({ m, t }) => m.last_viewed < t.last_reply_at).length,
            thread_mention_count: list.reduce((n, { m }) => n + m.unread_mentions, 0),
          };
        }),
      thread: async (userId, postId) => {
        const m = this.rows.get(this.key(userId, postId));
        return m?.following ? this.threadRow(m) : undefined;
      },
      setFollowing: async (userId, postId, following, now) => {
        const m = this.rows.get(this.key(userId, postId));
        if (!m) {
          this.rows.set(this.key(userId, postId), {
            post_id: postId,
            user_id: userId,
            following,
            last_viewed: following ? now : 0,
            last_updated: now,
            unread_mentions: 0,
          });
        } else if (following || m.following) {
          Object.assign(m, { following, last_updated: now }, following ? { last_viewed: now, unread_mentions: 0 } : {});
        }
      },
      ensureFollowing: async (userId, postId, now) => {
        const m = this.rows.get(this.key(userId, postId));
        if (!m)
          this.rows.set(this.key(userId, postId), { post_id: postId, user_id: userId, following: true, last_viewed: 0, last_updated: now, unread_mentions: 0 });
        else if (!m.following) Object.assign(m, { following: true, last_updated: now });
      },
      markRead: async (userId, postId, lastViewed, unreadMentions, now) => {
        const m = this.rows.get(this.key(userId, postId));
        if (m) Object.assign(m, { last_viewed: lastViewed, unread_mentions: unreadMentions, last_updated: now });
      },
      markAllRead: async (userId, teamId, now) => {
        for (const m of this.rows.values()) {
          const team = this.posts.teamOf.get(this.posts.rows.get(m.post_id)?.channel_id ?? '') ?? '';
          if (m.user_id === userId && (team === teamId || team === '')) Object.assign(m, { last_viewed: now, unread_mentions: 0, last_updated: now });
        }
      },
      autoFollow: async (
        rootId: string,
        _channelId: string,
        posterId: string,
        candidates: FollowCandidate[],
        now: number,
        _tx?: Queryable,
      ): Promise<AutoFollowResult> => {
        const result: AutoFollowResult = { newFollowers: [] };
        for (const c of candidates) {
          const key = this.key(c.userId, rootId);
          const old = this.rows.get(key);
          const isPoster = c.userId === posterId;
          if (!old) {
            this.rows.set(key, {
              post_id: rootId,
              user_id: c.userId,
              following: true,
              last_viewed: isPoster ? now : 0,
              last_updated: now,
              unread_mentions: c.mentioned && !isPoster ? 1 : 0,
            });
            result.newFollowers.push(c.userId);
            continue;
          }
          if (!(c.mentioned || (old.following && isPoster))) continue;
          if (!old.following) result.newFollowers.push(c.userId);
          if (isPoster) {
            // The reply itself is stored already: it does not count as unread before it.
            result.posterBefore = { unread_mentions: old.unread_mentions, unread_replies: Math.max(this.unreadReplies(rootId, old.last_viewed) - 1, 0) };
          }
          Object.assign(old, {
            following: true,
            unread_mentions: isPoster ? 0 : old.unread_mentions + (c.mentioned ? 1 : 0),
            last_viewed: isPoster ? now : old.last_viewed,
            last_updated: now,
          });
        }
        return result;
      },
      followers: async (rootId: string): Promise<ReplyFollower[]> => {
        const channelId = this.posts.rows.get(rootId)?.channel_id ?? '';
        return [...this.rows.values()]
          .filter((m) => m.post_id === rootId && m.following && this.readable(m.user_id, channelId))
          .map((m) => ({
            user_id: m.user_id,
            last_viewed: m.last_viewed,
            unread_mentions: m.unread_mentions,
            unread_replies: this.unreadReplies(rootId, m.last_viewed),
          }));
      },
    };
    return repo as unknown as ThreadMembershipsRepository;
  }
}
