import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mail: Mattermost's Tokens table (password recovery, email verification and team invitation
 * links) and the pending notification mails of email batching.
 *
 * tokens keeps the SHA-256 (hex) of each token, as sessions and access tokens do: the token is a
 * bearer secret mailed to one person, and a leaked row must not open the link. user_id (ours)
 * makes "the user's previous recovery tokens" one indexed delete instead of Mattermost's scan of
 * every token of the type.
 *
 * notification_email_batch holds one row per notification waiting for the user's digest (the
 * rendered parts in `data`); the batching job claims a user's due rows with DELETE … RETURNING,
 * so that two runs on two nodes never send the same notification.
 */
export class Email1735400000000 implements MigrationInterface {
  name = 'Email1735400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tokens (
        token varchar(64) PRIMARY KEY,
        create_at bigint NOT NULL,
        type varchar(64) NOT NULL,
        extra text NOT NULL DEFAULT '',
        user_id varchar(26) NOT NULL DEFAULT ''
      );
      CREATE INDEX tokens_type_user ON tokens (type, user_id);
      CREATE INDEX tokens_create_at ON tokens (create_at);

      CREATE TABLE notification_email_batch (
        id varchar(26) PRIMARY KEY,
        user_id varchar(26) NOT NULL,
        channel_id varchar(26) NOT NULL,
        post_id varchar(26) NOT NULL,
        post_create_at bigint NOT NULL,
        create_at bigint NOT NULL,
        data jsonb NOT NULL
      );
      CREATE INDEX notification_email_batch_user ON notification_email_batch (user_id, post_create_at);
      CREATE INDEX notification_email_batch_create_at ON notification_email_batch (create_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS notification_email_batch; DROP TABLE IF EXISTS tokens;');
  }
}
