import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import { DraftRow } from './draft.model.js';

const COLUMNS = 'create_at, update_at, delete_at, user_id, channel_id, root_id, message, props, file_ids, priority';

/** The drafts table (store/sqlstore/draft_store.go). */
@Injectable()
export class DraftsRepository {
  constructor(private readonly db: Database) {}

  async get(userId: string, channelId: string, rootId: string): Promise<DraftRow | undefined> {
    const rows = await this.db.query<DraftRow>(`SELECT ${COLUMNS} FROM drafts WHERE user_id = $1 AND channel_id = $2 AND root_id = $3 AND delete_at = 0`, [
      userId,
      channelId,
      rootId,
    ]);
    return rows[0];
  }

  /** Insert, or overwrite what a client may change; create_at stays the first one's. */
  async upsert(d: DraftRow): Promise<DraftRow> {
    const rows = await this.db.query<DraftRow>(
      `INSERT INTO drafts (${COLUMNS}) VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (user_id, channel_id, root_id) DO UPDATE
         SET update_at = EXCLUDED.update_at, message = EXCLUDED.message, props = EXCLUDED.props,
             file_ids = EXCLUDED.file_ids, priority = EXCLUDED.priority, delete_at = 0
       RETURNING ${COLUMNS}`,
      [
        d.create_at,
        d.update_at,
        d.user_id,
        d.channel_id,
        d.root_id,
        d.message,
        JSON.stringify(d.props),
        JSON.stringify(d.file_ids),
        JSON.stringify(d.priority),
      ],
    );
    return rows[0];
  }

  /** Deletes the row and returns it (undefined when there was none). */
  async delete(userId: string, channelId: string, rootId: string, tx: Queryable = this.db): Promise<DraftRow | undefined> {
    const rows = await tx.query<DraftRow>(`DELETE FROM drafts WHERE user_id = $1 AND channel_id = $2 AND root_id = $3 RETURNING ${COLUMNS}`, [
      userId,
      channelId,
      rootId,
    ]);
    return rows[0];
  }

  /** Deletes the row unless it was saved after `savedBy` (a newer draft is not the one a post spent). */
  async deleteSavedBy(userId: string, channelId: string, rootId: string, savedBy: number, tx: Queryable = this.db): Promise<DraftRow | undefined> {
    const rows = await tx.query<DraftRow>(
      `DELETE FROM drafts WHERE user_id = $1 AND channel_id = $2 AND root_id = $3 AND update_at <= $4 RETURNING ${COLUMNS}`,
      [userId, channelId, rootId, savedBy],
    );
    return rows[0];
  }

  /** Everyone's replies drafted in a thread (DeleteDraftsAssociatedWithPost). */
  async deleteThread(channelId: string, rootId: string): Promise<void> {
    await this.db.query('DELETE FROM drafts WHERE channel_id = $1 AND root_id = $2', [channelId, rootId]);
  }

  /**
   * The user's drafts in the team's channels and in their direct and group messages, only where
   * they are still a channel member, newest change first (GetDraftsForUser).
   */
  async forUserInTeam(userId: string, teamId: string): Promise<DraftRow[]> {
    return this.db.query<DraftRow>(
      `SELECT ${COLUMNS.split(', ')
        .map((c) => `d.${c}`)
        .join(', ')}
         FROM drafts d
         JOIN channel_members cm ON cm.channel_id = d.channel_id AND cm.user_id = d.user_id
         JOIN channels c ON c.id = d.channel_id
        WHERE d.user_id = $1 AND d.delete_at = 0 AND (c.team_id = $2 OR c.team_id = '')
        ORDER BY d.update_at DESC`,
      [userId, teamId],
    );
  }
}
