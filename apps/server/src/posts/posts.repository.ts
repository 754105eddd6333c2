import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import { PostRow } from './post.model.js';
import { buildSearchQuery, SearchScope } from './search/search-query.js';
import { ParsedSearch } from './search/search-terms.js';

/** The posts row's own columns. */
const POST_ROW_COLUMNS = `p.id, p.create_at, p.update_at, p.edit_at, p.delete_at, p.is_pinned, p.user_id, p.channel_id, p.root_id,
  p.original_id, p.message, p.type, p.props, p.hashtags, p.file_ids, p.has_reactions`;
/**
 * Every post column plus the thread's counters, joined from `threads` through the root id, and a
 * root's participants (collapsed threads' lists show them), which would otherwise take a statement
 * of their own after the page's.
 */
const POST_COLUMNS = `${POST_ROW_COLUMNS},
  COALESCE(t.reply_count, 0) AS reply_count, COALESCE(t.last_reply_at, 0) AS last_reply_at,
  CASE WHEN p.root_id = '' THEN t.participants END AS thread_participants`;
const THREAD_JOIN = `LEFT JOIN threads t ON t.post_id = (CASE WHEN p.root_id = '' THEN p.id ELSE p.root_id END)`;
const SELECT_POSTS = `SELECT ${POST_COLUMNS} FROM posts p ${THREAD_JOIN}`;

/**
 * A window of a channel's posts: ORDER BY and LIMIT pick the posts first, and only those rows get
 * their thread counters, so a misjudged plan can never join the whole channel before the LIMIT.
 */
function selectWindow(where: string, order: string, limit: string): string {
  return `SELECT ${POST_COLUMNS} FROM (SELECT ${POST_ROW_COLUMNS} FROM posts p WHERE ${where} ORDER BY ${order} ${limit}) p
    ${THREAD_JOIN} ORDER BY ${order}`;
}

/**
 * selectWindow, with PostList's cursors read in the same statement (Mattermost asks for them with
 * two more queries, AddCursorIdsForPostList): the id of the nearest live post after the window's
 * newest (cursor_next) and before its oldest (cursor_prev), NULL where there is none; and the
 * channel's newest change (lastChangeAt's, for the ETag), so the page and its ETag come from one
 * snapshot. $1 is the channel, as in every window.
 */
function selectWindowWithCursors(where: string, order: string, limit: string, rootsOnly: boolean): string {
  return `WITH w AS (SELECT ${POST_ROW_COLUMNS} FROM posts p WHERE ${where} ORDER BY ${order} ${limit})
    SELECT ${POST_COLUMNS}, ${nearestLivePost('>', '(SELECT max(create_at) FROM w)', rootsOnly)} AS cursor_next,
           ${nearestLivePost('<', '(SELECT min(create_at) FROM w)', rootsOnly)} AS cursor_prev,
           ${newestChangeIn('$1')} AS last_change_at
      FROM w p ${THREAD_JOIN} ORDER BY ${order}`;
}

/**
 * A PostList cursor as a subquery: the id of the channel's ($1) nearest live post created after
 * (`>`) or before (`<`) the time `at` (an SQL expression), NULL where there is none.
 */
function nearestLivePost(cmp: '<' | '>', at: string, rootsOnly: boolean): string {
  const dir = cmp === '>' ? 'ASC' : 'DESC';
  return `(SELECT id FROM posts WHERE channel_id = $1 AND create_at ${cmp} ${at} AND delete_at = 0 ${rootsOnly ? `AND root_id = ''` : ''}
     ORDER BY create_at ${dir}, id ${dir} LIMIT 1)`;
}

/**
 * The update_at of a change to the channel `channel` ($n) made at `at` (an SQL expression): `at`,
 * but always past the channel's newest change, so that its newest change (newestChangeIn: the
 * channel's ETag and `since`) moves even for two changes in the same millisecond.
 */
function changeAfterNewest(channel: string, at: string): string {
  return `GREATEST(${at}::bigint, ${newestChangeIn(channel)} + 1)`;
}

/** The channel `channel`'s ($n) newest post change, 0 for none, as an SQL expression. */
function newestChangeIn(channel: string): string {
  return `(SELECT COALESCE(MAX(update_at), 0) FROM posts WHERE channel_id = ${channel})`;
}

/** A window of a channel's posts and the cursors beyond it ('' where there is none). */
export interface PostWindow {
  rows: PostRow[];
  next: string;
  prev: string;
  /** The channel's newest post change (lastChangeAt), read with the rows; unknown for an empty window. */
  lastChangeAt?: number;
}

type WindowRow = PostRow & { cursor_next: string | null; cursor_prev: string | null; last_change_at: number };

function toWindow(rows: WindowRow[]): PostWindow {
  const first = rows[0];
  return {
    rows: rows.map(({ cursor_next: _n, cursor_prev: _p, last_change_at: _c, ...row }) => row),
    next: first?.cursor_next ?? '',
    prev: first?.cursor_prev ?? '',
    lastChangeAt: first ? Number(first.last_change_at) : undefined,
  };
}

/** The unread window: its posts (the first unread one among them), and the cursors beyond them. */
export interface UnreadWindow {
  firstUnread?: PostRow;
  posts: PostRow[];
  next: string;
  prev: string;
  /** The channel's newest post change, read when nothing is unread (the latest page's ETag). */
  lastChangeAt?: number;
}

type UnreadWindowRow = (PostRow | { [K in keyof PostRow]: null }) & {
  first_unread: boolean | null;
  cursor_next: string | null;
  cursor_prev: string | null;
  last_change_at: number | null;
};

/** Post types that do not count as unread messages (Post.IsJoinLeaveMessage). */
const JOIN_LEAVE_TYPES = [
  'system_join_leave',
  'system_add_remove',
  'system_join_channel',
  'system_leave_channel',
  'system_join_team',
  'system_leave_team',
  'system_add_to_channel',
  'system_remove_from_channel',
  'system_add_to_team',
  'system_remove_from_team',
];

/** What counting a user's mentions reads of a post. */
export interface MentionCandidate {
  id: string;
  user_id: string;
  root_id: string;
  message: string;
  type: string;
  props: Record<string, unknown>;
  create_at: number;
}

/** Most posts `since` returns in one go, as Mattermost. */
const SINCE_LIMIT = 1000;

/** A post as written: the thread fields are the threads table's. */
type NewPostRow = Omit<PostRow, 'reply_count' | 'last_reply_at'>;

const INSERT_COLUMNS = [
  'id',
  'create_at',
  'update_at',
  'edit_at',
  'delete_at',
  'is_pinned',
  'user_id',
  'channel_id',
  'root_id',
  'original_id',
  'message',
  'type',
  'props',
  'hashtags',
  'file_ids',
  'has_reactions',
] as const;

/** A post's values in INSERT_COLUMNS' order. */
function insertValues(p: NewPostRow): unknown[] {
  return INSERT_COLUMNS.map((c) => (c === 'props' || c === 'file_ids' ? JSON.stringify(p[c]) : p[c]));
}

/** `($1, …, $w), ($w+1, …)`: `rows` tuples of `width` parameters. */
function placeholders(rows: number, width: number): string {
  return Array.from({ length: rows }, (_, r) => `(${Array.from({ length: width }, (_, k) => `$${r * width + k + 1}`).join(', ')})`).join(', ');
}

export interface ThreadPageOptions {
  /** 'down' = oldest first (default), 'up' = newest first. */
  direction: 'up' | 'down';
  fromCreateAt: number;
  fromPost: string;
  /** 0 = every reply. */
  perPage: number;
}

/** Which posts a permanent deletion takes: a channel's, a team's, or (data retention) the oldest ones. */
export type PostsToDelete = { channelId: string } | { teamId: string } | OldestPosts;

export interface OldestPosts {
  createdBefore: number;
  batchSize: number;
}

export interface DeletedPosts {
  posts: number;
  reactions: number;
}

/** Posts and their threads rows (a thread is its root's reply counters and participants). */
@Injectable()
export class PostsRepository {
  constructor(private readonly db: Database) {}

  // ---- reading posts --------------------------------------------------------------------------

  async byId(id: string, includeDeleted = false, q: Queryable = this.db): Promise<PostRow | undefined> {
    const rows = await q.query<PostRow>(`${SELECT_POSTS} WHERE p.id = $1 ${includeDeleted ? '' : 'AND p.delete_at = 0'}`, [id]);
    return rows[0];
  }

  async byIds(ids: string[]): Promise<PostRow[]> {
    return this.db.replica().query<PostRow>(`${SELECT_POSTS} WHERE p.id = ANY($1) AND p.delete_at = 0 ORDER BY p.create_at DESC`, [ids]);
  }

  /** A page of a channel's posts, newest first, with its cursors, in one statement. */
  async page(channelId: string, offset: number, limit: number, opts: { includeDeleted: boolean; rootsOnly: boolean }): Promise<PostWindow> {
    const rows = await this.db
      .replica()
      .query<WindowRow>(
        selectWindowWithCursors(
          `p.channel_id = $1 ${opts.includeDeleted ? '' : 'AND p.delete_at = 0'} ${opts.rootsOnly ? `AND p.root_id = ''` : ''}`,
          'p.create_at DESC, p.id DESC',
          'LIMIT $2 OFFSET $3',
          opts.rootsOnly,
        ),
        [channelId, limit, offset],
      );
    return toWindow(rows);
  }

  /** Thread roots (and, with replies, every post of those threads) that give a page its context. */
  async threadContext(channelId: string, rootIds: string[], withReplies: boolean, includeDeleted = false): Promise<PostRow[]> {
    if (rootIds.length === 0) return [];
    return this.db.replica().query<PostRow>(
      `${SELECT_POSTS} WHERE p.channel_id = $1 AND (p.id = ANY($2) ${withReplies ? 'OR p.root_id = ANY($2)' : ''})
         ${includeDeleted ? '' : 'AND p.delete_at = 0'} ORDER BY p.create_at DESC`,
      [channelId, rootIds],
    );
  }

  /** Posts changed after `time` (deleted ones included, so clients can drop them), newest first. */
  async changedSince(channelId: string, time: number, rootsOnly: boolean): Promise<PostRow[]> {
    return this.db.replica().query<PostRow>(
      `${SELECT_POSTS} WHERE p.channel_id = $1 AND p.update_at > $2 ${rootsOnly ? `AND p.root_id = ''` : ''}
        ORDER BY p.create_at DESC LIMIT ${SINCE_LIMIT}`,
      [channelId, time],
    );
  }

  /** Roots of the given posts regardless of their state (used with `since`). */
  async rootsOf(channelId: string, rootIds: string[]): Promise<PostRow[]> {
    if (rootIds.length === 0) return [];
    return this.db.replica().query<PostRow>(`${SELECT_POSTS} WHERE p.channel_id = $1 AND p.id = ANY($2)`, [channelId, rootIds]);
  }

  /**
   * Posts strictly before (older) or after (newer) an anchor, with the cursors beyond the window in
   * the same statement: before, newest first; after, oldest first, so that paging walks away from
   * the anchor. The anchor is a post of the channel (deleted or not) whose create time the
   * statement looks up, as Mattermost's getPostsBeforeAfter does: a post of another channel, or
   * none, gives an empty window. cursor_next of a window before the anchor (and cursor_prev of
   * one after it) is the nearest live post on the anchor's side.
   */
  async aroundWithCursors(
    channelId: string,
    anchorId: string,
    before: boolean,
    limit: number,
    opts: { includeDeleted: boolean; rootsOnly: boolean },
    offset = 0,
  ): Promise<PostWindow> {
    const sort = before ? 'DESC' : 'ASC';
    const rows = await this.db.replica().query<WindowRow>(
      selectWindowWithCursors(
        `p.channel_id = $1 AND p.create_at ${before ? '<' : '>'} (SELECT create_at FROM posts WHERE id = $2 AND channel_id = $1)
         ${opts.includeDeleted ? '' : 'AND p.delete_at = 0'} ${opts.rootsOnly ? `AND p.root_id = ''` : ''}`,
        `p.create_at ${sort}, p.id ${sort}`,
        'LIMIT $3 OFFSET $4',
        opts.rootsOnly,
      ),
      [channelId, anchorId, limit, offset],
    );
    return toWindow(rows);
  }

  /** A thread's live posts (root included) in the requested direction, one extra row to tell has_next. */
  async threadPage(rootId: string, opts: ThreadPageOptions): Promise<{ posts: PostRow[]; hasNext: boolean }> {
    const params: unknown[] = [rootId];
    const sort = opts.direction === 'up' ? 'DESC' : 'ASC';
    let cursor = '';
    if (opts.fromCreateAt) {
      const cmp = opts.direction === 'up' ? '<' : '>';
      params.push(opts.fromCreateAt);
      if (opts.fromPost) {
        params.push(opts.fromPost);
        cursor = `AND (p.create_at ${cmp} $2 OR (p.create_at = $2 AND p.id ${cmp} $3))`;
      } else {
        cursor = `AND p.create_at ${cmp} $2`;
      }
    }
    let limit = '';
    if (opts.perPage > 0) {
      params.push(opts.perPage + 1);
      limit = `LIMIT $${params.length}`;
    }
    const rows = await this.db.replica().query<PostRow>(
      `${SELECT_POSTS} WHERE (p.id = $1 OR p.root_id = $1) AND p.delete_at = 0 ${cursor}
        ORDER BY p.create_at ${sort}, p.id ${sort} ${limit}`,
      params,
    );
    const hasNext = opts.perPage > 0 && rows.length > opts.perPage;
    return { posts: hasNext ? rows.slice(0, opts.perPage) : rows, hasNext };
  }

  async pinned(channelId: string): Promise<PostRow[]> {
    return this.db
      .replica()
      .query<PostRow>(`${SELECT_POSTS} WHERE p.channel_id = $1 AND p.is_pinned AND p.delete_at = 0 ORDER BY p.create_at DESC`, [channelId]);
  }

  /**
   * GET …/posts/unread in one statement, on the primary (a channel viewed a moment ago must not be
   * read from a replica that has not seen it): the membership, its first unread post (the oldest
   * live one after last_viewed_at; none when the member never viewed the channel or has read it
   * all), up to `before` posts older than it and `after` newer ones, and the cursors beyond the
   * posts listed. Without an unread post the older window is the channel's latest page, as
   * Mattermost answers then, and the channel's newest change (its ETag) comes along. Undefined
   * when the user is not a member. Before, the member and its first unread post, then each window,
   * were separate round trips.
   */
  async unreadWindow(channelId: string, userId: string, limits: { before: number; after: number }, rootsOnly: boolean): Promise<UnreadWindow | undefined> {
    const live = `p.channel_id = $1 AND p.delete_at = 0 ${rootsOnly ? `AND p.root_id = ''` : ''}`;
    const rows = await this.db.query<UnreadWindowRow>(
      `WITH m AS (SELECT last_viewed_at FROM channel_members WHERE channel_id = $1 AND user_id = $2),
        f AS (SELECT ${POST_ROW_COLUMNS} FROM posts p, m WHERE ${live} AND m.last_viewed_at > 0 AND p.create_at > m.last_viewed_at
                ORDER BY p.create_at ASC, p.id ASC LIMIT 1),
        b AS (SELECT ${POST_ROW_COLUMNS} FROM posts p WHERE ${live} AND EXISTS (SELECT 1 FROM m)
                AND p.create_at < COALESCE((SELECT create_at FROM f), ${Number.MAX_SAFE_INTEGER})
                ORDER BY p.create_at DESC, p.id DESC LIMIT $3),
        a AS (SELECT ${POST_ROW_COLUMNS} FROM posts p WHERE ${live} AND p.create_at > (SELECT create_at FROM f)
                ORDER BY p.create_at ASC, p.id ASC LIMIT $4),
        w AS (SELECT true AS first_unread, * FROM f UNION ALL SELECT false, * FROM b UNION ALL SELECT false, * FROM a)
      SELECT p.first_unread, ${POST_COLUMNS},
             ${nearestLivePost('>', '(SELECT max(create_at) FROM w)', rootsOnly)} AS cursor_next,
             ${nearestLivePost('<', '(SELECT min(create_at) FROM w)', rootsOnly)} AS cursor_prev,
             CASE WHEN NOT EXISTS (SELECT 1 FROM f) THEN ${newestChangeIn('$1')} END AS last_change_at
        FROM m LEFT JOIN (w p ${THREAD_JOIN}) ON true`,
      [channelId, userId, limits.before, limits.after],
    );
    const [head] = rows;
    if (!head) return undefined;
    const posts = rows.filter((r) => r.id !== null).map(({ first_unread: _f, cursor_next: _n, cursor_prev: _p, last_change_at: _c, ...row }) => row as PostRow);
    const first = rows.find((r) => r.first_unread);
    return {
      firstUnread: first ? posts.find((p) => p.id === first.id) : undefined,
      posts,
      next: head.cursor_next ?? '',
      prev: head.cursor_prev ?? '',
      lastChangeAt: head.last_change_at === null ? undefined : Number(head.last_change_at),
    };
  }

  /** Newest change to any post of a channel: posting, editing, deleting and reacting all move it. */
  async lastChangeAt(channelId: string): Promise<number> {
    const [row] = await this.db.replica().query<{ at: number }>(`SELECT ${newestChangeIn('$1')} AS at`, [channelId]);
    return row.at;
  }

  /**
   * Participant user ids of each root's thread, in the order they first replied. A root read by
   * this repository carries them (the thread join's `thread_participants`; null: no reply yet);
   * the others (a row built in memory, say) are asked for in one statement.
   */
  async participantsOf(roots: Array<Pick<PostRow, 'id' | 'thread_participants'>>): Promise<Map<string, string[]>> {
    const known = new Map(roots.flatMap((r) => (r.thread_participants === undefined ? [] : [[r.id, r.thread_participants ?? []] as const])));
    const unknown = roots.filter((r) => r.thread_participants === undefined).map((r) => r.id);
    if (unknown.length === 0) return known;
    const rows = await this.db
      .replica()
      .query<{ post_id: string; participants: string[] }>('SELECT post_id, participants FROM threads WHERE post_id = ANY($1)', [unknown]);
    for (const r of rows) known.set(r.post_id, r.participants);
    return known;
  }

  /**
   * Full-text search over the posts of the channels the user is in (one query: posts joined with
   * their channels and the user's memberships); nothing when the search has neither terms nor filters.
   */
  async search(parsed: ParsedSearch, scope: SearchScope): Promise<PostRow[]> {
    const query = buildSearchQuery(parsed, scope, POST_COLUMNS, THREAD_JOIN);
    return query ? this.db.search().query<PostRow>(query.sql, query.params) : [];
  }

  // ---- writing posts (inside the caller's transaction) ----------------------------------------

  /** The update_at for a change to a channel's posts made now (changeAfterNewest). */
  async nextChangeAt(tx: Queryable, channelId: string, now: number): Promise<number> {
    const [row] = await tx.query<{ at: number }>(`SELECT ${changeAfterNewest('$1', '$2')} AS at`, [channelId, now]);
    return row.at;
  }

  /**
   * The posts of these channels created at these times (deleted ones too): how the bulk import
   * finds a post it imported before (Mattermost matches a channel, a time and a user).
   */
  async atTimes(tx: Queryable, channelIds: string[], createAts: number[]): Promise<PostRow[]> {
    if (channelIds.length === 0 || createAts.length === 0) return [];
    return tx.query<PostRow>(`${SELECT_POSTS} WHERE p.channel_id = ANY($1) AND p.create_at = ANY($2)`, [channelIds, createAts]);
  }

  /**
   * A new post whose update_at is also moved past its channel's newest change (changeAfterNewest,
   * as nextChangeAt), in the same statement: one round trip fewer per post. Returns the update_at written.
   */
  async insert(tx: Queryable, p: NewPostRow): Promise<number> {
    const channelParam = `$${INSERT_COLUMNS.indexOf('channel_id') + 1}`;
    const values = INSERT_COLUMNS.map((c, i) => (c === 'update_at' ? changeAfterNewest(channelParam, `$${i + 1}`) : `$${i + 1}`));
    const [row] = await tx.query<{ update_at: number }>(
      `INSERT INTO posts (${INSERT_COLUMNS.join(', ')}) VALUES (${values.join(', ')}) RETURNING update_at`,
      insertValues(p),
    );
    return Number(row.update_at);
  }

  /** Many posts in one statement per 1 000 (the bulk import's batches). */
  async insertMany(tx: Queryable, rows: NewPostRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 1000) {
      const values = rows.slice(i, i + 1000).map(insertValues);
      await tx.query(`INSERT INTO posts (${INSERT_COLUMNS.join(', ')}) VALUES ${placeholders(values.length, INSERT_COLUMNS.length)}`, values.flat());
    }
  }

  /**
   * Sets the threads of these roots from their live replies (count, last reply, participants in the
   * order they first replied), creating the rows that are missing: what addReplyToThread keeps up
   * one reply at a time, for the bulk import's batches.
   */
  async rebuildThreads(tx: Queryable, rootIds: string[]): Promise<void> {
    if (rootIds.length === 0) return;
    await tx.query(
      `INSERT INTO threads (post_id, channel_id, reply_count, last_reply_at, participants, thread_team_id)
       SELECT r.root_id, r.channel_id, r.n, r.last, r.participants, COALESCE((SELECT team_id FROM channels WHERE id = r.channel_id), '')
         FROM (SELECT p.root_id, MIN(p.channel_id) AS channel_id, count(*)::int AS n, MAX(p.create_at) AS last,
                      (SELECT jsonb_agg(u.user_id ORDER BY u.first_at) FROM
                         (SELECT user_id, MIN(create_at) AS first_at FROM posts WHERE root_id = p.root_id AND root_id <> '' AND delete_at = 0 GROUP BY user_id) u) AS participants
                 FROM posts p WHERE p.root_id = ANY($1) AND p.root_id <> '' AND p.delete_at = 0 GROUP BY p.root_id) r
       ON CONFLICT (post_id) DO UPDATE SET reply_count = EXCLUDED.reply_count, last_reply_at = EXCLUDED.last_reply_at,
         participants = EXCLUDED.participants`,
      [rootIds],
    );
  }

  /**
   * A reply joins its thread: the count, the last reply time and the participant list; the root
   * takes the reply's update_at. Returns the thread's counters as this transaction leaves them.
   * Both statements are asked for at once (a one-trip transaction: Database.transactionInOneTrip),
   * after the reply's insert.
   */
  async addReplyToThread(
    tx: Queryable,
    reply: Pick<PostRow, 'id' | 'root_id' | 'channel_id' | 'user_id' | 'create_at'>,
  ): Promise<{ reply_count: number; last_reply_at: number }> {
    const [[thread]] = await Promise.all([
      tx.query<{ reply_count: number; last_reply_at: number }>(
        `INSERT INTO threads (post_id, channel_id, reply_count, last_reply_at, participants, thread_team_id)
         VALUES ($1, $2, 1, $3, jsonb_build_array($4::text), COALESCE((SELECT team_id FROM channels WHERE id = $2::varchar), ''))
         ON CONFLICT (post_id) DO UPDATE SET
           reply_count = threads.reply_count + 1,
           last_reply_at = GREATEST(threads.last_reply_at, EXCLUDED.last_reply_at),
           participants = CASE WHEN threads.participants @> jsonb_build_array($4::text) THEN threads.participants
                               ELSE threads.participants || jsonb_build_array($4::text) END
         RETURNING reply_count, last_reply_at`,
        [reply.root_id, reply.channel_id, reply.create_at, reply.user_id],
      ),
      // The root changes with its thread, so `since` and ETags see the new reply count.
      tx.query('UPDATE posts SET update_at = GREATEST(update_at, (SELECT update_at FROM posts WHERE id = $2)) WHERE id = $1', [reply.root_id, reply.id]),
    ]);
    return { reply_count: Number(thread.reply_count), last_reply_at: Number(thread.last_reply_at) };
  }

  /**
   * A new post keeps, of the files it names, those that were attached to it, in its order: what
   * Mattermost's attachFilesToPost leaves when a file cannot be attached (another post has it, or
   * its uploader is someone else); no write when all were. Asked for after
   * FileInfosRepository.attachToPost, in its transaction.
   */
  async keepAttachedFiles(tx: Queryable, postId: string): Promise<void> {
    await tx.query(
      `UPDATE posts SET file_ids = COALESCE((SELECT jsonb_agg(f.id ORDER BY f.n) FROM jsonb_array_elements_text(posts.file_ids) WITH ORDINALITY AS f(id, n)
                                              WHERE EXISTS (SELECT 1 FROM file_infos i WHERE i.id = f.id AND i.post_id = posts.id)), '[]'::jsonb)
        WHERE id = $1 AND jsonb_array_length(file_ids) <> (SELECT count(*) FROM file_infos WHERE post_id = $1)`,
      [postId],
    );
  }

  /** Recomputes a thread from its live replies after one was deleted. */
  async recountThread(tx: Queryable, rootId: string): Promise<void> {
    await tx.query(
      `UPDATE threads SET
         reply_count = (SELECT COUNT(*) FROM posts WHERE root_id = $1 AND delete_at = 0),
         last_reply_at = COALESCE((SELECT MAX(create_at) FROM posts WHERE root_id = $1 AND delete_at = 0), 0),
         participants = COALESCE((SELECT jsonb_agg(user_id ORDER BY first_at) FROM
                          (SELECT user_id, MIN(create_at) AS first_at FROM posts WHERE root_id = $1 AND delete_at = 0 GROUP BY user_id) r), '[]'::jsonb)
       WHERE post_id = $1`,
      [rootId],
    );
  }

  /** A deleted root keeps its thread row, marked deleted (ThreadDeleteAt), so followers' lists can still sync it. */
  async deleteThread(tx: Queryable, rootId: string, deleteAt: number): Promise<void> {
    await tx.query('UPDATE threads SET thread_delete_at = $2 WHERE post_id = $1', [rootId, deleteAt]);
  }

  async update(tx: Queryable, p: Pick<PostRow, 'id' | 'update_at' | 'edit_at' | 'is_pinned' | 'message' | 'props' | 'hashtags' | 'file_ids'>): Promise<void> {
    await tx.query(`UPDATE posts SET update_at = $2, edit_at = $3, is_pinned = $4, message = $5, props = $6, hashtags = $7, file_ids = $8 WHERE id = $1`, [
      p.id,
      p.update_at,
      p.edit_at,
      p.is_pinned,
      p.message,
      JSON.stringify(p.props),
      p.hashtags,
      JSON.stringify(p.file_ids),
    ]);
  }

  /** Soft-deletes a post and, for a root, its replies; records who deleted it. */
  async softDelete(tx: Queryable, id: string, now: number, deletedBy: string): Promise<void> {
    await tx.query(
      `UPDATE posts SET delete_at = $2, update_at = $2, props = jsonb_set(props, '{deleteBy}', to_jsonb($3::text))
        WHERE (id = $1 OR root_id = $1) AND delete_at = 0`,
      [id, now, deletedBy],
    );
  }

  /**
   * A reaction was added or removed: has_reactions follows whether any remain, and update_at moves
   * past the channel's newest change, as for every post change, so channel ETags and `since` see
   * it. One statement in the reaction's transaction; it looks at reactions, but changes a post.
   */
  async reactionsChanged(tx: Queryable, postId: string, channelId: string, now: number): Promise<void> {
    await tx.query(
      `UPDATE posts SET has_reactions = EXISTS (SELECT 1 FROM reactions WHERE post_id = $1),
              update_at = GREATEST($2, (SELECT COALESCE(MAX(p.update_at), 0) + 1 FROM posts p WHERE p.channel_id = $3))
        WHERE id = $1`,
      [postId, now, channelId],
    );
  }

  /**
   * Deletes posts for good with their reactions and threads rows, in one statement of the caller's
   * transaction: a channel's or a team's posts (with the channel or team), or the `batchSize` oldest
   * created before a time (data retention, which also gets their ids, to drop the flags on them).
   */
  async deletePermanently(tx: Queryable, which: { channelId: string } | { teamId: string }): Promise<DeletedPosts>;
  async deletePermanently(tx: Queryable, which: OldestPosts): Promise<DeletedPosts & { postIds: string[] }>;
  async deletePermanently(tx: Queryable, which: PostsToDelete): Promise<DeletedPosts & { postIds?: string[] }> {
    let where: string;
    let params: unknown[];
    if ('channelId' in which) {
      [where, params] = ['channel_id = $1', [which.channelId]];
    } else if ('teamId' in which) {
      // The team's channels as the statement runs (channels is only looked up, posts are deleted).
      [where, params] = ['channel_id IN (SELECT id FROM channels WHERE team_id = $1)', [which.teamId]];
    } else {
      [where, params] = ['id IN (SELECT id FROM posts WHERE create_at < $1 ORDER BY create_at LIMIT $2)', [which.createdBefore, which.batchSize]];
    }
    const withIds = 'batchSize' in which;
    const rows = await tx.query<{ posts: number; reactions: number; post_ids: string[] | null }>(
      `WITH gone AS (DELETE FROM posts WHERE ${where} RETURNING id),
            reactions_gone AS (DELETE FROM reactions WHERE post_id IN (SELECT id FROM gone) RETURNING post_id),
            threads_gone AS (DELETE FROM threads WHERE post_id IN (SELECT id FROM gone))
       SELECT (SELECT count(*)::int FROM gone) AS posts, (SELECT count(*)::int FROM reactions_gone) AS reactions,
              ${withIds ? '(SELECT array_agg(id) FROM gone)' : 'NULL'} AS post_ids`,
      params,
    );
    const { posts, reactions, post_ids } = rows[0];
    return withIds ? { posts, reactions, postIds: post_ids ?? [] } : { posts, reactions };
  }

  /** How many posts were created before a time (data retention's progress). */
  async countCreatedBefore(time: number): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM posts WHERE create_at < $1', [time]))[0].n;
  }

  async touch(tx: Queryable, id: string, now: number): Promise<void> {
    await tx.query('UPDATE posts SET update_at = GREATEST(update_at, $2) WHERE id = $1', [id, now]);
  }

  // ---- saved posts and marking unread ---------------------------------------------------------

  /**
   * A page of the live posts a user flagged (preferences of category flagged_post, named by post
   * id), newest first, in channels the user is a member of (getFlaggedPosts): in one channel, or in
   * a team's channels and the user's direct and group messages, or anywhere.
   */
  async flagged(userId: string, filter: { channelId?: string; teamId?: string }, offset: number, limit: number): Promise<PostRow[]> {
    const params: unknown[] = [userId, limit, offset];
    let where = '';
    if (filter.channelId) {
      params.push(filter.channelId);
      where = `AND p.channel_id = $${params.length}`;
    } else if (filter.teamId) {
      params.push(filter.teamId);
      where = `AND p.channel_id IN (SELECT id FROM channels WHERE team_id = $${params.length} OR team_id = '')`;
    }
    return this.db.query<PostRow>(
      selectWindow(
        `p.id IN (SELECT name FROM preferences WHERE user_id = $1 AND category = 'flagged_post')
           AND p.delete_at = 0 ${where}
           AND p.channel_id IN (SELECT channel_id FROM channel_members WHERE user_id = $1)`,
        'p.create_at DESC, p.id DESC',
        'LIMIT $2 OFFSET $3',
      ),
      params,
    );
  }

  /**
   * How many live posts of a channel were created after a time, and how many of them are roots,
   * leaving out join/leave messages and, when given, one user's posts (CountPostsAfter).
   */
  async countAfter(channelId: string, time: number, excludedUserId = ''): Promise<{ all: number; roots: number }> {
    const rows = await this.db.query<{ all: number; roots: number }>(
      `SELECT count(*)::int AS "all", count(*) FILTER (WHERE root_id = '')::int AS roots FROM posts
        WHERE channel_id = $1 AND create_at > $2 AND delete_at = 0 AND NOT (type = ANY($3)) AND ($4 = '' OR user_id <> $4)`,
      [channelId, time, JOIN_LEAVE_TYPES, excludedUserId],
    );
    return rows[0];
  }

  /** The live posts of a channel from a time on, oldest first, with what mention counting reads. */
  async mentionCandidates(channelId: string, from: number, limit: number): Promise<MentionCandidate[]> {
    return this.db.query<MentionCandidate>(
      `SELECT id, user_id, root_id, message, type, props, create_at FROM posts
        WHERE channel_id = $1 AND create_at >= $2 AND delete_at = 0 ORDER BY create_at, id LIMIT $3`,
      [channelId, from, limit],
    );
  }

  /** For each thread: who started it, and when the user first replied in it (0: never). */
  async threadAuthorship(rootIds: string[], userId: string): Promise<Map<string, { rootUserId: string; firstReplyAt: number }>> {
    if (rootIds.length === 0) return new Map();
    const rows = await this.db.query<{ id: string; user_id: string; first_reply_at: number | null }>(
      `SELECT r.id, r.user_id,
              (SELECT MIN(c.create_at) FROM posts c WHERE c.root_id = r.id AND c.user_id = $2 AND c.delete_at = 0) AS first_reply_at
         FROM posts r WHERE r.id = ANY($1)`,
      [rootIds, userId],
    );
    return new Map(rows.map((r) => [r.id, { rootUserId: r.user_id, firstReplyAt: r.first_reply_at ?? 0 }]));
  }
}
