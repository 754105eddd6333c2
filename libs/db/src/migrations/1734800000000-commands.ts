import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom slash commands of a team (Mattermost's Commands table). Built-in commands are code, not
 * rows; the rows are what GET /commands lists and what the integrations work will create. Lists
 * read a team's live commands, hence the index on (team_id) of rows not deleted.
 */
export class Commands1734800000000 implements MigrationInterface {
  name = 'Commands1734800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE commands (
        id varchar(26) PRIMARY KEY,
        token varchar(26) NOT NULL,
        create_at bigint NOT NULL,
        update_at bigint NOT NULL,
        delete_at bigint NOT NULL DEFAULT 0,
        creator_id varchar(26) NOT NULL DEFAULT '',
        team_id varchar(26) NOT NULL,
        trigger varchar(128) NOT NULL,
        method varchar(1) NOT NULL DEFAULT 'P',
        username varchar(64) NOT NULL DEFAULT '',
        icon_url varchar(1024) NOT NULL DEFAULT '',
        auto_complete boolean NOT NULL DEFAULT false,
        auto_complete_desc varchar(1024) NOT NULL DEFAULT '',
        auto_complete_hint varchar(1024) NOT NULL DEFAULT '',
        display_name varchar(64) NOT NULL DEFAULT '',
        description varchar(128) NOT NULL DEFAULT '',
        url varchar(1024) NOT NULL DEFAULT '',
        plugin_id varchar(190) NOT NULL DEFAULT ''
      );
      CREATE INDEX commands_team_id_live ON commands (team_id) WHERE delete_at = 0;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS commands');
  }
}
