import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Session tokens and personal access tokens are kept as the SHA-256 (hex) of the bearer token, so
 * the tables hold nothing a reader could authenticate with. Existing rows are hashed in place, as
 * the server hashes a presented token (hashToken in libs/auth: SHA-256 of its UTF-8 bytes), so
 * every open session and every token keeps working. The unique constraints stay and serve the
 * lookups by hash. A session of a personal access token holds the same hash as the token's row.
 */
export class HashedTokens1733000000000 implements MigrationInterface {
  name = 'HashedTokens1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE sessions ALTER COLUMN token TYPE varchar(64);
      ALTER TABLE user_access_tokens ALTER COLUMN token TYPE varchar(64);
      UPDATE sessions SET token = encode(sha256(convert_to(token, 'UTF8')), 'hex');
      UPDATE user_access_tokens SET token = encode(sha256(convert_to(token, 'UTF8')), 'hex');
    `);
  }

  /** A hash cannot be turned back into a token: going back signs everyone out and deletes the personal access tokens. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM sessions;
      DELETE FROM user_access_tokens;
      ALTER TABLE sessions ALTER COLUMN token TYPE varchar(26);
      ALTER TABLE user_access_tokens ALTER COLUMN token TYPE varchar(26);
    `);
  }
}
