import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import { STATUS_DND, STATUS_OFFLINE, StatusRow } from './status.model.js';

const COLUMNS = 'user_id, status, manual, last_activity_at, dnd_end_time, prev_status';

@Injectable()
export class StatusRepository {
  constructor(private readonly db: Database) {}

  async byIds(userIds: string[]): Promise<StatusRow[]> {
    return this.db.query<StatusRow>(`SELECT ${COLUMNS} FROM status WHERE user_id = ANY($1)`, [userIds]);
  }

  /** The row, locked until the transaction ends, so read-modify-write is safe across nodes. */
  async lockForUpdate(tx: Queryable, userId: string): Promise<StatusRow | null> {
    const rows = await tx.query<StatusRow>(`SELECT ${COLUMNS} FROM status WHERE user_id = $1 FOR UPDATE`, [userId]);
    return rows[0] ?? null;
  }

  async save(tx: Queryable, s: StatusRow): Promise<void> {
    await tx.query(
      `INSERT INTO status (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id) DO UPDATE SET status = EXCLUDED.status, manual = EXCLUDED.manual,
         last_activity_at = EXCLUDED.last_activity_at, dnd_end_time = EXCLUDED.dnd_end_time, prev_status = EXCLUDED.prev_status`,
      [s.user_id, s.status, s.manual, s.last_activity_at, s.dnd_end_time, s.prev_status],
    );
  }

  async setLastActivityAt(userId: string, at: number, tx: Queryable = this.db): Promise<void> {
    await tx.query('UPDATE status SET last_activity_at = $2 WHERE user_id = $1 AND last_activity_at < $2', [userId, at]);
  }

  /** user id → status of everyone not offline (users without a row are offline). */
  async notOffline(): Promise<Array<Pick<StatusRow, 'user_id' | 'status'>>> {
    return this.db.query(`SELECT user_id, status FROM status WHERE status <> $1`, [STATUS_OFFLINE]);
  }

  /**
   * Ends every timed DND whose end (epoch seconds) has come: back to the previous status, no longer
   * manual. One atomic statement, so when several nodes sweep at once each expiry is returned once.
   */
  async expireDnd(nowSeconds: number): Promise<StatusRow[]> {
    return this.db.query<StatusRow>(
      `UPDATE status SET status = COALESCE(NULLIF(prev_status, ''), $2), prev_status = $1, dnd_end_time = 0, manual = false
        WHERE status = $1 AND dnd_end_time > 0 AND dnd_end_time <= $3
        RETURNING ${COLUMNS}`,
      [STATUS_DND, STATUS_OFFLINE, nowSeconds],
    );
  }

  /** When the next timed DND ends (epoch seconds), if any. */
  async nextDndEnd(): Promise<number | null> {
    const rows = await this.db.query<{ next: number | null }>('SELECT MIN(dnd_end_time) AS next FROM status WHERE status = $1 AND dnd_end_time > 0', [
      STATUS_DND,
    ]);
    return rows[0]?.next ?? null;
  }

  /** After a restart of a single node nobody is connected: automatic statuses become offline. */
  async resetAutomatic(): Promise<void> {
    await this.db.query('UPDATE status SET status = $1 WHERE manual = false AND status <> $1', [STATUS_OFFLINE]);
  }
}
