import { MigrationInterface, QueryRunner } from 'typeorm';

/** Cluster discovery (as Mattermost's ClusterDiscovery table) and database-stored config. */
export class Cluster1732700000000 implements MigrationInterface {
  name = 'Cluster1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cluster_discovery (
        id varchar(26) PRIMARY KEY,
        type varchar(64) NOT NULL DEFAULT 'mattermost_app',
        cluster_name varchar(64) NOT NULL,
        hostname varchar(512) NOT NULL,
        gossip_port integer NOT NULL,
        streaming_port integer NOT NULL,
        version varchar(64) NOT NULL DEFAULT '',
        create_at bigint NOT NULL,
        last_ping_at bigint NOT NULL
      );
      CREATE INDEX cluster_discovery_name ON cluster_discovery (type, cluster_name);

      -- One row per saved config; the active one is the newest (as Mattermost's Configurations).
      CREATE TABLE configurations (
        id varchar(26) PRIMARY KEY,
        value text NOT NULL,
        create_at bigint NOT NULL,
        active boolean NOT NULL DEFAULT true,
        sha varchar(64) NOT NULL
      );
      CREATE UNIQUE INDEX configurations_one_active ON configurations (active) WHERE active;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS configurations, cluster_discovery');
  }
}
