import { Injectable } from '@nestjs/common';
import { hashToken } from '#auth';
import { Database } from '#db';
import { TOKEN_LIFETIME_MS, TokenRow, TokenTypeName } from './token.model.js';

const COLUMNS = 'token, create_at, type, extra, user_id';

/**
 * Mattermost's Tokens table: one-use links mailed to people. Rows hold the token's SHA-256, so a
 * lookup hashes what the link carried. A link is used by take(): one DELETE … RETURNING, so two
 * requests with the same link never both get it.
 */
@Injectable()
export class TokensRepository {
  constructor(private readonly db: Database) {}

  /** Saves a new token (the plain token; the row keeps its hash). */
  async insert(token: string, type: TokenTypeName, extra: Record<string, string>, userId = '', now = Date.now()): Promise<void> {
    await this.db.query(`INSERT INTO tokens (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)`, [hashToken(token), now, type, JSON.stringify(extra), userId]);
  }

  /** Takes the token of that type away and returns it (undefined when there is none of that type). */
  async take(token: string, type: TokenTypeName): Promise<TokenRow | undefined> {
    const rows = await this.db.query<TokenRow>(`DELETE FROM tokens WHERE token = $1 AND type = $2 RETURNING ${COLUMNS}`, [hashToken(token), type]);
    return rows[0];
  }

  /** The token's row without using it. */
  async find(token: string): Promise<TokenRow | undefined> {
    return (await this.db.query<TokenRow>(`SELECT ${COLUMNS} FROM tokens WHERE token = $1`, [hashToken(token)]))[0];
  }

  /** Puts a taken token back as it was (what it was taken for failed in a way the link's owner can fix). */
  async restore(row: TokenRow): Promise<void> {
    await this.db.query(`INSERT INTO tokens (${COLUMNS}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token) DO NOTHING`, [
      row.token,
      row.create_at,
      row.type,
      row.extra,
      row.user_id,
    ]);
  }

  /** Deletes the user's tokens of a type (a new recovery link voids the older ones). */
  async deleteForUser(type: TokenTypeName, userId: string): Promise<void> {
    await this.db.query('DELETE FROM tokens WHERE type = $1 AND user_id = $2', [type, userId]);
  }

  /** Deletes every token of these types (Mattermost's InvalidateAllEmailInvites). */
  async deleteByTypes(types: TokenTypeName[]): Promise<number> {
    const rows = await this.db.query<{ n: number }>('WITH d AS (DELETE FROM tokens WHERE type = ANY($1) RETURNING 1) SELECT count(*)::int AS n FROM d', [
      types,
    ]);
    return rows[0]?.n ?? 0;
  }

  /** Deletes tokens past their type's lifetime (and any of a type this server no longer issues, after the longest lifetime). */
  async deleteExpired(now = Date.now()): Promise<number> {
    const types = Object.keys(TOKEN_LIFETIME_MS);
    const cutoffs = types.map((t) => now - TOKEN_LIFETIME_MS[t as TokenTypeName]);
    const longest = now - Math.max(...Object.values(TOKEN_LIFETIME_MS));
    const rows = await this.db.query<{ n: number }>(
      `WITH d AS (
         DELETE FROM tokens t
          WHERE t.create_at < COALESCE((SELECT c.cutoff FROM unnest($1::text[], $2::bigint[]) AS c(type, cutoff) WHERE c.type = t.type), $3)
          RETURNING 1)
       SELECT count(*)::int AS n FROM d`,
      [types, cutoffs, longest],
    );
    return rows[0]?.n ?? 0;
  }
}
