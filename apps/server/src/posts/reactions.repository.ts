import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import { ReactionRow } from './reaction-view.js';

const COLUMNS = 'user_id, post_id, emoji_name, channel_id, create_at';

/**
 * The reactions table. It sits with the posts because a post's view carries its reactions; the
 * reactions API builds on the posts area, never the other way round. Writes run in the caller's
 * transaction, which also marks the post as changed (PostsRepository.reactionsChanged).
 */
@Injectable()
export class ReactionsRepository {
  constructor(private readonly db: Database) {}

  async forPost(postId: string): Promise<ReactionRow[]> {
    return this.db.replica().query<ReactionRow>(`SELECT ${COLUMNS} FROM reactions WHERE post_id = $1 ORDER BY create_at, user_id`, [postId]);
  }

  async forPosts(postIds: string[]): Promise<ReactionRow[]> {
    if (postIds.length === 0) return [];
    return this.db.replica().query<ReactionRow>(`SELECT ${COLUMNS} FROM reactions WHERE post_id = ANY($1) ORDER BY create_at, user_id`, [postIds]);
  }

  async emojiCount(postId: string): Promise<{ distinct: number; hasEmoji: (name: string) => boolean }> {
    const rows = await this.db.query<{ emoji_name: string }>('SELECT DISTINCT emoji_name FROM reactions WHERE post_id = $1', [postId]);
    const names = new Set(rows.map((r) => r.emoji_name));
    return { distinct: names.size, hasEmoji: (name) => names.has(name) };
  }

  /** Saves a reaction; reacting twice is a no-op that keeps the first time. */
  async save(tx: Queryable, reaction: ReactionRow): Promise<ReactionRow> {
    const rows = await tx.query<ReactionRow>(
      `INSERT INTO reactions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (post_id, user_id, emoji_name) DO UPDATE SET channel_id = EXCLUDED.channel_id
       RETURNING ${COLUMNS}`,
      [reaction.user_id, reaction.post_id, reaction.emoji_name, reaction.channel_id, reaction.create_at],
    );
    return rows[0];
  }

  /** Many reactions in one statement (the bulk import's batches); each (post, user, emoji) once, as save. */
  async saveMany(tx: Queryable, rows: ReactionRow[]): Promise<void> {
    const unique = [...new Map(rows.map((r) => [`${r.post_id}:${r.user_id}:${r.emoji_name}`, r])).values()];
    for (let i = 0; i < unique.length; i += 1000) {
      const chunk = unique.slice(i, i + 1000);
      await tx.query(
        `INSERT INTO reactions (${COLUMNS}) SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::bigint[])
         ON CONFLICT (post_id, user_id, emoji_name) DO UPDATE SET channel_id = EXCLUDED.channel_id`,
        [
          chunk.map((r) => r.user_id),
          chunk.map((r) => r.post_id),
          chunk.map((r) => r.emoji_name),
          chunk.map((r) => r.channel_id),
          chunk.map((r) => r.create_at),
        ],
      );
    }
  }

  /** Removes a reaction if present. */
  async delete(tx: Queryable, postId: string, userId: string, emojiName: string): Promise<ReactionRow | undefined> {
    const rows = await tx.query<ReactionRow>(`DELETE FROM reactions WHERE post_id = $1 AND user_id = $2 AND emoji_name = $3 RETURNING ${COLUMNS}`, [
      postId,
      userId,
      emojiName,
    ]);
    return rows[0];
  }
}
