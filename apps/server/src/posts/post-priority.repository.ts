import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import { PostAcknowledgementView, PostPriorityExtras, PostPriorityRow, PostPriorityView } from './post-priority.js';

const ACK_COLUMNS = 'user_id, post_id, acknowledged_at, channel_id';

/**
 * The posts_priority and post_acknowledgements tables (Mattermost's PostsPriority and
 * PostAcknowledgements). Rows go with their post through foreign keys when it is deleted for good.
 */
@Injectable()
export class PostPriorityRepository {
  constructor(private readonly db: Database) {}

  /** Saves a new post's priority, in the post's transaction. */
  async savePriority(tx: Queryable, row: PostPriorityRow): Promise<void> {
    await tx.query(
      `INSERT INTO posts_priority (post_id, channel_id, priority, requested_ack, persistent_notifications) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (post_id) DO UPDATE SET priority = EXCLUDED.priority, requested_ack = EXCLUDED.requested_ack,
         persistent_notifications = EXCLUDED.persistent_notifications`,
      [row.post_id, row.channel_id, row.priority, row.requested_ack, row.persistent_notifications],
    );
  }

  /**
   * The priority and acknowledgements of a page of posts in one round trip: one row per post that
   * has either, acknowledgements oldest first.
   */
  async extrasFor(postIds: string[]): Promise<Map<string, PostPriorityExtras>> {
    const result = new Map<string, PostPriorityExtras>();
    if (postIds.length === 0) return result;
    const rows = await this.db.query<{ post_id: string; priority: PostPriorityView | null; acknowledgements: PostAcknowledgementView[] | null }>(
      `SELECT ids.id AS post_id,
              CASE WHEN pp.post_id IS NULL THEN NULL ELSE jsonb_build_object('priority', pp.priority, 'requested_ack', pp.requested_ack,
                'persistent_notifications', pp.persistent_notifications) END AS priority,
              (SELECT jsonb_agg(jsonb_build_object('user_id', a.user_id, 'post_id', a.post_id, 'acknowledged_at', a.acknowledged_at,
                 'channel_id', a.channel_id) ORDER BY a.acknowledged_at, a.user_id)
                 FROM post_acknowledgements a WHERE a.post_id = ids.id) AS acknowledgements
         FROM unnest($1::varchar[]) AS ids(id) LEFT JOIN posts_priority pp ON pp.post_id = ids.id`,
      [postIds],
    );
    for (const row of rows) {
      if (!row.priority && !row.acknowledgements) continue;
      const extras: PostPriorityExtras = {};
      if (row.priority) extras.priority = row.priority;
      if (row.acknowledgements) extras.acknowledgements = row.acknowledgements;
      result.set(row.post_id, extras);
    }
    return result;
  }

  async priorityOf(postId: string): Promise<PostPriorityView | undefined> {
    const rows = await this.db.query<PostPriorityView>('SELECT priority, requested_ack, persistent_notifications FROM posts_priority WHERE post_id = $1', [
      postId,
    ]);
    return rows[0];
  }

  /** Which of the given posts are urgent. */
  async urgentAmong(postIds: string[]): Promise<Set<string>> {
    if (postIds.length === 0) return new Set();
    const rows = await this.db.query<{ post_id: string }>(`SELECT post_id FROM posts_priority WHERE post_id = ANY($1) AND priority = 'urgent'`, [postIds]);
    return new Set(rows.map((r) => r.post_id));
  }

  /**
   * Urgent live root posts of a channel created after a time and not by `excludedUserId`
   * (CountUrgentPostsAfter, for direct and group messages, where every post of the others counts).
   */
  async countUrgentAfter(channelId: string, time: number, excludedUserId: string): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM posts_priority pp JOIN posts p ON p.id = pp.post_id
        WHERE pp.channel_id = $1 AND pp.priority = 'urgent' AND p.create_at > $2 AND p.delete_at = 0 AND p.root_id = '' AND p.user_id <> $3`,
      [channelId, time, excludedUserId],
    );
    return rows[0].n;
  }

  // ---- acknowledgements -------------------------------------------------------------------------

  async acknowledgement(postId: string, userId: string): Promise<PostAcknowledgementView | undefined> {
    const rows = await this.db.query<PostAcknowledgementView>(`SELECT ${ACK_COLUMNS} FROM post_acknowledgements WHERE post_id = $1 AND user_id = $2`, [
      postId,
      userId,
    ]);
    return rows[0];
  }

  /** Saves (or renews) an acknowledgement, in the caller's transaction. */
  async saveAcknowledgement(tx: Queryable, ack: PostAcknowledgementView): Promise<PostAcknowledgementView> {
    const rows = await tx.query<PostAcknowledgementView>(
      `INSERT INTO post_acknowledgements (${ACK_COLUMNS}) VALUES ($1, $2, $3, $4)
       ON CONFLICT (post_id, user_id) DO UPDATE SET acknowledged_at = EXCLUDED.acknowledged_at, channel_id = EXCLUDED.channel_id
       RETURNING ${ACK_COLUMNS}`,
      [ack.user_id, ack.post_id, ack.acknowledged_at, ack.channel_id],
    );
    return rows[0];
  }

  async deleteAcknowledgement(tx: Queryable, postId: string, userId: string): Promise<boolean> {
    const rows = await tx.query('DELETE FROM post_acknowledgements WHERE post_id = $1 AND user_id = $2 RETURNING user_id', [postId, userId]);
    return rows.length > 0;
  }
}
