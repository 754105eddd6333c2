import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import { ThreadMembershipRow, ThreadTotals, UserThreadRow, UserThreadsQuery } from './thread.model.js';

const MEMBERSHIP_COLUMNS = 'post_id, user_id, following, last_viewed, last_updated, unread_mentions';

/**
 * Whether the membership's user may read the thread's channel (`tm` and `c` in scope): a member of
 * the channel, or of its team for a public channel. A user keeps their memberships when they leave
 * a channel (as Mattermost does), but what they can no longer read is neither listed nor counted.
 */
const READABLE = `(EXISTS (SELECT 1 FROM channel_members cm WHERE cm.channel_id = c.id AND cm.user_id = tm.user_id)
   OR (c.type = 'O' AND EXISTS (SELECT 1 FROM team_members x WHERE x.team_id = c.team_id AND x.user_id = tm.user_id AND x.delete_at = 0)))`;

/** A user's followed, readable threads of a team and its direct/group messages ($1 user, $2 team). */
function followedIn(deleted: boolean): string {
  return `FROM thread_memberships tm
    JOIN threads t ON t.post_id = tm.post_id
    JOIN channels c ON c.id = t.channel_id
   WHERE tm.user_id = $1 AND tm.following AND t.thread_team_id IN ($2, '')
     ${deleted ? '' : 'AND t.thread_delete_at = 0'} AND ${READABLE}`;
}

/**
 * Replies of a thread: `root_id <> ''` restates what `root_id = <a root>` implies, so that the planner
 * may use the partial (root_id, create_at) index of replies.
 */
const REPLIES_OF = (root: string) => `p.root_id <> '' AND p.root_id = ${root}`;

/** The number of a thread's replies after the membership's last view, given the columns holding both. */
function unreadReplies(deleted: boolean, rootColumn = 't.post_id', viewedColumn = 'tm.last_viewed'): string {
  return `(SELECT count(*)::int FROM posts p WHERE ${REPLIES_OF(rootColumn)} AND p.create_at > ${viewedColumn} ${deleted ? '' : 'AND p.delete_at = 0'})`;
}

const THREAD_COLUMNS = `t.post_id, t.channel_id, t.reply_count, t.last_reply_at, t.participants, t.thread_delete_at,
  tm.last_viewed, tm.unread_mentions`;

/** A reply's effect on one would-be follower: who they are and whether the reply mentions them. */
export interface FollowCandidate {
  userId: string;
  mentioned: boolean;
}

/** Who follows a thread after a reply, with what each had unread before it. */
export interface ReplyFollower {
  user_id: string;
  last_viewed: number;
  unread_mentions: number;
  unread_replies: number;
}

/** What auto-following changed: who newly follows, and the poster's unread state before the reply. */
export interface AutoFollowResult {
  newFollowers: string[];
  posterBefore?: { unread_mentions: number; unread_replies: number };
}

export interface TeamThreadUnread {
  team_id: string;
  thread_count: number;
  thread_mention_count: number;
}

/** The thread_memberships table (Mattermost's ThreadStore memberships): following, read state, mentions. */
@Injectable()
export class ThreadMembershipsRepository {
  constructor(private readonly db: Database) {}

  async get(userId: string, postId: string): Promise<ThreadMembershipRow | undefined> {
    const rows = await this.db.query<ThreadMembershipRow>(`SELECT ${MEMBERSHIP_COLUMNS} FROM thread_memberships WHERE post_id = $1 AND user_id = $2`, [
      postId,
      userId,
    ]);
    return rows[0];
  }

  /** Whether the user follows each of these roots, for those they have a membership of (posts' is_following). */
  async followingOf(userId: string, postIds: string[]): Promise<Map<string, boolean>> {
    const rows = await this.db.query<{ post_id: string; following: boolean }>(
      'SELECT post_id, following FROM thread_memberships WHERE user_id = $1 AND post_id = ANY($2)',
      [userId, postIds],
    );
    return new Map(rows.map((r) => [r.post_id, r.following]));
  }

  /**
   * One page of a user's followed threads, newest last reply first (oldest first with `after`).
   * The page is picked first (LIMIT inside), and only its rows count their unread replies.
   */
  async list(userId: string, teamId: string, q: UserThreadsQuery): Promise<UserThreadRow[]> {
    const params: unknown[] = [userId, teamId];
    const where: string[] = [];
    if (q.since > 0) {
      params.push(q.since);
      where.push(`tm.last_updated >= $${params.length}`);
    }
    if (q.unread) where.push('tm.last_viewed < t.last_reply_at');
    let order = 'DESC';
    if (q.before) {
      params.push(q.before);
      where.push(`t.last_reply_at < (SELECT last_reply_at FROM threads WHERE post_id = $${params.length})`);
    } else if (q.after) {
      order = 'ASC';
      params.push(q.after);
      where.push(`t.last_reply_at > (SELECT last_reply_at FROM threads WHERE post_id = $${params.length})`);
    }
    params.push(q.pageSize);
    const filters = where.map((w) => `AND ${w}`).join(' ');
    return this.db.replica().query<UserThreadRow>(
      `SELECT page.*, ${unreadReplies(q.deleted, 'page.post_id', 'page.last_viewed')} AS unread_replies
         FROM (SELECT ${THREAD_COLUMNS} ${followedIn(q.deleted)} ${filters}
                ORDER BY t.last_reply_at ${order}, t.post_id ${order} LIMIT $${params.length}) page
        ORDER BY page.last_reply_at ${order}, page.post_id ${order}`,
      params,
    );
  }

  /** The totals of the list (model.Threads): every followed thread, unread ones, unread mentions (all, and in urgent threads). */
  async totals(userId: string, teamId: string, deleted: boolean): Promise<ThreadTotals> {
    const rows = await this.db.query<ThreadTotals>(
      `SELECT count(*)::int AS total,
              (count(*) FILTER (WHERE tm.last_viewed < t.last_reply_at))::int AS total_unread_threads,
              COALESCE(sum(tm.unread_mentions), 0)::int AS total_unread_mentions,
              -- Mentions in urgent threads (the root's priority, posts_priority) are also counted apart.
              COALESCE(sum(tm.unread_mentions) FILTER (WHERE EXISTS (
                SELECT 1 FROM posts_priority pp WHERE pp.post_id = t.post_id AND pp.priority = 'urgent')), 0)::int AS total_unread_urgent_mentions
         ${followedIn(deleted)}`,
      [userId, teamId],
    );
    return rows[0];
  }

  /** Unread threads and thread mentions per team (Store.GetTeamsUnreadForUser), for team unreads with collapsed threads. */
  async unreadByTeam(userId: string, teamIds: string[]): Promise<TeamThreadUnread[]> {
    if (teamIds.length === 0) return [];
    return this.db.replica().query<TeamThreadUnread>(
      `SELECT t.thread_team_id AS team_id,
              (count(*) FILTER (WHERE tm.last_viewed < t.last_reply_at))::int AS thread_count,
              COALESCE(sum(tm.unread_mentions), 0)::int AS thread_mention_count
         FROM thread_memberships tm
         JOIN threads t ON t.post_id = tm.post_id
         JOIN channels c ON c.id = t.channel_id
        WHERE tm.user_id = $1 AND tm.following AND t.thread_team_id = ANY($2) AND t.thread_delete_at = 0 AND ${READABLE}
        GROUP BY t.thread_team_id`,
      [userId, teamIds],
    );
  }

  /** One followed thread with the user's read state (Store.GetThreadForUser); undefined when not followed or no thread row. */
  async thread(userId: string, postId: string): Promise<UserThreadRow | undefined> {
    const rows = await this.db.query<UserThreadRow>(
      `SELECT ${THREAD_COLUMNS}, ${unreadReplies(false)} AS unread_replies
         FROM thread_memberships tm JOIN threads t ON t.post_id = tm.post_id
        WHERE tm.user_id = $1 AND tm.post_id = $2 AND tm.following`,
      [userId, postId],
    );
    return rows[0];
  }

  /**
   * Starts or stops following (MaintainMembership with UpdateFollowing, and UpdateViewedTimestamp
   * when starting): following reads the thread up to now. A new membership is made either way.
   */
  async setFollowing(userId: string, postId: string, following: boolean, now: number): Promise<void> {
    await this.db.query(
      `INSERT INTO thread_memberships AS tm (${MEMBERSHIP_COLUMNS}) VALUES ($1, $2, $3, CASE WHEN $3 THEN $4::bigint ELSE 0 END, $4, 0)
       ON CONFLICT (post_id, user_id) DO UPDATE SET following = $3,
         last_viewed = CASE WHEN $3 THEN $4::bigint ELSE tm.last_viewed END,
         unread_mentions = CASE WHEN $3 THEN 0 ELSE tm.unread_mentions END,
         last_updated = $4
       WHERE $3 OR tm.following`,
      [postId, userId, following, now],
    );
  }

  /** Follows the thread if not yet (MaintainMembership: Following, UpdateFollowing), as reading a thread does. */
  async ensureFollowing(userId: string, postId: string, now: number): Promise<void> {
    await this.db.query(
      `INSERT INTO thread_memberships AS tm (${MEMBERSHIP_COLUMNS}) VALUES ($1, $2, true, 0, $3, 0)
       ON CONFLICT (post_id, user_id) DO UPDATE SET following = true, last_updated = $3 WHERE NOT tm.following`,
      [postId, userId, now],
    );
  }

  /** Reads the thread up to a time with the mentions left after it (UpdateMembership + MarkAsRead). */
  async markRead(userId: string, postId: string, lastViewed: number, unreadMentions: number, now: number): Promise<void> {
    await this.db.query('UPDATE thread_memberships SET last_viewed = $3, unread_mentions = $4, last_updated = $5 WHERE post_id = $1 AND user_id = $2', [
      postId,
      userId,
      lastViewed,
      unreadMentions,
      now,
    ]);
  }

  /** Reads every thread of a team (and of direct/group messages) up to now (MarkAllAsReadByTeam). */
  async markAllRead(userId: string, teamId: string, now: number): Promise<void> {
    await this.db.query(
      `UPDATE thread_memberships tm SET last_viewed = $3, unread_mentions = 0, last_updated = $3
         FROM threads t
        WHERE t.post_id = tm.post_id AND tm.user_id = $1 AND t.thread_team_id IN ($2, '')`,
      [userId, teamId, now],
    );
  }

  /**
   * A reply's automatic following (SendNotifications with ThreadAutoFollow), in ONE statement
   * whatever the number of candidates: the poster, the root's author, the users the reply
   * mentions and the channel members who auto-follow every thread (channel_auto_follow_threads).
   * - a candidate without a membership starts following; a mention counts as unread;
   * - one who unfollowed stays unfollowed unless the reply mentions them;
   * - a mentioned follower gets one more unread mention;
   * - the poster has read the thread up to now (no unread mentions).
   * Returns who newly follows, and the poster's unread state before the reply (their thread_updated
   * reports it as the previous one).
   */
  async autoFollow(
    rootId: string,
    channelId: string,
    posterId: string,
    candidates: FollowCandidate[],
    now: number,
    tx: Queryable = this.db,
  ): Promise<AutoFollowResult> {
    const rows = await tx.query<{ user_id: string; is_new: boolean; before_mentions: number | null; before_replies: number | null }>(
      `WITH cand AS (
         SELECT user_id, bool_or(mentioned) AS mentioned FROM (
           SELECT * FROM unnest($3::text[], $4::bool[]) AS x(user_id, mentioned)
           UNION ALL
           SELECT cm.user_id, false FROM channel_members cm
            WHERE cm.channel_id = $2 AND cm.notify_props->>'channel_auto_follow_threads' = 'on'
         ) all_cand GROUP BY user_id),
       old AS (
         SELECT o.user_id, o.following, o.unread_mentions,
                CASE WHEN o.user_id = $5 THEN (SELECT count(*)::int FROM posts p
                  WHERE ${REPLIES_OF('$1')} AND p.delete_at = 0 AND p.create_at > o.last_viewed) END AS unread_replies
           FROM thread_memberships o WHERE o.post_id = $1 AND o.user_id IN (SELECT user_id FROM cand)),
       up AS (
         INSERT INTO thread_memberships AS tm (${MEMBERSHIP_COLUMNS})
         SELECT $1, cand.user_id, true, CASE WHEN cand.user_id = $5 THEN $6::bigint ELSE 0 END, $6,
                CASE WHEN cand.mentioned AND cand.user_id <> $5 THEN 1 ELSE 0 END
           FROM cand
         ON CONFLICT (post_id, user_id) DO UPDATE SET
           following = true,
           unread_mentions = CASE WHEN tm.user_id = $5 THEN 0 ELSE tm.unread_mentions + EXCLUDED.unread_mentions END,
           last_viewed = CASE WHEN tm.user_id = $5 THEN $6::bigint ELSE tm.last_viewed END,
           last_updated = $6
         WHERE EXCLUDED.unread_mentions > 0 OR (tm.following AND tm.user_id = $5)
         RETURNING tm.user_id)
       SELECT up.user_id, (old.user_id IS NULL OR NOT old.following) AS is_new,
              old.unread_mentions AS before_mentions, old.unread_replies AS before_replies
         FROM up LEFT JOIN old ON old.user_id = up.user_id`,
      [rootId, channelId, candidates.map((c) => c.userId), candidates.map((c) => c.mentioned), posterId, now],
    );
    const poster = rows.find((r) => r.user_id === posterId);
    return {
      newFollowers: rows.filter((r) => r.is_new).map((r) => r.user_id),
      posterBefore:
        poster && !poster.is_new ? { unread_mentions: poster.before_mentions ?? 0, unread_replies: Math.max((poster.before_replies ?? 1) - 1, 0) } : undefined,
    };
  }

  /**
   * Every follower of a thread who may read its channel, with their unread replies, in one query
   * whatever the number of followers: the thread's live reply times are read once, sorted, and
   * each follower's count is a binary search in them (width_bucket), not a count per follower.
   */
  async followers(rootId: string): Promise<ReplyFollower[]> {
    return this.db.query<ReplyFollower>(
      `WITH r AS (SELECT COALESCE(array_agg(p.create_at ORDER BY p.create_at), '{}') AS times FROM posts p WHERE ${REPLIES_OF('$1')} AND p.delete_at = 0)
       SELECT tm.user_id, tm.last_viewed, tm.unread_mentions,
              CASE WHEN cardinality(r.times) = 0 THEN 0 ELSE cardinality(r.times) - width_bucket(tm.last_viewed, r.times) END AS unread_replies
         FROM thread_memberships tm
         JOIN threads t ON t.post_id = tm.post_id
         JOIN channels c ON c.id = t.channel_id
         CROSS JOIN r
        WHERE tm.post_id = $1 AND tm.following AND ${READABLE}`,
      [rootId],
    );
  }
}
