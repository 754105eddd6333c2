import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The response URLs of custom slash commands (Mattermost's CommandWebhooks table): each run of a
 * command gets one, which the integration may post to later, a few times and for a while (the
 * limits are the service's). Old rows are of no use once expired, hence the index on create_at for
 * clearing them.
 */
export class CommandWebhooks1735200000000 implements MigrationInterface {
  name = 'CommandWebhooks1735200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE command_webhooks (
        id varchar(26) PRIMARY KEY,
        create_at bigint NOT NULL,
        command_id varchar(26) NOT NULL,
        user_id varchar(26) NOT NULL,
        channel_id varchar(26) NOT NULL,
        root_id varchar(26) NOT NULL DEFAULT '',
        use_count integer NOT NULL DEFAULT 0
      );
      CREATE INDEX command_webhooks_create_at ON command_webhooks (create_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS command_webhooks');
  }
}
