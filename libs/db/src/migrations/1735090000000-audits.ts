import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mattermost's Audits table: one row per security-relevant change a user made (a password, roles,
 * sessions revoked, the config, integrations), read back by GET /users/{id}/audits and GET
 * /audits. `action` is the request's path, as Mattermost records it.
 */
export class Audits1735090000000 implements MigrationInterface {
  name = 'Audits1735090000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audits (
        id varchar(26) PRIMARY KEY,
        create_at bigint NOT NULL,
        user_id varchar(26) NOT NULL DEFAULT '',
        action varchar(512) NOT NULL DEFAULT '',
        extra_info varchar(1024) NOT NULL DEFAULT '',
        ip_address varchar(64) NOT NULL DEFAULT '',
        session_id varchar(26) NOT NULL DEFAULT ''
      );
      CREATE INDEX audits_user_id_create_at ON audits (user_id, create_at DESC);
      CREATE INDEX audits_create_at ON audits (create_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS audits');
  }
}
