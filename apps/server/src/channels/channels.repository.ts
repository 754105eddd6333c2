import { Injectable, Optional } from '@nestjs/common';
import { Caches, ReadThroughCache } from '#common';
import { Database, lastInTransaction, Queryable } from '#db';
import { InvalidationBus } from '#realtime';
import { cachedRows, tellCommitted } from '../common/cached-rows.js';
import { ChannelRow } from './channel.model.js';

const COLUMNS = `id, create_at, update_at, delete_at, team_id, type, display_name, name, header, purpose, last_post_at,
  last_root_post_at, total_msg_count, total_msg_count_root, extra_update_at, creator_id, scheme_id, group_constrained`;
const C_COLUMNS = COLUMNS.replace(/(\w+)/g, 'c.$1');
const PLACEHOLDERS = COLUMNS.split(',')
  .map((_, i) => `$${i + 1}`)
  .join(',');

/** A row's values in the order of COLUMNS (both insert statements). */
function rowValues(c: ChannelRow): unknown[] {
  return [
    c.id,
    c.create_at,
    c.update_at,
    c.delete_at,
    c.team_id,
    c.type,
    c.display_name,
    c.name,
    c.header,
    c.purpose,
    c.last_post_at,
    c.last_root_post_at,
    c.total_msg_count,
    c.total_msg_count_root,
    c.extra_update_at,
    c.creator_id,
    c.scheme_id,
    c.group_constrained,
  ];
}

/** `term%` for LIKE, with the LIKE wildcards in the term escaped. */
export function likePrefix(term: string): string {
  return `${term.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
}

// A channel matches a search term when its name, display name or a word of its display name starts with it.
const MATCHES_TERM = `(lower(c.name) LIKE $TERM OR lower(c.display_name) LIKE $TERM OR lower(c.display_name) LIKE '% ' || $TERM)`;

function matches(param: string): string {
  return MATCHES_TERM.replace(/\$TERM/g, param);
}

/** Mattermost's channel cache: its size (ChannelCacheSize) and expiry (15 minutes). */
const CACHED_CHANNELS = 20_000;
const CACHED_CHANNEL_TTL_MS = 15 * 60_000;
/** Mattermost's channel member counts cache: as many as channels, half an hour at most. */
const CACHED_COUNTS = 20_000;
const CACHED_COUNTS_TTL_MS = 30 * 60_000;

/** A channel's counts in GET /channels/{id}/stats, but its files'. */
export interface ChannelCounts {
  member_count: number;
  guest_count: number;
  pinnedpost_count: number;
}

/**
 * The channels table. On a server node channels read by id are cached (Mattermost's channel by id
 * cache: every channel and post route loads its channel first); every write here, a new post's
 * counters included, tells the invalidation bus (kind 'channel', after its commit) so every node's
 * cache drops the row. Without a bus (the jobs CLI, the import writer, whose job tells the bus
 * itself) nothing is cached.
 */
@Injectable()
export class ChannelsRepository {
  private readonly cache?: ReadThroughCache<ChannelRow>;
  /** The same rows, kept through new posts: see byIdForPosting. */
  private readonly forPosting?: ReadThroughCache<ChannelRow>;
  private readonly counts?: ReadThroughCache<ChannelCounts>;

  constructor(
    private readonly db: Database,
    @Optional() private readonly invalidation?: InvalidationBus,
    @Optional() caches?: Caches,
  ) {
    this.cache = cachedRows(invalidation, caches, {
      name: 'ChannelById',
      maxEntries: CACHED_CHANNELS,
      ttlMs: CACHED_CHANNEL_TTL_MS,
      dropOn: ['channel', 'channel_posted'],
      // From the master: a lagging replica would refill the cache with the row as it was before.
      load: (ids) => this.loadRows(ids),
    });
    this.forPosting = cachedRows(invalidation, caches, {
      name: 'ChannelByIdForPosting',
      maxEntries: CACHED_CHANNELS,
      ttlMs: CACHED_CHANNEL_TTL_MS,
      dropOn: ['channel'],
      load: (ids) => this.loadRows(ids),
    });
    // Mattermost caches member, guest and pinned post counts per channel (GET /channels/{id}/stats
    // asks on every channel switch, and counting a big channel's active members is the costliest
    // read the web app makes). Dropped when a member joins, leaves or changes roles
    // ('channel_members'), when a post's pin changes or a post goes ('channel_counts'), and all of
    // them when a user is deactivated or reactivated ('user': the cache does not know their channels).
    this.counts = cachedRows(invalidation, caches, {
      name: 'ChannelCounts',
      maxEntries: CACHED_COUNTS,
      ttlMs: CACHED_COUNTS_TTL_MS,
      dropOn: ['channel_counts', 'channel_members'],
      clearOn: ['user'],
      load: (ids) => this.loadCounts(ids),
    });
  }

  private async loadRows(ids: string[]): Promise<Map<string, ChannelRow>> {
    return new Map((await this.db.query<ChannelRow>(`SELECT ${COLUMNS} FROM channels WHERE id = ANY($1)`, [ids])).map((c) => [c.id, c]));
  }

  /** Every node forgets the cached row once what `tx` wrote is committed. */
  private changed(id: string, tx: Queryable = this.db): void {
    tellCommitted(this.invalidation, 'channel', id, tx);
  }

  /** The same, for a change of the post times and message counts only ('channel_posted'). */
  private posted(id: string, tx: Queryable): void {
    tellCommitted(this.invalidation, 'channel_posted', id, tx);
  }

  async insert(c: ChannelRow, tx: Queryable = this.db): Promise<void> {
    await tx.query(`INSERT INTO channels (${COLUMNS}) VALUES (${PLACEHOLDERS})`, rowValues(c));
  }

  /** Inserts unless a channel with this name already exists in the team; returns the stored one. */
  async insertOrGet(c: ChannelRow, tx: Queryable = this.db): Promise<{ channel: ChannelRow; created: boolean }> {
    const inserted = await tx.query<ChannelRow>(
      `INSERT INTO channels (${COLUMNS}) VALUES (${PLACEHOLDERS})
       ON CONFLICT (name, team_id) DO NOTHING RETURNING ${COLUMNS}`,
      rowValues(c),
    );
    if (inserted[0]) return { channel: inserted[0], created: true };
    const existing = await this.byName(c.team_id, c.name, true, tx);
    return { channel: existing!, created: false };
  }

  /** Team channels by (team id, name), archived ones too (the bulk import matches channels by name). */
  async byTeamNames(keys: Array<{ team_id: string; name: string }>, tx: Queryable = this.db): Promise<ChannelRow[]> {
    if (keys.length === 0) return [];
    return tx.query<ChannelRow>(`SELECT ${COLUMNS} FROM channels WHERE (team_id, name) IN (SELECT * FROM unnest($1::varchar[], $2::varchar[]))`, [
      keys.map((k) => k.team_id),
      keys.map((k) => k.name),
    ]);
  }

  /**
   * Counts posts a bulk import added to a channel, with their own times: what countNewPost does for
   * one post, for a batch (`roots` of the `posts` are root posts).
   */
  async countImportedPosts(
    tx: Queryable,
    channelId: string,
    added: { posts: number; roots: number; lastPostAt: number; lastRootPostAt: number },
  ): Promise<void> {
    await tx.query(
      `UPDATE channels SET total_msg_count = total_msg_count + $2, total_msg_count_root = total_msg_count_root + $3,
              last_post_at = GREATEST(last_post_at, $4), last_root_post_at = GREATEST(last_root_post_at, $5)
        WHERE id = $1`,
      [channelId, added.posts, added.roots, added.lastPostAt, added.lastRootPostAt],
    );
    this.posted(channelId, tx);
  }

  /** Cached unless read inside a transaction (which must see its own writes). */
  async byId(id: string, tx: Queryable = this.db): Promise<ChannelRow | undefined> {
    if (this.cache && tx === this.db) return this.cache.get(id);
    return (await tx.query<ChannelRow>(`SELECT ${COLUMNS} FROM channels WHERE id = $1`, [id]))[0];
  }

  /**
   * The row for making a post in the channel: current in everything but its post times and
   * message counts, which may lag the newest posts. A post reads the channel's kind, team, names
   * and whether it is archived, never those (its transaction counts itself in the database). byId
   * drops a channel's row at every post ('channel_posted'), so in a busy channel every post read
   * the row again; this cache drops it only when the channel itself changes ('channel').
   */
  async byIdForPosting(id: string): Promise<ChannelRow | undefined> {
    return this.forPosting ? this.forPosting.get(id) : this.byId(id);
  }

  async byName(teamId: string, name: string, includeDeleted: boolean, tx: Queryable = this.db): Promise<ChannelRow | undefined> {
    const rows = await tx.query<ChannelRow>(`SELECT ${COLUMNS} FROM channels WHERE team_id = $1 AND name = $2 ${includeDeleted ? '' : 'AND delete_at = 0'}`, [
      teamId,
      name,
    ]);
    return rows[0];
  }

  /** Open and private channels of a team, archived ones included (MaxChannelsPerTeam counts them). */
  async countForTeam(teamId: string, tx: Queryable = this.db): Promise<number> {
    const rows = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM channels WHERE team_id = $1`, [teamId]);
    return rows[0].n;
  }

  async idsForTeam(teamId: string, tx: Queryable = this.db): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(`SELECT id FROM channels WHERE team_id = $1`, [teamId]);
    return rows.map((r) => r.id);
  }

  async update(c: ChannelRow, tx: Queryable = this.db): Promise<void> {
    await tx.query(
      `UPDATE channels SET update_at = $2, type = $3, display_name = $4, name = $5, header = $6, purpose = $7, group_constrained = $8
        WHERE id = $1`,
      [c.id, c.update_at, c.type, c.display_name, c.name, c.header, c.purpose, c.group_constrained],
    );
    this.changed(c.id, tx);
  }

  /** POST /channels/{id}/move. */
  async setTeam(id: string, teamId: string, now: number, tx: Queryable = this.db): Promise<void> {
    await tx.query('UPDATE channels SET team_id = $2, update_at = $3 WHERE id = $1', [id, teamId, now]);
    this.changed(id, tx);
  }

  async setDeleteAt(id: string, deleteAt: number, now: number, tx: Queryable = this.db): Promise<void> {
    await tx.query('UPDATE channels SET delete_at = $2, update_at = $3 WHERE id = $1', [id, deleteAt, now]);
    this.changed(id, tx);
  }

  /** Removes a channel and its memberships, in the transaction that deletes its posts. */
  async deletePermanently(id: string, tx: Queryable): Promise<void> {
    await tx.query('DELETE FROM channel_members WHERE channel_id = $1', [id]);
    await tx.query('DELETE FROM channels WHERE id = $1', [id]);
    this.changed(id, tx);
  }

  async ofTypeForTeam(teamId: string, type: 'O' | 'P', page: number, perPage: number): Promise<ChannelRow[]> {
    return this.db.replica().query<ChannelRow>(
      `SELECT ${COLUMNS} FROM channels WHERE team_id = $1 AND type = $2 AND delete_at = 0
        ORDER BY display_name, name LIMIT $3 OFFSET $4`,
      [teamId, type, perPage, page * perPage],
    );
  }

  /** Archived public channels, and archived private ones the user is in (all of them for admins). */
  async archivedForTeam(teamId: string, userId: string, allPrivate: boolean, page: number, perPage: number): Promise<ChannelRow[]> {
    return this.db.replica().query<ChannelRow>(
      `SELECT ${C_COLUMNS} FROM channels c
        WHERE c.team_id = $1 AND c.delete_at > 0
          AND (c.type = 'O' OR (c.type = 'P' AND ($3 OR EXISTS (
                SELECT 1 FROM channel_members cm WHERE cm.channel_id = c.id AND cm.user_id = $2))))
        ORDER BY c.display_name, c.name LIMIT $4 OFFSET $5`,
      [teamId, userId, allPrivate, perPage, page * perPage],
    );
  }

  async publicByIds(teamId: string, ids: string[]): Promise<ChannelRow[]> {
    return this.db
      .replica()
      .query<ChannelRow>(`SELECT ${COLUMNS} FROM channels WHERE team_id = $1 AND type = 'O' AND id = ANY($2) ORDER BY display_name, name`, [teamId, ids]);
  }

  /** The user's channels in a team plus their direct and group messages (Store.GetChannels). */
  async forUserInTeam(userId: string, teamId: string, includeDeleted: boolean): Promise<ChannelRow[]> {
    return this.db.replica().query<ChannelRow>(
      `SELECT ${C_COLUMNS} FROM channels c JOIN channel_members cm ON cm.channel_id = c.id
        WHERE cm.user_id = $1 AND (c.team_id = $2 OR c.team_id = '') ${includeDeleted ? '' : 'AND c.delete_at = 0'}
        ORDER BY c.display_name, c.name`,
      [userId, teamId],
    );
  }

  /** Every channel the user is in, across teams, with direct and group messages. */
  async forUser(userId: string, includeDeleted: boolean): Promise<ChannelRow[]> {
    return this.db.replica().query<ChannelRow>(
      `SELECT ${C_COLUMNS} FROM channels c JOIN channel_members cm ON cm.channel_id = c.id
        WHERE cm.user_id = $1 ${includeDeleted ? '' : 'AND c.delete_at = 0'}
          AND (c.team_id = '' OR EXISTS (SELECT 1 FROM team_members tm WHERE tm.team_id = c.team_id AND tm.user_id = $1 AND tm.delete_at = 0))
        ORDER BY c.display_name, c.name`,
      [userId],
    );
  }

  /** Public channels of a team matching a term (Store.SearchInTeam). */
  async searchPublic(teamId: string, term: string, includeDeleted: boolean, limit: number): Promise<ChannelRow[]> {
    return this.db.replica().query<ChannelRow>(
      `SELECT ${C_COLUMNS} FROM channels c
        WHERE c.team_id = $1 AND c.type = 'O' ${includeDeleted ? '' : 'AND c.delete_at = 0'} AND ${matches('$2')}
        ORDER BY c.display_name, c.name LIMIT $3`,
      [teamId, likePrefix(term), limit],
    );
  }

  /** The user's own open and private channels in a team matching a term. */
  async searchForMember(teamId: string, userId: string, term: string, includeDeleted: boolean, limit: number): Promise<ChannelRow[]> {
    return this.db.replica().query<ChannelRow>(
      `SELECT ${C_COLUMNS} FROM channels c JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = $2
        WHERE c.team_id = $1 ${includeDeleted ? '' : 'AND c.delete_at = 0'} AND ${matches('$3')}
        ORDER BY c.display_name, c.name LIMIT $4`,
      [teamId, userId, likePrefix(term), limit],
    );
  }

  /** Public channels plus the private ones the user is in, matching a term (Store.AutocompleteInTeam). */
  async autocomplete(teamId: string, userId: string, term: string, includeDeleted: boolean, limit: number): Promise<ChannelRow[]> {
    return this.db.replica().query<ChannelRow>(
      `SELECT ${C_COLUMNS} FROM channels c
        WHERE c.team_id = $1 ${includeDeleted ? '' : 'AND c.delete_at = 0'} AND ${matches('$3')}
          AND (c.type = 'O' OR (c.type = 'P' AND EXISTS (SELECT 1 FROM channel_members cm WHERE cm.channel_id = c.id AND cm.user_id = $2)))
        ORDER BY c.display_name, c.name LIMIT $4`,
      [teamId, userId, likePrefix(term), limit],
    );
  }

  /** Channels the user is in (this team's, and direct/group messages) matching a term, for search "in:". */
  async autocompleteForSearch(teamId: string, userId: string, term: string, includeDeleted: boolean, limit: number): Promise<ChannelRow[]> {
    return this.db.replica().query<ChannelRow>(
      `SELECT ${C_COLUMNS} FROM channels c JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = $2
        WHERE (c.team_id = $1 OR c.type IN ('D', 'G')) ${includeDeleted ? '' : 'AND c.delete_at = 0'} AND ${matches('$3')}
        ORDER BY c.display_name, c.name LIMIT $4`,
      [teamId, userId, likePrefix(term), limit],
    );
  }

  /** Group messages the user is in whose display name (the members' usernames) matches a term. */
  async searchGroups(userId: string, term: string, limit: number): Promise<ChannelRow[]> {
    return this.db.replica().query<ChannelRow>(
      `SELECT ${C_COLUMNS} FROM channels c JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = $1
        WHERE c.type = 'G' AND c.delete_at = 0 AND lower(c.display_name) LIKE $2
        ORDER BY c.display_name LIMIT $3`,
      [userId, `%${likePrefix(term)}`, limit],
    );
  }

  /** GET /channels/{id}/stats: its counts (cached), and its files' count only when asked for. */
  async stats(channelId: string, withFiles: boolean): Promise<ChannelCounts & { files_count: number }> {
    const counts = this.counts ? await this.counts.get(channelId) : (await this.loadCounts([channelId])).get(channelId);
    const files_count = withFiles
      ? (
          await this.db
            .replica()
            .query<{ n: number }>(`SELECT count(*)::int AS n FROM file_infos WHERE channel_id = $1 AND delete_at = 0 AND post_id <> ''`, [channelId])
        )[0].n
      : -1;
    return { ...(counts ?? { member_count: 0, guest_count: 0, pinnedpost_count: 0 }), files_count };
  }

  /** The counts of these channels, one statement; from the master, as every cache load. */
  private async loadCounts(ids: string[]): Promise<Map<string, ChannelCounts>> {
    const rows = await this.db.query<ChannelCounts & { channel_id: string }>(
      `SELECT c.id AS channel_id,
         (SELECT count(*)::int FROM channel_members cm JOIN users u ON u.id = cm.user_id
           WHERE cm.channel_id = c.id AND u.delete_at = 0) AS member_count,
         (SELECT count(*)::int FROM channel_members cm JOIN users u ON u.id = cm.user_id
           WHERE cm.channel_id = c.id AND u.delete_at = 0 AND cm.scheme_guest) AS guest_count,
         (SELECT count(*)::int FROM posts WHERE channel_id = c.id AND is_pinned AND delete_at = 0) AS pinnedpost_count
       FROM unnest($1::text[]) AS c(id)`,
      [ids],
    );
    return new Map(rows.map(({ channel_id, ...counts }) => [channel_id, counts]));
  }

  /** A post's pin changed, or posts were deleted: every node forgets the channel's counts once `tx` commits. */
  countsChanged(channelId: string, tx: Queryable = this.db): void {
    tellCommitted(this.invalidation, 'channel_counts', channelId, tx);
  }

  // ---- for posting and reading posts (the posts area) -----------------------------------------

  async byIds(ids: string[]): Promise<ChannelRow[]> {
    if (ids.length === 0) return [];
    if (this.cache) return [...(await this.cache.getMany(ids)).values()];
    return this.db.replica().query<ChannelRow>(`SELECT ${COLUMNS} FROM channels WHERE id = ANY($1)`, [ids]);
  }

  /** Ids of the named channels the user is in: a team's and DMs/GMs (every team's when teamId is null), for search `in:`. */
  async idsByNamesForMember(names: string[], teamId: string | null, userId: string): Promise<string[]> {
    if (names.length === 0) return [];
    const rows = await this.db.query<{ id: string }>(
      `SELECT c.id FROM channels c JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = $3
        WHERE c.name = ANY($1) AND ($2::text IS NULL OR c.team_id = $2 OR c.team_id = '')`,
      [names, teamId, userId],
    );
    return rows.map((r) => r.id);
  }

  /**
   * A new post's effect on its channel's counters, and (when posting reads the channel) on the
   * poster's read state, in ONE statement: every post to a channel queues on the channel row's
   * lock, so the post's transaction takes it with its last statement, sent with the COMMIT in one
   * round trip (lastInTransaction): the lock is held while PostgreSQL runs the two, never while
   * the answer travels back to this process and waits for its event loop.
   */
  async countNewPost(channelId: string, createAt: number, isRoot: boolean, readerId: string | null, now: number, tx: Queryable): Promise<void> {
    await lastInTransaction(
      tx,
      `WITH ch AS (
         UPDATE channels SET last_post_at = GREATEST(last_post_at, $2),
                last_root_post_at = CASE WHEN $3 THEN GREATEST(last_root_post_at, $2) ELSE last_root_post_at END,
                total_msg_count = total_msg_count + 1,
                total_msg_count_root = total_msg_count_root + CASE WHEN $3 THEN 1 ELSE 0 END
          WHERE id = $1 RETURNING id, last_post_at, total_msg_count, total_msg_count_root)
       UPDATE channel_members cm SET last_viewed_at = GREATEST(ch.last_post_at, $5), msg_count = ch.total_msg_count,
              msg_count_root = ch.total_msg_count_root, mention_count = 0, mention_count_root = 0, urgent_mention_count = 0,
              last_update_at = $5
         FROM ch
        WHERE cm.channel_id = ch.id AND cm.user_id = $4`,
      [channelId, createAt, isRoot, readerId ?? '', now],
    );
    this.posted(channelId, tx);
  }

  /** An edited post moves its channel's last post time, as Mattermost's store does. */
  async touchLastPostAt(channelId: string, now: number, tx: Queryable): Promise<void> {
    await tx.query('UPDATE channels SET last_post_at = $2 WHERE id = $1 AND last_post_at < $2', [channelId, now]);
    this.posted(channelId, tx);
  }
}
