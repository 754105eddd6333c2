import { Injectable } from '@nestjs/common';
import { Database } from '#db';
import { EmojiRow } from './emoji.model.js';

const COLUMNS = 'id, create_at, update_at, delete_at, creator_id, name';

/** LIKE's wildcards in a user's term match only themselves. */
const likeEscape = (term: string) => term.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The emoji table (store/sqlstore/emoji_store.go). Reads see live emoji only. */
@Injectable()
export class EmojiRepository {
  constructor(private readonly db: Database) {}

  /** false when a live emoji already holds the name (the unique index decides, race-free). */
  async insert(row: EmojiRow): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `INSERT INTO emoji (${COLUMNS}) VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (name) WHERE delete_at = 0 DO NOTHING RETURNING id`,
      [row.id, row.create_at, row.update_at, row.creator_id, row.name],
    );
    return rows.length === 1;
  }

  async byId(id: string): Promise<EmojiRow | undefined> {
    return (await this.db.query<EmojiRow>(`SELECT ${COLUMNS} FROM emoji WHERE id = $1 AND delete_at = 0`, [id]))[0];
  }

  async byName(name: string): Promise<EmojiRow | undefined> {
    return (await this.db.query<EmojiRow>(`SELECT ${COLUMNS} FROM emoji WHERE name = $1 AND delete_at = 0`, [name]))[0];
  }

  async byNames(names: string[]): Promise<EmojiRow[]> {
    return this.db.query<EmojiRow>(`SELECT ${COLUMNS} FROM emoji WHERE name = ANY($1::text[]) AND delete_at = 0`, [names]);
  }

  /** A page of live emoji, by name or (Mattermost's default) oldest first. */
  async list(offset: number, limit: number, byName: boolean): Promise<EmojiRow[]> {
    const order = byName ? 'name' : 'create_at, id';
    return this.db.query<EmojiRow>(`SELECT ${COLUMNS} FROM emoji WHERE delete_at = 0 ORDER BY ${order} LIMIT $1 OFFSET $2`, [limit, offset]);
  }

  /** Names starting with the term, or containing it anywhere, by name. */
  async search(term: string, prefixOnly: boolean, limit: number): Promise<EmojiRow[]> {
    const pattern = `${prefixOnly ? '' : '%'}${likeEscape(term)}%`;
    return this.db.query<EmojiRow>(`SELECT ${COLUMNS} FROM emoji WHERE delete_at = 0 AND name LIKE $1 ORDER BY name LIMIT $2`, [pattern, limit]);
  }

  async softDelete(id: string, now: number): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>('UPDATE emoji SET delete_at = $2, update_at = $2 WHERE id = $1 AND delete_at = 0 RETURNING id', [id, now]);
    return rows.length === 1;
  }
}
