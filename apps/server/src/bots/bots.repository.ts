import { Injectable, Optional } from '@nestjs/common';
import { Database, Queryable } from '#db';
import { InvalidationBus } from '#realtime';
import { tellCommitted } from '../common/cached-rows.js';
import { Bot, BotRow } from './bot.model.js';

/** A bot's row with the two fields its user holds (Mattermost's botsQuery). */
const BOT_SELECT = `SELECT b.user_id, u.username, u.first_name AS display_name, b.description, b.owner_id, b.last_icon_update,
  b.create_at, b.update_at, b.delete_at FROM bots b JOIN users u ON u.id = b.user_id`;

export interface BotListOptions {
  /** Only the bots of this owner ('' for all). */
  ownerId: string;
  includeDeleted: boolean;
  /** Only bots whose owning user is deactivated. */
  onlyOrphaned: boolean;
  page: number;
  perPage: number;
}

/**
 * The bots table (one row per bot user; the user row is the users area's). A bot's user row
 * carries its description and icon time, so a write here drops that row from every node's user
 * cache (the 'profile' invalidation of UsersRepository).
 */
@Injectable()
export class BotsRepository {
  constructor(
    private readonly db: Database,
    @Optional() private readonly invalidation?: InvalidationBus,
  ) {}

  private changed(userId: string, tx: Queryable): void {
    tellCommitted(this.invalidation, 'profile', userId, tx);
  }

  async get(userId: string, includeDeleted: boolean): Promise<Bot | undefined> {
    const rows = await this.db.query<Bot>(`${BOT_SELECT} WHERE b.user_id = $1 ${includeDeleted ? '' : 'AND b.delete_at = 0'}`, [userId]);
    return rows[0];
  }

  /** Oldest first, then by username (Store.Bot().GetAll). */
  list(o: BotListOptions): Promise<Bot[]> {
    const conds: string[] = [];
    const params: unknown[] = [];
    if (!o.includeDeleted) conds.push('b.delete_at = 0');
    if (o.ownerId) {
      params.push(o.ownerId);
      conds.push(`b.owner_id = $${params.length}`);
    }
    const orphanJoin = o.onlyOrphaned ? 'JOIN users o ON o.id = b.owner_id' : '';
    if (o.onlyOrphaned) conds.push('o.delete_at <> 0');
    params.push(o.perPage, o.page * o.perPage);
    return this.db.query<Bot>(
      `${BOT_SELECT} ${orphanJoin} ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''}
       ORDER BY b.create_at, u.username LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
  }

  async insert(row: BotRow, tx: Queryable = this.db): Promise<void> {
    await tx.query(`INSERT INTO bots (user_id, description, owner_id, last_icon_update, create_at, update_at, delete_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`, [
      row.user_id,
      row.description,
      row.owner_id,
      row.last_icon_update,
      row.create_at,
      row.update_at,
      row.delete_at,
    ]);
    this.changed(row.user_id, tx);
  }

  async update(row: BotRow, tx: Queryable = this.db): Promise<void> {
    await tx.query('UPDATE bots SET description = $2, owner_id = $3, last_icon_update = $4, update_at = $5, delete_at = $6 WHERE user_id = $1', [
      row.user_id,
      row.description,
      row.owner_id,
      row.last_icon_update,
      row.update_at,
      row.delete_at,
    ]);
    this.changed(row.user_id, tx);
  }

  async delete(userId: string, tx: Queryable = this.db): Promise<void> {
    await tx.query('DELETE FROM bots WHERE user_id = $1', [userId]);
    this.changed(userId, tx);
  }

  /** The owner of a live or disabled bot, undefined for a user that is no bot. */
  async ownerOf(userId: string): Promise<string | undefined> {
    const rows = await this.db.query<{ owner_id: string }>('SELECT owner_id FROM bots WHERE user_id = $1', [userId]);
    return rows[0]?.owner_id;
  }
}
