import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import type { IncomingWebhook } from './webhook.model.js';

const COLUMNS = 'id, create_at, update_at, delete_at, user_id, channel_id, team_id, display_name, description, username, icon_url, channel_locked';

/** The `incoming_webhooks` table (Mattermost's IncomingWebhooks). Deleted hooks keep their row. */
@Injectable()
export class IncomingWebhooksRepository {
  constructor(private readonly db: Database) {}

  async insert(h: IncomingWebhook): Promise<void> {
    await this.db.query(`INSERT INTO incoming_webhooks (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`, [
      h.id,
      h.create_at,
      h.update_at,
      h.delete_at,
      h.user_id,
      h.channel_id,
      h.team_id,
      h.display_name,
      h.description,
      h.username,
      h.icon_url,
      h.channel_locked,
    ]);
  }

  /** A live hook (Store().Webhook().GetIncoming: deleted ones are not found). */
  async byId(id: string): Promise<IncomingWebhook | undefined> {
    return (await this.db.query<IncomingWebhook>(`SELECT ${COLUMNS} FROM incoming_webhooks WHERE id = $1 AND delete_at = 0`, [id]))[0];
  }

  /** The editable fields and update_at (UpdateIncoming). */
  async update(h: IncomingWebhook): Promise<void> {
    await this.db.query(
      `UPDATE incoming_webhooks SET update_at = $2, channel_id = $3, display_name = $4, description = $5, username = $6, icon_url = $7,
         channel_locked = $8 WHERE id = $1`,
      [h.id, h.update_at, h.channel_id, h.display_name, h.description, h.username, h.icon_url, h.channel_locked],
    );
  }

  async delete(id: string, now: number): Promise<void> {
    await this.db.query('UPDATE incoming_webhooks SET delete_at = $2, update_at = $2 WHERE id = $1 AND delete_at = 0', [id, now]);
  }

  /**
   * Live hooks, oldest first, of a team (or all teams with ''), of one creator (or everyone's
   * with ''): GetIncomingByTeamByUser and GetIncomingListByUser.
   */
  async list(teamId: string, userId: string, offset: number, limit: number): Promise<IncomingWebhook[]> {
    return this.db.query<IncomingWebhook>(
      `SELECT ${COLUMNS} FROM incoming_webhooks
        WHERE delete_at = 0 AND ($1 = '' OR team_id = $1) AND ($2 = '' OR user_id = $2)
        ORDER BY create_at, id LIMIT $3 OFFSET $4`,
      [teamId, userId, limit, offset],
    );
  }

  /** AnalyticsIncomingCount: the live hooks that list() pages through. */
  async count(teamId: string, userId: string): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM incoming_webhooks WHERE delete_at = 0 AND ($1 = '' OR team_id = $1) AND ($2 = '' OR user_id = $2)`,
      [teamId, userId],
    );
    return rows[0].n;
  }

  /** Archiving or deleting a channel deletes its hooks (App.DeleteChannel); they stay deleted if it is restored. */
  async deleteForChannel(channelId: string, now: number, tx: Queryable = this.db): Promise<void> {
    await tx.query('UPDATE incoming_webhooks SET delete_at = $2, update_at = $2 WHERE channel_id = $1 AND delete_at = 0', [channelId, now]);
  }

  /** A moved channel's hooks follow it to its new team (App.MoveChannel). */
  async moveChannelToTeam(channelId: string, teamId: string, now: number, tx: Queryable = this.db): Promise<void> {
    await tx.query('UPDATE incoming_webhooks SET team_id = $2, update_at = $3 WHERE channel_id = $1 AND delete_at = 0', [channelId, teamId, now]);
  }
}
