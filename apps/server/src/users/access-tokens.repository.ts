import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';

export interface AccessTokenRow {
  id: string;
  /** The token's SHA-256 (hashToken); the bearer token is only in the creation answer. */
  token: string;
  user_id: string;
  description: string;
  is_active: boolean;
  /** 0: never expires. */
  expires_at: number;
}

@Injectable()
export class AccessTokensRepository {
  constructor(private readonly db: Database) {}

  async insert(t: AccessTokenRow): Promise<void> {
    await this.db.query('INSERT INTO user_access_tokens (id, token, user_id, description, is_active, expires_at) VALUES ($1,$2,$3,$4,$5,$6)', [
      t.id,
      t.token,
      t.user_id,
      t.description,
      t.is_active,
      t.expires_at,
    ]);
  }

  async byId(id: string): Promise<AccessTokenRow | undefined> {
    return (await this.db.query<AccessTokenRow>('SELECT * FROM user_access_tokens WHERE id = $1', [id]))[0];
  }

  forUser(userId: string, page: number, perPage: number): Promise<AccessTokenRow[]> {
    return this.db.query('SELECT * FROM user_access_tokens WHERE user_id = $1 ORDER BY id LIMIT $2 OFFSET $3', [userId, perPage, page * perPage]);
  }

  all(page: number, perPage: number): Promise<AccessTokenRow[]> {
    return this.db.query('SELECT * FROM user_access_tokens ORDER BY id LIMIT $1 OFFSET $2', [perPage, page * perPage]);
  }

  async setActive(id: string, active: boolean): Promise<void> {
    await this.db.query('UPDATE user_access_tokens SET is_active = $2 WHERE id = $1', [id, active]);
  }

  async delete(id: string): Promise<void> {
    await this.db.query('DELETE FROM user_access_tokens WHERE id = $1', [id]);
  }

  /** Tokens whose expires_at has passed (0 never expires): cleanup_expired_access_tokens' total. */
  async countExpiredBefore(now: number): Promise<number> {
    const [{ n }] = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM user_access_tokens WHERE expires_at > 0 AND expires_at < $1', [now]);
    return n;
  }

  /** Deletes up to `limit` expired tokens in the caller's transaction (their sessions go in the same one); their ids. */
  async deleteExpiredBatch(tx: Queryable, now: number, limit: number): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(
      'DELETE FROM user_access_tokens WHERE id IN (SELECT id FROM user_access_tokens WHERE expires_at > 0 AND expires_at < $1 LIMIT $2) RETURNING id',
      [now, limit],
    );
    return rows.map((r) => r.id);
  }
}
