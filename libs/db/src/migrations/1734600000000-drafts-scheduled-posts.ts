import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mattermost's Drafts and ScheduledPosts tables.
 *
 * drafts: one row per (user, channel, thread root), as Mattermost keys them; delete_at is kept for
 * the wire (Mattermost deprecated it and now deletes rows outright). The user_id index serves the
 * per-team list.
 *
 * scheduled_posts: claimed_at is ours and never leaves the server: the job sets it with a
 * compare-and-set (0 → now) before it sends a row, so a row is sent at most once however many
 * nodes or retried jobs look at it. The partial index holds only rows still waiting to be sent.
 */
export class DraftsScheduledPosts1734600000000 implements MigrationInterface {
  name = 'DraftsScheduledPosts1734600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE drafts (
        user_id varchar(26) NOT NULL,
        channel_id varchar(26) NOT NULL,
        root_id varchar(26) NOT NULL DEFAULT '',
        create_at bigint NOT NULL,
        update_at bigint NOT NULL,
        delete_at bigint NOT NULL DEFAULT 0,
        message varchar(65535) NOT NULL DEFAULT '',
        props jsonb NOT NULL DEFAULT '{}',
        file_ids jsonb NOT NULL DEFAULT '[]',
        priority jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (user_id, channel_id, root_id)
      );
      CREATE INDEX drafts_channel_root ON drafts (channel_id, root_id);

      CREATE TABLE scheduled_posts (
        id varchar(26) PRIMARY KEY,
        create_at bigint NOT NULL,
        update_at bigint NOT NULL,
        user_id varchar(26) NOT NULL,
        channel_id varchar(26) NOT NULL,
        root_id varchar(26) NOT NULL DEFAULT '',
        message varchar(65535) NOT NULL DEFAULT '',
        props jsonb NOT NULL DEFAULT '{}',
        file_ids jsonb NOT NULL DEFAULT '[]',
        priority jsonb NOT NULL DEFAULT '{}',
        scheduled_at bigint NOT NULL,
        processed_at bigint NOT NULL DEFAULT 0,
        error_code varchar(200) NOT NULL DEFAULT '',
        claimed_at bigint NOT NULL DEFAULT 0
      );
      CREATE INDEX scheduled_posts_user_id ON scheduled_posts (user_id, scheduled_at);
      CREATE INDEX scheduled_posts_due ON scheduled_posts (scheduled_at, id) WHERE error_code = '' AND claimed_at = 0;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS scheduled_posts; DROP TABLE IF EXISTS drafts;');
  }
}
