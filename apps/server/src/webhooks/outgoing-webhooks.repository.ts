import { Injectable, Optional } from '@nestjs/common';
import { Caches, ReadThroughCache } from '#common';
import { Database, Queryable } from '#db';
import { ALL_KEYS, InvalidationBus } from '#realtime';
import { cachedRows, tellCommitted } from '../common/cached-rows.js';
import type { OutgoingWebhook } from './webhook.model.js';

const COLUMNS = `id, token, create_at, update_at, delete_at, creator_id, channel_id, team_id, trigger_words, trigger_when, callback_urls,
  display_name, description, content_type, username, icon_url`;

/** Teams whose hooks are kept; a team's list is small (a handful of hooks). */
const CACHED_TEAMS = 5_000;
/** The bound on staleness if an invalidation were ever lost. */
const CACHED_TEAM_TTL_MS = 15 * 60_000;

/**
 * The `outgoing_webhooks` table (Mattermost's OutgoingWebhooks). Deleted hooks keep their row.
 *
 * On a server node each team's live hooks are cached (issue 17): every new post in a public
 * channel is matched against them, so without the cache every such post cost a statement, for
 * teams that mostly have no hook at all. Every write here tells the invalidation bus (kind
 * 'outgoing_webhooks', keyed by team id, after its commit), so every node drops the team's list.
 */
@Injectable()
export class OutgoingWebhooksRepository {
  private readonly byTeam?: ReadThroughCache<OutgoingWebhook[]>;

  constructor(
    private readonly db: Database,
    @Optional() private readonly invalidation?: InvalidationBus,
    @Optional() caches?: Caches,
  ) {
    this.byTeam = cachedRows(invalidation, caches, {
      name: 'OutgoingWebhooksByTeam',
      maxEntries: CACHED_TEAMS,
      ttlMs: CACHED_TEAM_TTL_MS,
      dropOn: ['outgoing_webhooks'],
      // Readers only match posts against the list; each gets its own array all the same.
      copy: (hooks) => [...hooks],
      load: (teamIds) => this.loadForTeams(teamIds),
    });
  }

  /** Every node drops these teams' lists once what `tx` wrote is committed (ALL_KEYS: every team). */
  private changed(teamIds: Iterable<string>, tx: Queryable = this.db): void {
    for (const teamId of new Set(teamIds)) tellCommitted(this.invalidation, 'outgoing_webhooks', teamId, tx);
  }

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
    this.changed([h.team_id]);
  }

  async byId(id: string): Promise<OutgoingWebhook | undefined> {
    return (await this.db.query<OutgoingWebhook>(`SELECT ${COLUMNS} FROM outgoing_webhooks WHERE id = $1 AND delete_at = 0`, [id]))[0];
  }

  /** UpdateOutgoing: everything but the id, creator, team and creation time. */
  async update(h: OutgoingWebhook): Promise<void> {
    const rows = await this.db.query<{ team_id: string }>(
      `UPDATE outgoing_webhooks SET token = $2, update_at = $3, channel_id = $4, trigger_words = $5, trigger_when = $6, callback_urls = $7,
         display_name = $8, description = $9, content_type = $10, username = $11, icon_url = $12 WHERE id = $1
       RETURNING team_id`,
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
    this.changed(rows.map((r) => r.team_id));
  }

  async delete(id: string, now: number): Promise<void> {
    const rows = await this.db.query<{ team_id: string }>(
      'UPDATE outgoing_webhooks SET delete_at = $2, update_at = $2 WHERE id = $1 AND delete_at = 0 RETURNING team_id',
      [id, now],
    );
    this.changed(rows.map((r) => r.team_id));
  }

  /** Every live hook of a team (GetOutgoingByTeam with no paging): what a new post is matched against. */
  async forTeam(teamId: string): Promise<OutgoingWebhook[]> {
    if (this.byTeam) return (await this.byTeam.get(teamId)) ?? [];
    return (await this.loadForTeams([teamId])).get(teamId)!;
  }

  /** Each team's live hooks, oldest first; a team without any has an empty list (cached as such). */
  private async loadForTeams(teamIds: string[]): Promise<Map<string, OutgoingWebhook[]>> {
    const rows = await this.db.query<OutgoingWebhook>(
      `SELECT ${COLUMNS} FROM outgoing_webhooks WHERE team_id = ANY($1) AND delete_at = 0 ORDER BY create_at, id`,
      [teamIds],
    );
    const byTeam = new Map<string, OutgoingWebhook[]>(teamIds.map((id) => [id, []]));
    for (const row of rows) byTeam.get(row.team_id)?.push(row);
    return byTeam;
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
    const rows = await tx.query<{ team_id: string }>(
      'UPDATE outgoing_webhooks SET delete_at = $2, update_at = $2 WHERE channel_id = $1 AND delete_at = 0 RETURNING team_id',
      [channelId, now],
    );
    this.changed(
      rows.map((r) => r.team_id),
      tx,
    );
  }

  /** A moved channel's hooks follow it to its new team (App.MoveChannel). */
  async moveChannelToTeam(channelId: string, teamId: string, now: number, tx: Queryable = this.db): Promise<void> {
    const moved = await tx.query('UPDATE outgoing_webhooks SET team_id = $2, update_at = $3 WHERE channel_id = $1 AND delete_at = 0 RETURNING id', [
      channelId,
      teamId,
      now,
    ]);
    // The hooks' old team is not known here: every team's list is dropped (a rare change).
    if (moved.length > 0) this.changed([ALL_KEYS], tx);
  }
}
