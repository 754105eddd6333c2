import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Message priority and acknowledgements, as Mattermost's PostsPriority and PostAcknowledgements
 * tables: one priority row per root post that was sent with `metadata.priority`, one
 * acknowledgement per (post, user). Both go with their post when it is deleted for good (channel
 * and team deletion, data retention), through the foreign keys, so no deletion path has to know
 * about them. The channel index serves counting a channel's urgent posts when marking it unread.
 */
export class PostPriority1734400000000 implements MigrationInterface {
  name = 'PostPriority1734400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE posts_priority (
        post_id varchar(26) PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
        channel_id varchar(26) NOT NULL,
        priority varchar(32) NOT NULL,
        requested_ack boolean NOT NULL DEFAULT false,
        persistent_notifications boolean NOT NULL DEFAULT false
      );
      CREATE INDEX posts_priority_channel_id ON posts_priority (channel_id);

      CREATE TABLE post_acknowledgements (
        post_id varchar(26) NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
        user_id varchar(26) NOT NULL,
        channel_id varchar(26) NOT NULL,
        acknowledged_at bigint NOT NULL,
        PRIMARY KEY (post_id, user_id)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS post_acknowledgements, posts_priority');
  }
}
