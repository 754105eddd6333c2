import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import type { OutgoingWebhook } from './webhook.model.js';

const COLUMNS = `id, token, create_at, update_at, delete_at, creator_id, channel_id, team_id, trigger_words, trigger_when, callback_urls,
  display_name, description, content_type, username, icon_url`;

/** The `outgoing_webhooks` table (Mattermost's OutgoingWebhooks). Deleted hooks keep their row. */
@Injectable()
export class OutgoingWebhooksRepository {
  constructor(private readonly db: Database) {}

  async insert(h: OutgoingWebhook): Promise<void> {
    await this.db.query(`INSERT INTO outgoing_webhooks (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`, [
      h.id,
      h.token,
      h.create_at,
      h.update_at,
      h.delete_at,
      h.creator_id,
      h.channel_id,
      h.team_id,
      JSON.stringify(h.trigger_words),
      h.trigger_when,
      JSON.stringify(h.callback_urls),
      h.display_name,
      h.description,
      h.content_type,
      h.username,
      h.icon_url,
    ]);
  }

  async byId(id: string): Promise<OutgoingWebhook | undefined> {
    return (await this.db.query<OutgoingWebhook>(`SELECT ${COLUMNS} FROM outgoing_webhooks WHERE id = $1 AND delete_at = 0`, [id]))[0];
  }

  /** UpdateOutgoing: everything but the id, creator, team and creation time. */
  async update(h: OutgoingWebhook): Promise<void> {
    await this.db.query(
      `UPDATE outgoing_webhooks SET token = $2, update_at = $3, channel_id = $4, trigger_words = $5, trigger_when = $6, callback_urls = $7,
         display_name = $8, description = $9, content_type = $10, username = $11, icon_url = $12 WHERE id = $1`,
      [
        h.id,
        h.token,
        h.update_at,
        h.channel_id,
        JSON.stringify(h.trigger_words),
        h.trigger_when,
        JSON.stringify(h.callback_urls),
        h.display_name,
        h.description,
        h.content_type,
        h.username,
        h.icon_url,
      ],
    );
  }

  async delete(id: string, now: number): Promise<void> {
    await this.db.query('UPDATE outgoing_webhooks SET delete_at = $2, update_at = $2 WHERE id = $1 AND delete_at = 0', [id, now]);
  }

  /** Every live hook of a team (GetOutgoingByTeam with no paging): what a new post is matched against. */
  async forTeam(teamId: string): Promise<OutgoingWebhook[]> {
    return this.db.query<OutgoingWebhook>(`SELECT ${COLUMNS} FROM outgoing_webhooks WHERE team_id = $1 AND delete_at = 0 ORDER BY create_at, id`, [teamId]);
  }

  /**
   * Live hooks, oldest first, filtered by channel, team and creator ('' for any):
   * GetOutgoingByChannelByUser, GetOutgoingByTeamByUser and GetOutgoingListByUser.
   */
  async list(filter: { channelId: string; teamId: string; userId: string }, offset: number, limit: number): Promise<OutgoingWebhook[]> {
    return this.db.query<OutgoingWebhook>(
      `SELECT ${COLUMNS} FROM outgoing_webhooks
        WHERE delete_at = 0 AND ($1 = '' OR channel_id = $1) AND ($2 = '' OR team_id = $2) AND ($3 = '' OR creator_id = $3)
        ORDER BY create_at, id LIMIT $4 OFFSET $5`,
      [filter.channelId, filter.teamId, filter.userId, limit, offset],
    );
  }

  /** Archiving or deleting a channel deletes the hooks that watch it (App.DeleteChannel). */
  async deleteForChannel(channelId: string, now: number, tx: Queryable = this.db): Promise<void> {
    await tx.query('UPDATE outgoing_webhooks SET delete_at = $2, update_at = $2 WHERE channel_id = $1 AND delete_at = 0', [channelId, now]);
  }

  /** A moved channel's hooks follow it to its new team (App.MoveChannel). */
  async moveChannelToTeam(channelId: string, teamId: string, now: number, tx: Queryable = this.db): Promise<void> {
    await tx.query('UPDATE outgoing_webhooks SET team_id = $2, update_at = $3 WHERE channel_id = $1 AND delete_at = 0', [channelId, teamId, now]);
  }
}
