import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sidebar categories in Mattermost's shape (SidebarCategories / SidebarChannels): per user and
 * team, the default Favorites, Channels and Direct Messages categories (with deterministic ids
 * `<type>_<user>_<team>`, so creating them twice is a no-op) and custom ones, and the channels a
 * user placed in them. A channel with no sidebar_channels row for the user's team is shown in
 * Channels or Direct Messages when read, so joining a channel writes nothing here. The primary
 * key's (channel_id, user_id) prefix serves that "is it placed anywhere?" lookup.
 */
export class SidebarCategories1734200000000 implements MigrationInterface {
  name = 'SidebarCategories1734200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sidebar_categories (
        id varchar(128) PRIMARY KEY,
        user_id varchar(26) NOT NULL,
        team_id varchar(26) NOT NULL,
        sort_order bigint NOT NULL DEFAULT 0,
        sorting varchar(64) NOT NULL DEFAULT '',
        type varchar(64) NOT NULL,
        display_name varchar(64) NOT NULL DEFAULT '',
        muted boolean NOT NULL DEFAULT false,
        collapsed boolean NOT NULL DEFAULT false
      );
      CREATE INDEX sidebar_categories_user_team ON sidebar_categories (user_id, team_id, sort_order);

      CREATE TABLE sidebar_channels (
        channel_id varchar(26) NOT NULL,
        user_id varchar(26) NOT NULL,
        category_id varchar(128) NOT NULL,
        sort_order bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (channel_id, user_id, category_id)
      );
      CREATE INDEX sidebar_channels_category ON sidebar_channels (category_id, sort_order);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS sidebar_channels, sidebar_categories');
  }
}
