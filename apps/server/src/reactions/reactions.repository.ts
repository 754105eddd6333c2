import { Injectable } from '@nestjs/common';
import { Database } from '#db';
import { ReactionRow } from './reaction.model.js';

const COLUMNS = 'user_id, post_id, emoji_name, channel_id, create_at';
/**
 * A reaction changes its post: update_at moves past the channel's newest change ($2 = now,
 * $3 = channel id), as every post change does, so channel ETags and `since` see it.
 */
const NEXT_CHANGE_AT = 'GREATEST($2, (SELECT COALESCE(MAX(p.update_at), 0) + 1 FROM posts p WHERE p.channel_id = $3))';

@Injectable()
export class ReactionsRepository {
  constructor(private readonly db: Database) {}

  async forPost(postId: string): Promise<ReactionRow[]> {
    return this.db.query<ReactionRow>(`SELECT ${COLUMNS} FROM reactions WHERE post_id = $1 ORDER BY create_at, user_id`, [postId]);
  }

  async forPosts(postIds: string[]): Promise<ReactionRow[]> {
    if (postIds.length === 0) return [];
    return this.db.query<ReactionRow>(`SELECT ${COLUMNS} FROM reactions WHERE post_id = ANY($1) ORDER BY create_at, user_id`, [postIds]);
  }

  async emojiCount(postId: string): Promise<{ distinct: number; hasEmoji: (name: string) => boolean }> {
    const rows = await this.db.query<{ emoji_name: string }>('SELECT DISTINCT emoji_name FROM reactions WHERE post_id = $1', [postId]);
    const names = new Set(rows.map((r) => r.emoji_name));
    return { distinct: names.size, hasEmoji: (name) => names.has(name) };
  }

  /**
   * Saves a reaction (reacting twice is a no-op that keeps the first time) and marks the post as
   * changed, so channel ETags and `since` queries see it.
   */
  async save(reaction: ReactionRow): Promise<ReactionRow> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<ReactionRow>(
        `INSERT INTO reactions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (post_id, user_id, emoji_name) DO UPDATE SET channel_id = EXCLUDED.channel_id
         RETURNING ${COLUMNS}`,
        [reaction.user_id, reaction.post_id, reaction.emoji_name, reaction.channel_id, reaction.create_at],
      );
      await tx.query(`UPDATE posts SET has_reactions = true, update_at = ${NEXT_CHANGE_AT} WHERE id = $1`, [reaction.post_id, reaction.create_at, reaction.channel_id]);
      return rows[0];
    });
  }

  /** Removes a reaction if present; the post keeps has_reactions only while any remain. */
  async delete(postId: string, channelId: string, userId: string, emojiName: string, now: number): Promise<ReactionRow | undefined> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<ReactionRow>(
        `DELETE FROM reactions WHERE post_id = $1 AND user_id = $2 AND emoji_name = $3 RETURNING ${COLUMNS}`,
        [postId, userId, emojiName],
      );
      await tx.query(
        `UPDATE posts SET has_reactions = EXISTS (SELECT 1 FROM reactions WHERE post_id = $1), update_at = ${NEXT_CHANGE_AT} WHERE id = $1`,
        [postId, now, channelId],
      );
      return rows[0];
    });
  }
}
