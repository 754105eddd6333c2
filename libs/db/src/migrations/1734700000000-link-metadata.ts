import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a link posted in a message points at (Mattermost's LinkMetadata store): one row per URL and
 * hour (the post's create_at floored to the hour), keyed by Mattermost's FNV hash of the two, with
 * its OpenGraph data, image dimensions, or nothing. In the database so every node of a cluster
 * answers the same preview without fetching the page again; rows are written once and never change.
 */
export class LinkMetadata1734700000000 implements MigrationInterface {
  name = 'LinkMetadata1734700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE link_metadata (
        hash bigint PRIMARY KEY,
        url text NOT NULL,
        "timestamp" bigint NOT NULL,
        type varchar(16) NOT NULL,
        data jsonb
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS link_metadata');
  }
}
