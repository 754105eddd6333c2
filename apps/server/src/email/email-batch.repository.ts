import { Injectable } from '@nestjs/common';
import { newId } from '#common';
import { Database, Queryable } from '#db';
import type { NotificationItem } from './templates/notification-mails.js';

export interface BatchRow {
  id: string;
  user_id: string;
  channel_id: string;
  post_id: string;
  post_create_at: number;
  create_at: number;
  data: NotificationItem;
}

const COLUMNS = 'id, user_id, channel_id, post_id, post_create_at, create_at, data';

/** notification_email_batch: notifications waiting for their user's digest (email batching). */
@Injectable()
export class EmailBatchRepository {
  constructor(private readonly db: Database) {}

  /**
   * Adds a notification unless the user already has `limit` waiting (EmailBatchingBufferSize);
   * false when it was not added, and the caller mails it at once (Mattermost's fallback when its
   * batching buffer is full).
   */
  async add(userId: string, item: NotificationItem, limit: number, now = Date.now()): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO notification_email_batch (${COLUMNS})
       SELECT $1::varchar, $2::varchar, $3::varchar, $4::varchar, $5::bigint, $6::bigint, $7::jsonb
        WHERE (SELECT count(*) FROM notification_email_batch WHERE user_id = $2::varchar) < $8::int
       RETURNING id`,
      [newId(), userId, item.channel_id, item.post_id, item.create_at, now, JSON.stringify(item), limit],
    );
    return rows.length > 0;
  }

  /** Every user with notifications waiting, with the time of their oldest post (a batch starts there). */
  async pendingUsers(): Promise<Array<{ user_id: string; first_at: number }>> {
    return this.db.query('SELECT user_id, min(post_create_at) AS first_at FROM notification_email_batch GROUP BY user_id ORDER BY first_at');
  }

  /**
   * Takes every waiting notification of the user (one DELETE … RETURNING, in the caller's
   * transaction): a second claimer waits for that transaction and then finds nothing, so a
   * notification is mailed once even when two runs of the job overlap.
   */
  async claim(userId: string, tx: Queryable): Promise<BatchRow[]> {
    return tx.query<BatchRow>(`DELETE FROM notification_email_batch WHERE user_id = $1 RETURNING ${COLUMNS}`, [userId]);
  }

  /** How many notifications the user has waiting (tests, metrics). */
  async countForUser(userId: string): Promise<number> {
    const rows = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM notification_email_batch WHERE user_id = $1', [userId]);
    return rows[0]?.n ?? 0;
  }
}
