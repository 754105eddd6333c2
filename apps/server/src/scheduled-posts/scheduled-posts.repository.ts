import { Injectable } from '@nestjs/common';
import { Database } from '#db';
import { ScheduledPostError, ScheduledPostRow } from './scheduled-post.model.js';

const FIELDS = [
  'id',
  'create_at',
  'update_at',
  'user_id',
  'channel_id',
  'root_id',
  'message',
  'props',
  'file_ids',
  'priority',
  'scheduled_at',
  'processed_at',
  'error_code',
  'claimed_at',
];
const COLUMNS = FIELDS.join(', ');
/** A row the job has claimed and not finished: being sent right now (or lost with its node). */
const IN_FLIGHT = `claimed_at > 0 AND error_code = ''`;

/** The scheduled_posts table (store/sqlstore/scheduled_post_store.go) and the job's claims on it. */
@Injectable()
export class ScheduledPostsRepository {
  constructor(private readonly db: Database) {}

  async insert(p: ScheduledPostRow): Promise<void> {
    await this.db.query(`INSERT INTO scheduled_posts (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0)`, [
      p.id,
      p.create_at,
      p.update_at,
      p.user_id,
      p.channel_id,
      p.root_id,
      p.message,
      JSON.stringify(p.props),
      JSON.stringify(p.file_ids),
      JSON.stringify(p.priority),
      p.scheduled_at,
      p.processed_at,
      p.error_code,
    ]);
  }

  async get(id: string): Promise<ScheduledPostRow | undefined> {
    return (await this.db.query<ScheduledPostRow>(`SELECT ${COLUMNS} FROM scheduled_posts WHERE id = $1`, [id]))[0];
  }

  /**
   * A user's edit (UpdatedScheduledPost: processed_at becomes now, error_code is what the client
   * sent). A row the job is sending cannot change under it: undefined then. Clearing the error
   * code releases a failed row's claim, so it is sent at its (new) time.
   */
  async update(
    p: Pick<ScheduledPostRow, 'id' | 'message' | 'props' | 'file_ids' | 'priority' | 'scheduled_at' | 'error_code'>,
    now: number,
  ): Promise<ScheduledPostRow | undefined> {
    const rows = await this.db.query<ScheduledPostRow>(
      `UPDATE scheduled_posts
          SET update_at = $2, message = $3, props = $4, file_ids = $5, priority = $6, scheduled_at = $7,
              processed_at = $2, error_code = $8::varchar, claimed_at = CASE WHEN $8::varchar = '' THEN 0 ELSE claimed_at END
        WHERE id = $1 AND NOT (${IN_FLIGHT})
        RETURNING ${COLUMNS}`,
      [p.id, now, p.message, JSON.stringify(p.props), JSON.stringify(p.file_ids), JSON.stringify(p.priority), p.scheduled_at, p.error_code],
    );
    return rows[0];
  }

  async delete(id: string): Promise<ScheduledPostRow | undefined> {
    return (await this.db.query<ScheduledPostRow>(`DELETE FROM scheduled_posts WHERE id = $1 RETURNING ${COLUMNS}`, [id]))[0];
  }

  /**
   * The user's scheduled posts in the team's channels ('' = direct and group messages), soonest
   * first. Archived channels and channels they left are included on purpose, as Mattermost does:
   * the app shows those posts with their error.
   */
  async forUserInTeam(userId: string, teamId: string): Promise<ScheduledPostRow[]> {
    return this.db.query<ScheduledPostRow>(
      `SELECT ${FIELDS.map((f) => `sp.${f}`).join(', ')}
         FROM scheduled_posts sp JOIN channels c ON c.id = sp.channel_id
        WHERE sp.user_id = $1 AND c.team_id = $2
        ORDER BY sp.scheduled_at, sp.create_at`,
      [userId, teamId],
    );
  }

  /**
   * Claims the next row due by `dueBy` for sending: a compare-and-set of claimed_at from 0 to
   * `claimAt` on one row, so whatever number of nodes or retried jobs ask at once, each row is
   * handed out once. Rows due before `oldest` are left for expireStale.
   */
  async claimNextDue(dueBy: number, oldest: number, claimAt: number): Promise<ScheduledPostRow | undefined> {
    const rows = await this.db.query<ScheduledPostRow>(
      `UPDATE scheduled_posts SET claimed_at = $3
        WHERE id = (SELECT id FROM scheduled_posts
                     WHERE error_code = '' AND claimed_at = 0 AND scheduled_at <= $1 AND scheduled_at >= $2
                     ORDER BY scheduled_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
          AND claimed_at = 0 AND error_code = ''
        RETURNING ${COLUMNS}`,
      [dueBy, oldest, claimAt],
    );
    return rows[0];
  }

  /** A sent row goes: its content now lives in the post (handleSuccessfulScheduledPosts). */
  async deleteSent(id: string, claimedAt: number): Promise<void> {
    await this.db.query('DELETE FROM scheduled_posts WHERE id = $1 AND claimed_at = $2', [id, claimedAt]);
  }

  /** Records why a claimed row was not sent; it keeps its claim, so it is never tried again unless edited. */
  async markFailed(id: string, claimedAt: number, errorCode: string, now: number): Promise<ScheduledPostRow | undefined> {
    const rows = await this.db.query<ScheduledPostRow>(
      `UPDATE scheduled_posts SET error_code = $3, processed_at = $4, update_at = $4
        WHERE id = $1 AND claimed_at = $2 RETURNING ${COLUMNS}`,
      [id, claimedAt, errorCode, now],
    );
    return rows[0];
  }

  /**
   * Gives up on rows that can no longer be sent on time (UpdateOldScheduledPosts): those due
   * before `oldest` that nobody sent, and those claimed before `stuckBefore` by a node that never
   * finished (whether the post went out is unknown, so it is not sent again).
   */
  async expireStale(oldest: number, stuckBefore: number, now: number): Promise<ScheduledPostRow[]> {
    return this.db.query<ScheduledPostRow>(
      `UPDATE scheduled_posts SET error_code = $3, processed_at = $4
        WHERE error_code = '' AND ((claimed_at = 0 AND scheduled_at < $1) OR (claimed_at > 0 AND claimed_at < $2))
        RETURNING ${COLUMNS}`,
      [oldest, stuckBefore, ScheduledPostError.UnableToSend, now],
    );
  }
}
