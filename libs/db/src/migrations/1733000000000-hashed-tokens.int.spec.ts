/** The token-hashing migration over rows written before it, on a throwaway database. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { hashToken } from '#auth';
import { createDatabase, databaseUrl, dropDatabase } from '#testing';
import { Database, MIGRATIONS } from '../database.js';
import { HashedTokens1733000000000 } from './1733000000000-hashed-tokens.js';

describe('HashedTokens1733000000000', () => {
  let name: string;
  let db: Database;
  const session = { id: 's'.repeat(26), token: 'ksq8ytbkm3yb8rwtd8fhq7x9go', user: 'u'.repeat(26) };
  const pat = { id: 'p'.repeat(26), token: 'h3w8ny1m7bd1xeqrsrr6z5g5pa' };

  beforeAll(async () => {
    name = await createDatabase();
    // The schema as it was before this migration, holding bearer tokens.
    const before = new DataSource({
      type: 'postgres',
      url: databaseUrl(name),
      migrations: MIGRATIONS.filter((m) => m !== HashedTokens1733000000000),
      migrationsTableName: 'schema_migrations',
    });
    await before.initialize();
    await before.runMigrations({ transaction: 'all' });
    await before.query(`INSERT INTO sessions (id, token, create_at, expires_at, last_activity_at, user_id) VALUES ($1, $2, 1, 0, 1, $3)`, [
      session.id,
      session.token,
      session.user,
    ]);
    await before.query(`INSERT INTO user_access_tokens (id, token, user_id) VALUES ($1, $2, $3)`, [pat.id, pat.token, session.user]);
    await before.destroy();
    db = await Database.connect({ url: databaseUrl(name), maxConnections: 2, queryTimeoutSeconds: 10 });
  });

  afterAll(async () => {
    await db?.close();
    if (name) await dropDatabase(name);
  });

  it('hashes existing tokens in place, as the server hashes a presented token', async () => {
    expect(await db.migrate()).toEqual(['HashedTokens1733000000000']);
    const [s] = await db.query<{ token: string }>('SELECT token FROM sessions WHERE id = $1', [session.id]);
    const [t] = await db.query<{ token: string }>('SELECT token FROM user_access_tokens WHERE id = $1', [pat.id]);
    expect(s.token).toBe(hashToken(session.token));
    expect(t.token).toBe(hashToken(pat.token));
    // The lookup by hash finds the row through the unique index.
    const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE token = $1', [hashToken(session.token)]);
    expect(n).toBe(1);
    const indexes = await db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename IN ('sessions', 'user_access_tokens')`);
    expect(indexes.filter((i) => /UNIQUE INDEX .* \(token\)/.test(i.indexdef))).toHaveLength(2);
  });
});
