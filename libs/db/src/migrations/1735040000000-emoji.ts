import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom emoji (Mattermost's Emoji table). A name belongs to one live emoji at a time: deleting
 * one sets delete_at and frees its name for a new emoji, hence the unique index over live rows
 * only. The image itself lives in the file store at emoji/<id>/image.
 */
export class Emoji1735040000000 implements MigrationInterface {
  name = 'Emoji1735040000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE emoji (
        id varchar(26) PRIMARY KEY,
        create_at bigint NOT NULL,
        update_at bigint NOT NULL,
        delete_at bigint NOT NULL DEFAULT 0,
        creator_id varchar(26) NOT NULL,
        name varchar(64) NOT NULL
      );
      CREATE UNIQUE INDEX emoji_name_live ON emoji (name) WHERE delete_at = 0;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS emoji');
  }
}
