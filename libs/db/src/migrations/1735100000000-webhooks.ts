import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incoming and outgoing webhooks (Mattermost's IncomingWebhooks and OutgoingWebhooks tables).
 * Lists read a team's live hooks (the outgoing ones on every post in a public channel), a
 * creator's own, and a channel's when it is archived, hence the indexes. Trigger words and
 * callback URLs are JSON arrays of strings.
 */
export class Webhooks1735100000000 implements MigrationInterface {
  name = 'Webhooks1735100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE incoming_webhooks (
        id varchar(26) PRIMARY KEY,
        create_at bigint NOT NULL,
        update_at bigint NOT NULL,
        delete_at bigint NOT NULL DEFAULT 0,
        user_id varchar(26) NOT NULL,
        channel_id varchar(26) NOT NULL,
        team_id varchar(26) NOT NULL,
        display_name varchar(64) NOT NULL DEFAULT '',
        description varchar(500) NOT NULL DEFAULT '',
        username varchar(255) NOT NULL DEFAULT '',
        icon_url varchar(1024) NOT NULL DEFAULT '',
        channel_locked boolean NOT NULL DEFAULT false
      );
      CREATE INDEX incoming_webhooks_team_live ON incoming_webhooks (team_id, create_at) WHERE delete_at = 0;
      CREATE INDEX incoming_webhooks_user_live ON incoming_webhooks (user_id) WHERE delete_at = 0;
      CREATE INDEX incoming_webhooks_channel_live ON incoming_webhooks (channel_id) WHERE delete_at = 0;

      CREATE TABLE outgoing_webhooks (
        id varchar(26) PRIMARY KEY,
        token varchar(26) NOT NULL,
        create_at bigint NOT NULL,
        update_at bigint NOT NULL,
        delete_at bigint NOT NULL DEFAULT 0,
        creator_id varchar(26) NOT NULL,
        channel_id varchar(26) NOT NULL DEFAULT '',
        team_id varchar(26) NOT NULL,
        trigger_words jsonb NOT NULL DEFAULT '[]',
        trigger_when integer NOT NULL DEFAULT 0,
        callback_urls jsonb NOT NULL DEFAULT '[]',
        display_name varchar(64) NOT NULL DEFAULT '',
        description varchar(500) NOT NULL DEFAULT '',
        content_type varchar(128) NOT NULL DEFAULT '',
        username varchar(64) NOT NULL DEFAULT '',
        icon_url varchar(1024) NOT NULL DEFAULT ''
      );
      CREATE INDEX outgoing_webhooks_team_live ON outgoing_webhooks (team_id, create_at) WHERE delete_at = 0;
      CREATE INDEX outgoing_webhooks_creator_live ON outgoing_webhooks (creator_id) WHERE delete_at = 0;
      CREATE INDEX outgoing_webhooks_channel_live ON outgoing_webhooks (channel_id) WHERE delete_at = 0;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS outgoing_webhooks');
    await q.query('DROP TABLE IF EXISTS incoming_webhooks');
  }
}
