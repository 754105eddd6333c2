import { Injectable, Optional } from '@nestjs/common';
import { Caches, ReadThroughCache } from '#common';
import { Database, Queryable } from '#db';
import { InvalidationBus } from '#realtime';
import { cachedRows, eachPair, pairKey, tellCommitted } from '../common/cached-rows.js';
import { ChannelMemberRow, ChannelPermissionRoles } from './membership.model.js';

const COLUMNS = `channel_id, user_id, roles, last_viewed_at, msg_count, mention_count, mention_count_root, urgent_mention_count,
  msg_count_root, notify_props, last_update_at, scheme_guest, scheme_user, scheme_admin`;

/** A membership's values in COLUMNS' order. */
function memberValues(m: ChannelMemberRow): unknown[] {
  return [
    m.channel_id,
    m.user_id,
    m.roles,
    m.last_viewed_at,
    m.msg_count,
    m.mention_count,
    m.mention_count_root,
    m.urgent_mention_count,
    m.msg_count_root,
    m.notify_props,
    m.last_update_at,
    m.scheme_guest,
    m.scheme_user,
    m.scheme_admin,
  ];
}

const CM_COLUMNS = COLUMNS.replace(/(\w+)/g, 'cm.$1');

/** model.ChannelMemberWithTeamData's extra fields (empty for direct and group messages). */
export interface MemberTeamData {
  team_display_name: string;
  team_name: string;
  team_update_at: number;
}

export interface ChannelUnreadRow {
  team_id: string;
  channel_id: string;
  total_msg_count: number;
  total_msg_count_root: number;
  msg_count: number;
  msg_count_root: number;
  mention_count: number;
  mention_count_root: number;
  urgent_mention_count: number;
  last_viewed_at: number;
  notify_props: Record<string, string>;
}

export interface MarkUnreadInput {
  channelId: string;
  userId: string;
  lastViewedAt: number;
  mentions: number;
  mentionsRoot: number;
  urgentMentions: number;
  /** Posts (and root posts) still unread after last_viewed_at. */
  unread: number;
  unreadRoot: number;
}

/** model.ChannelUnreadAt: a member's unread state after marking a post unread. */
/** A channel markViewed marked read, with the member's state before. */
export interface ViewedChannelRow {
  channel_id: string;
  /** The channel's last post time: the member has read up to it (Mattermost's last_viewed_at_times). */
  last_post_at: number;
  mentions_before: number;
  unread_before: number;
  member_push: string;
  user_push: string;
}

export interface ChannelUnreadAtRow {
  team_id: string;
  user_id: string;
  channel_id: string;
  msg_count: number;
  mention_count: number;
  mention_count_root: number;
  urgent_mention_count: number;
  msg_count_root: number;
  last_viewed_at: number;
  notify_props: Record<string, string>;
}

/** A channel member as mention detection sees them. */
export interface MentionMemberRow {
  user_id: string;
  username: string;
  first_name: string;
  user_notify_props: Record<string, string>;
  channel_notify_props: Record<string, string>;
  status: string | null;
}

/** The permission roles cache (Mattermost checks channel permissions against its cache of a user's channel members). */
const CACHED_ROLES = 100_000;
const CACHED_ROLES_TTL_MS = 15 * 60_000;

/**
 * The channel_members table. On a server node the roles that decide a user's permissions in a
 * channel (permissionRoles, asked by nearly every request) are cached by channel and user. Every
 * write here that adds, removes or re-roles a member tells the invalidation bus
 * ('channel_members', after its commit); the cache drops the channel's entries on that, on a
 * change of the channel itself ('channel': it may have moved team) and drops everything when a
 * team membership changes ('team_members': team roles grant channel permissions). Reads, mentions
 * and notification settings change no permission, so they tell no one.
 */
@Injectable()
export class ChannelMembersRepository {
  private readonly roles?: ReadThroughCache<ChannelPermissionRoles>;

  constructor(
    private readonly db: Database,
    @Optional() private readonly invalidation?: InvalidationBus,
    @Optional() caches?: Caches,
  ) {
    this.roles = cachedRows(invalidation, caches, {
      name: 'ChannelMemberRoles',
      maxEntries: CACHED_ROLES,
      ttlMs: CACHED_ROLES_TTL_MS,
      dropOn: ['channel_members', 'channel'],
      // Team roles grant public-channel permissions, and the cache does not know channels' teams.
      clearOn: ['team_members'],
      byPrefix: true,
      load: eachPair((channelId, userId) => this.loadPermissionRoles(channelId, userId)),
    });
  }

  /** Every node forgets the channel's cached permission roles once what `tx` wrote is committed. */
  private membersChanged(channelId: string, tx: Queryable = this.db): void {
    tellCommitted(this.invalidation, 'channel_members', channelId, tx);
  }

  /** Inserts a membership unless one exists; returns the new row, or undefined when already a member. */
  async insert(m: ChannelMemberRow, tx: Queryable = this.db): Promise<ChannelMemberRow | undefined> {
    const rows = await tx.query<ChannelMemberRow>(
      `INSERT INTO channel_members (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)
       ON CONFLICT (channel_id, user_id) DO NOTHING RETURNING ${COLUMNS}`,
      memberValues(m),
    );
    if (rows[0]) this.membersChanged(m.channel_id, tx);
    return rows[0];
  }

  /**
   * Inserts or replaces a membership's roles, notification settings and read state (the bulk
   * import, which sets what its line says whether or not the user was a member already).
   */
  async upsert(m: ChannelMemberRow, tx: Queryable): Promise<void> {
    await tx.query(
      `INSERT INTO channel_members (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)
       ON CONFLICT (channel_id, user_id) DO UPDATE SET roles = EXCLUDED.roles, last_viewed_at = EXCLUDED.last_viewed_at,
         msg_count = EXCLUDED.msg_count, mention_count = EXCLUDED.mention_count, notify_props = EXCLUDED.notify_props,
         last_update_at = EXCLUDED.last_update_at, scheme_guest = EXCLUDED.scheme_guest, scheme_user = EXCLUDED.scheme_user,
         scheme_admin = EXCLUDED.scheme_admin`,
      memberValues(m),
    );
    this.membersChanged(m.channel_id, tx);
  }

  async get(channelId: string, userId: string, tx: Queryable = this.db): Promise<ChannelMemberRow | undefined> {
    return (await tx.query<ChannelMemberRow>(`SELECT ${COLUMNS} FROM channel_members WHERE channel_id = $1 AND user_id = $2`, [channelId, userId]))[0];
  }

  /**
   * The roles that decide a user's permissions in a channel, in one query (this runs on every
   * request): the channel member's, and the team member's of the channel's team, which grants
   * public-channel permissions to the team. Undefined when there is no such channel.
   */
  async permissionRoles(channelId: string, userId: string): Promise<ChannelPermissionRoles | undefined> {
    if (this.roles) return this.roles.get(pairKey(channelId, userId));
    return this.loadPermissionRoles(channelId, userId);
  }

  private async loadPermissionRoles(channelId: string, userId: string): Promise<ChannelPermissionRoles | undefined> {
    const rows = await this.db.query<ChannelPermissionRoles>(
      `SELECT cm.roles AS member_roles, tm.roles AS team_roles
         FROM channels c
         LEFT JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = $2
         LEFT JOIN team_members tm ON tm.team_id = c.team_id AND tm.user_id = $2 AND tm.delete_at = 0
        WHERE c.id = $1`,
      [channelId, userId],
    );
    return rows[0];
  }

  async list(channelId: string, page: number, perPage: number): Promise<ChannelMemberRow[]> {
    return this.db
      .replica()
      .query<ChannelMemberRow>(`SELECT ${COLUMNS} FROM channel_members WHERE channel_id = $1 ORDER BY user_id LIMIT $2 OFFSET $3`, [
        channelId,
        perPage,
        page * perPage,
      ]);
  }

  async byUserIds(channelId: string, userIds: string[]): Promise<ChannelMemberRow[]> {
    return this.db
      .replica()
      .query<ChannelMemberRow>(`SELECT ${COLUMNS} FROM channel_members WHERE channel_id = $1 AND user_id = ANY($2) ORDER BY user_id`, [channelId, userIds]);
  }

  /** When the user last viewed each of these channels (channels they are no member of are absent). */
  async lastViewedAt(userId: string, channelIds: string[]): Promise<Map<string, number>> {
    if (channelIds.length === 0) return new Map();
    const rows = await this.db.query<{ channel_id: string; last_viewed_at: number }>(
      'SELECT channel_id, last_viewed_at FROM channel_members WHERE user_id = $1 AND channel_id = ANY($2)',
      [userId, channelIds],
    );
    return new Map(rows.map((r) => [r.channel_id, r.last_viewed_at]));
  }

  async userIds(channelId: string): Promise<string[]> {
    const rows = await this.db.query<{ user_id: string }>('SELECT user_id FROM channel_members WHERE channel_id = $1', [channelId]);
    return rows.map((r) => r.user_id);
  }

  /** The user's memberships in a team's channels plus their direct and group messages. */
  async forUserInTeam(userId: string, teamId: string): Promise<ChannelMemberRow[]> {
    return this.db.replica().query<ChannelMemberRow>(
      `SELECT ${CM_COLUMNS} FROM channel_members cm JOIN channels c ON c.id = cm.channel_id
        WHERE cm.user_id = $1 AND (c.team_id = $2 OR c.team_id = '') ORDER BY cm.channel_id`,
      [userId, teamId],
    );
  }

  /** All of a user's memberships with their team's names, page by page (GET /users/{id}/channel_members). */
  async forUserWithTeams(userId: string, page: number, perPage: number): Promise<Array<ChannelMemberRow & MemberTeamData>> {
    return this.db.replica().query(
      `SELECT ${CM_COLUMNS}, coalesce(t.display_name, '') AS team_display_name, coalesce(t.name, '') AS team_name,
              coalesce(t.update_at, 0) AS team_update_at
         FROM channel_members cm JOIN channels c ON c.id = cm.channel_id LEFT JOIN teams t ON t.id = c.team_id
        WHERE cm.user_id = $1 ORDER BY cm.channel_id LIMIT $2 OFFSET $3`,
      [userId, perPage, page * perPage],
    );
  }

  async delete(channelId: string, userId: string, tx: Queryable = this.db): Promise<boolean> {
    const rows = await tx.query('DELETE FROM channel_members WHERE channel_id = $1 AND user_id = $2 RETURNING user_id', [channelId, userId]);
    if (rows.length > 0) this.membersChanged(channelId, tx);
    return rows.length > 0;
  }

  /** Drops the user from every open/private channel of a team; returns the channels left. */
  async deleteForUserInTeam(userId: string, teamId: string, tx: Queryable = this.db): Promise<string[]> {
    const rows = await tx.query<{ channel_id: string }>(
      `DELETE FROM channel_members cm USING channels c
        WHERE cm.channel_id = c.id AND c.team_id = $2 AND cm.user_id = $1 RETURNING cm.channel_id`,
      [userId, teamId],
    );
    for (const r of rows) this.membersChanged(r.channel_id, tx);
    return rows.map((r) => r.channel_id);
  }

  async updateRoles(
    m: Pick<ChannelMemberRow, 'channel_id' | 'user_id' | 'roles' | 'scheme_guest' | 'scheme_user' | 'scheme_admin'>,
    now: number,
  ): Promise<ChannelMemberRow | undefined> {
    const rows = await this.db.query<ChannelMemberRow>(
      `UPDATE channel_members SET roles = $3, scheme_guest = $4, scheme_user = $5, scheme_admin = $6, last_update_at = $7
        WHERE channel_id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
      [m.channel_id, m.user_id, m.roles, m.scheme_guest, m.scheme_user, m.scheme_admin, now],
    );
    this.membersChanged(m.channel_id);
    return rows[0];
  }

  async updateNotifyProps(channelId: string, userId: string, props: Record<string, string>, now: number): Promise<ChannelMemberRow | undefined> {
    const rows = await this.db.query<ChannelMemberRow>(
      `UPDATE channel_members SET notify_props = $3, last_update_at = $4 WHERE channel_id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
      [channelId, userId, props, now],
    );
    return rows[0];
  }

  /**
   * Marks channels read for the user (UpdateLastViewedAt: everything posted so far counts as read,
   * mentions clear; only channels they belong to are touched). last_viewed_at becomes the channel's
   * last_post_at unless it is already later, as in Mattermost, and each channel's last_post_at is
   * what the caller answers with (Mattermost's last_viewed_at_times).
   * Each row comes with what the member had not read before and their push notify props (read in
   * the same statement, before the update), which decide whether their devices are told.
   * A member with nothing to mark (read up to the last post, no count to clear) is not written:
   * most views are of channels read before, and their update would only have rewritten the same
   * values, with a WAL record and a flush at commit each.
   * The channel's row is read once and carried through, and the user's push setting is a subquery:
   * planning, redone on every run (statement-names.ts), cost 1.04 ms against 0.19 ms of execution
   * in a capacity ramp, and fewer joins plan faster (EXPLAIN: 0.86 → 0.49 ms on a warm connection).
   */
  async markViewed(userId: string, channelIds: string[], now: number): Promise<ViewedChannelRow[]> {
    return this.db.query<ViewedChannelRow>(
      `WITH m AS (
         SELECT cm.channel_id, c.last_post_at, c.total_msg_count, c.total_msg_count_root,
                COALESCE(cm.notify_props->>'push', '') AS member_push,
                (cm.last_viewed_at < c.last_post_at OR cm.msg_count <> c.total_msg_count OR cm.msg_count_root <> c.total_msg_count_root
                 OR cm.mention_count <> 0 OR cm.mention_count_root <> 0 OR cm.urgent_mention_count <> 0) AS stale
           FROM channel_members cm JOIN channels c ON c.id = cm.channel_id
          WHERE cm.user_id = $1 AND cm.channel_id = ANY($2)),
       before AS (
         SELECT cm.channel_id, cm.mention_count, m.total_msg_count - cm.msg_count AS unread, m.last_post_at, m.total_msg_count, m.total_msg_count_root
           FROM channel_members cm JOIN m ON m.channel_id = cm.channel_id AND m.stale
          WHERE cm.user_id = $1
            FOR UPDATE OF cm),
       marked AS (
         UPDATE channel_members cm
            SET last_viewed_at = GREATEST(cm.last_viewed_at, b.last_post_at), msg_count = b.total_msg_count, msg_count_root = b.total_msg_count_root,
                mention_count = 0, mention_count_root = 0, urgent_mention_count = 0, last_update_at = $3
           FROM before b
          WHERE cm.user_id = $1 AND cm.channel_id = b.channel_id
          RETURNING cm.channel_id, b.mention_count, b.unread)
       SELECT m.channel_id, m.last_post_at, COALESCE(marked.mention_count, 0) AS mentions_before, COALESCE(marked.unread, 0) AS unread_before,
              m.member_push, (SELECT COALESCE(notify_props->>'push', '') FROM users WHERE id = $1) AS user_push
         FROM m LEFT JOIN marked ON marked.channel_id = m.channel_id`,
      [userId, channelIds, now],
    );
  }

  /**
   * A user's push badge (getUserBadgeCount) in one round trip: their unread mentions (for a DM,
   * its unread messages: each is a mention) over the live channels they are in, counted on roots
   * only with collapsed threads (GetUnreadCount), plus then their followed live threads' unread
   * mentions (GetTotalUnreadMentions, every team).
   */
  async badgeCount(userId: string, collapsedThreads: boolean): Promise<number> {
    return (await this.badgeCounts([userId], collapsedThreads ? [userId] : [])).get(userId) ?? 0;
  }

  /**
   * getUserBadgeCount for several users in one query: unread mentions (every unread message of a
   * DM), counted on root posts and with their unread thread mentions for the users in
   * `collapsedThreads`.
   */
  async badgeCounts(userIds: string[], collapsedThreads: string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db.query<{ user_id: string; badge: number }>(
      `WITH crt AS (SELECT DISTINCT unnest($2::text[]) AS user_id),
            ch AS (SELECT cm.user_id,
                          sum(CASE WHEN crt.user_id IS NOT NULL
                                   THEN CASE WHEN c.type = 'D' THEN c.total_msg_count_root - cm.msg_count_root ELSE cm.mention_count_root END
                                   ELSE CASE WHEN c.type = 'D' THEN c.total_msg_count - cm.msg_count ELSE cm.mention_count END END) AS n
                     FROM channel_members cm
                     JOIN channels c ON c.id = cm.channel_id AND c.delete_at = 0
                     LEFT JOIN crt ON crt.user_id = cm.user_id
                    WHERE cm.user_id = ANY($1)
                    GROUP BY cm.user_id),
            th AS (SELECT tm.user_id, sum(tm.unread_mentions) AS n
                     FROM thread_memberships tm LEFT JOIN threads t ON t.post_id = tm.post_id
                    WHERE tm.user_id = ANY($2) AND tm.following AND COALESCE(t.thread_delete_at, 0) = 0
                    GROUP BY tm.user_id)
       SELECT u.user_id, GREATEST(0, COALESCE(ch.n, 0) + COALESCE(th.n, 0))::int AS badge
         FROM unnest($1::text[]) AS u(user_id) LEFT JOIN ch USING (user_id) LEFT JOIN th USING (user_id)`,
      [userIds, collapsedThreads],
    );
    return new Map(rows.map((r) => [r.user_id, r.badge]));
  }

  async unread(channelId: string, userId: string): Promise<ChannelUnreadRow | undefined> {
    const rows = await this.db.query<ChannelUnreadRow>(
      `SELECT c.team_id, c.id AS channel_id, c.total_msg_count, c.total_msg_count_root, cm.msg_count, cm.msg_count_root,
              cm.mention_count, cm.mention_count_root, cm.urgent_mention_count, cm.last_viewed_at, cm.notify_props
         FROM channel_members cm JOIN channels c ON c.id = cm.channel_id
        WHERE cm.channel_id = $1 AND cm.user_id = $2`,
      [channelId, userId],
    );
    return rows[0];
  }

  // ---- for posting (the posts area) -----------------------------------------------------------

  /**
   * Active members with what mention detection needs; status decides who `@here` reaches. Read on
   * posting (cached briefly), so the users' names and statuses come by join in one round trip.
   */
  async mentionMembers(channelId: string): Promise<MentionMemberRow[]> {
    return this.db.query<MentionMemberRow>(
      `SELECT u.id AS user_id, u.username, u.first_name, u.notify_props AS user_notify_props,
              cm.notify_props AS channel_notify_props, s.status
         FROM channel_members cm
         JOIN users u ON u.id = cm.user_id AND u.delete_at = 0
         LEFT JOIN status s ON s.user_id = u.id
        WHERE cm.channel_id = $1`,
      [channelId],
    );
  }

  /** When each of these users last viewed the channel (those not in it are left out). */
  async lastViewedBy(channelId: string, userIds: string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db.query<{ user_id: string; last_viewed_at: string }>(
      'SELECT user_id, last_viewed_at FROM channel_members WHERE channel_id = $1 AND user_id = ANY($2)',
      [channelId, userIds],
    );
    return new Map(rows.map((r) => [r.user_id, Number(r.last_viewed_at)]));
  }

  async incrementMentions(channelId: string, userIds: string[], isRoot: boolean, now: number, tx: Queryable): Promise<void> {
    if (userIds.length === 0) return;
    await tx.query(
      `UPDATE channel_members SET mention_count = mention_count + 1,
              mention_count_root = mention_count_root + CASE WHEN $3 THEN 1 ELSE 0 END, last_update_at = $4
        WHERE channel_id = $1 AND user_id = ANY($2)`,
      [channelId, userIds, isRoot, now],
    );
  }

  // ---- marking a post unread, message priority ------------------------------------------------

  /**
   * Sets a member back to just before a post (UpdateLastViewedAtPost): last_viewed_at and the
   * given mention counts, and the message counts from the channel's totals less the posts still
   * unread. Answers the member's unread state (model.ChannelUnreadAt), or undefined when the user
   * is not a member of a live channel.
   */
  async markUnreadFrom(m: MarkUnreadInput, now: number): Promise<ChannelUnreadAtRow | undefined> {
    const rows = await this.db.query<ChannelUnreadAtRow>(
      `UPDATE channel_members cm
          SET mention_count = $3, mention_count_root = $4, urgent_mention_count = $5,
              msg_count = GREATEST(c.total_msg_count - $6, 0), msg_count_root = GREATEST(c.total_msg_count_root - $7, 0),
              last_viewed_at = $8, last_update_at = $9
         FROM channels c
        WHERE c.id = cm.channel_id AND cm.channel_id = $1 AND cm.user_id = $2 AND c.delete_at = 0
        RETURNING c.team_id, cm.user_id, cm.channel_id, cm.msg_count, cm.mention_count, cm.mention_count_root,
                  cm.urgent_mention_count, cm.msg_count_root, cm.last_viewed_at, cm.notify_props`,
      [m.channelId, m.userId, m.mentions, m.mentionsRoot, m.urgentMentions, m.unread, m.unreadRoot, m.lastViewedAt, now],
    );
    return rows[0];
  }

  /** An urgent root post mentioned these members (IncrementMentionCount with isUrgent). */
  async incrementUrgentMentions(channelId: string, userIds: string[], tx: Queryable): Promise<void> {
    if (userIds.length === 0) return;
    await tx.query('UPDATE channel_members SET urgent_mention_count = urgent_mention_count + 1 WHERE channel_id = $1 AND user_id = ANY($2)', [
      channelId,
      userIds,
    ]);
  }
}
