import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The index that channel pages and their cursors walk: a channel's live posts in the exact order
 * they are listed (create_at, then id). The old (channel_id, create_at DESC) index lacked the
 * tie-breaker and the delete_at filter, so whenever the planner underestimated a channel (no or
 * stale statistics, e.g. right after a burst of posts) it fetched and sorted the whole channel,
 * thread counters joined, to return 60 rows. It replaces that index: every query that used it
 * also reads live posts only, or has the update_at index for the channel.
 */
export class PostsChannelPageIndex1732900000000 implements MigrationInterface {
  name = 'PostsChannelPageIndex1732900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX posts_channel_live_create_at_id ON posts (channel_id, create_at DESC, id DESC) WHERE delete_at = 0;
      DROP INDEX posts_channel_create_at;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX posts_channel_create_at ON posts (channel_id, create_at DESC);
      DROP INDEX IF EXISTS posts_channel_live_create_at_id;
    `);
  }
}
