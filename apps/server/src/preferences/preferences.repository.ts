import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import { Preference } from './preference.model.js';

const COLUMNS = 'user_id, category, name, value';

@Injectable()
export class PreferencesRepository {
  constructor(private readonly db: Database) {}

  async forUser(userId: string): Promise<Preference[]> {
    return this.db.replica().query<Preference>(`SELECT ${COLUMNS} FROM preferences WHERE user_id = $1 ORDER BY category, name`, [userId]);
  }

  async inCategory(userId: string, category: string): Promise<Preference[]> {
    return this.db.query<Preference>(`SELECT ${COLUMNS} FROM preferences WHERE user_id = $1 AND category = $2 ORDER BY name`, [userId, category]);
  }

  async one(userId: string, category: string, name: string): Promise<Preference | undefined> {
    const rows = await this.db.query<Preference>(`SELECT ${COLUMNS} FROM preferences WHERE user_id = $1 AND category = $2 AND name = $3`, [
      userId,
      category,
      name,
    ]);
    return rows[0];
  }

  /** One preference of many users at once (users without it are left out). */
  async oneForUsers(userIds: string[], category: string, name: string): Promise<Preference[]> {
    if (userIds.length === 0) return [];
    return this.db.query<Preference>(`SELECT ${COLUMNS} FROM preferences WHERE user_id = ANY($1) AND category = $2 AND name = $3`, [userIds, category, name]);
  }

  /** Inserts or overwrites all of them in one statement (so either all are saved or none). Keys must be unique. */
  async upsert(prefs: Preference[], tx: Queryable = this.db): Promise<void> {
    await tx.query(
      `INSERT INTO preferences (${COLUMNS})
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[])
       ON CONFLICT (user_id, category, name) DO UPDATE SET value = EXCLUDED.value`,
      [prefs.map((p) => p.user_id), prefs.map((p) => p.category), prefs.map((p) => p.name), prefs.map((p) => p.value)],
    );
  }

  async delete(userId: string, keys: Array<Pick<Preference, 'category' | 'name'>>, tx: Queryable = this.db): Promise<void> {
    await tx.query(
      `DELETE FROM preferences WHERE user_id = $1
          AND (category, name) IN (SELECT * FROM unnest($2::varchar[], $3::varchar[]))`,
      [userId, keys.map((k) => k.category), keys.map((k) => k.name)],
    );
  }

  /** Deletes one preference of every user (an OAuth app's consents, when the app is deleted). */
  async deleteEveryones(category: string, name: string): Promise<void> {
    await this.db.query('DELETE FROM preferences WHERE category = $1 AND name = $2', [category, name]);
  }

  /** The channel of a live post, for checking that a flagged post is one the user can read. */
  async postChannelId(postId: string): Promise<string | undefined> {
    const rows = await this.db.query<{ channel_id: string }>('SELECT channel_id FROM posts WHERE id = $1 AND delete_at = 0', [postId]);
    return rows[0]?.channel_id;
  }

  /** Drops everyone's flags on posts that were deleted for good. */
  async deleteFlags(postIds: string[], tx: Queryable = this.db): Promise<void> {
    if (postIds.length === 0) return;
    await tx.query(`DELETE FROM preferences WHERE category = 'flagged_post' AND name = ANY($1)`, [postIds]);
  }
}
