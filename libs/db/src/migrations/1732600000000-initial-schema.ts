import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The core chat schema. Column names are the wire names (snake_case), so rows map to
 * Mattermost's JSON without renaming. Times are bigint milliseconds since the epoch.
 */
export class InitialSchema1732600000000 implements MigrationInterface {
  name = 'InitialSchema1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE systems (name varchar(64) PRIMARY KEY, value text NOT NULL);

      CREATE TABLE users (
        id varchar(26) PRIMARY KEY,
        create_at bigint NOT NULL,
        update_at bigint NOT NULL,
        delete_at bigint NOT NULL DEFAULT 0,
        username varchar(64) NOT NULL UNIQUE,
        password varchar(128) NOT NULL DEFAULT '',
        auth_data varchar(128),
        auth_service varchar(32) NOT NULL DEFAULT '',
        email varchar(128) NOT NULL UNIQUE,
        email_verified boolean NOT NULL DEFAULT false,
        nickname varchar(64) NOT NULL DEFAULT '',
        first_name varchar(64) NOT NULL DEFAULT '',
        last_name varchar(64) NOT NULL DEFAULT '',
        position varchar(128) NOT NULL DEFAULT '',
        roles varchar(256) NOT NULL DEFAULT '',
        locale varchar(5) NOT NULL DEFAULT 'en',
        notify_props jsonb NOT NULL DEFAULT '{}',
        props jsonb NOT NULL DEFAULT '{}',
        timezone jsonb NOT NULL DEFAULT '{}',
        last_password_update bigint NOT NULL DEFAULT 0,
        last_picture_update bigint NOT NULL DEFAULT 0,
        failed_attempts integer NOT NULL DEFAULT 0,
        mfa_active boolean NOT NULL DEFAULT false,
        is_bot boolean NOT NULL DEFAULT false
      );
      CREATE INDEX users_lower_username ON users (lower(username));
      CREATE INDEX users_lower_email ON users (lower(email));

      CREATE TABLE sessions (
        id varchar(26) PRIMARY KEY,
        token varchar(26) NOT NULL UNIQUE,
        create_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        last_activity_at bigint NOT NULL,
        user_id varchar(26) NOT NULL,
        device_id varchar(512) NOT NULL DEFAULT '',
        roles varchar(256) NOT NULL DEFAULT '',
        is_oauth boolean NOT NULL DEFAULT false,
        expired_notify boolean NOT NULL DEFAULT false,
        props jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX sessions_user_id ON sessions (user_id);
      CREATE INDEX sessions_expires_at ON sessions (expires_at);

      CREATE TABLE user_access_tokens (
        id varchar(26) PRIMARY KEY,
        token varchar(26) NOT NULL UNIQUE,
        user_id varchar(26) NOT NULL,
        description varchar(512) NOT NULL DEFAULT '',
        is_active boolean NOT NULL DEFAULT true
      );
      CREATE INDEX user_access_tokens_user_id ON user_access_tokens (user_id);

      CREATE TABLE teams (
        id varchar(26) PRIMARY KEY,
        create_at bigint NOT NULL,
        update_at bigint NOT NULL,
        delete_at bigint NOT NULL DEFAULT 0,
        display_name varchar(64) NOT NULL,
        name varchar(64) NOT NULL UNIQUE,
        description varchar(255) NOT NULL DEFAULT '',
        email varchar(128) NOT NULL DEFAULT '',
        type varchar(1) NOT NULL,
        company_name varchar(64) NOT NULL DEFAULT '',
        allowed_domains text NOT NULL DEFAULT '',
        invite_id varchar(32) NOT NULL,
        allow_open_invite boolean NOT NULL DEFAULT false,
        last_team_icon_update bigint NOT NULL DEFAULT 0,
        scheme_id varchar(26),
        group_constrained boolean NOT NULL DEFAULT false
      );
      CREATE INDEX teams_invite_id ON teams (invite_id);

      CREATE TABLE team_members (
        team_id varchar(26) NOT NULL,
        user_id varchar(26) NOT NULL,
        roles varchar(256) NOT NULL DEFAULT '',
        delete_at bigint NOT NULL DEFAULT 0,
        scheme_guest boolean NOT NULL DEFAULT false,
        scheme_user boolean NOT NULL DEFAULT true,
        scheme_admin boolean NOT NULL DEFAULT false,
        create_at bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (team_id, user_id)
      );
      CREATE INDEX team_members_user_id ON team_members (user_id);

      CREATE TABLE channels (
        id varchar(26) PRIMARY KEY,
        create_at bigint NOT NULL,
        update_at bigint NOT NULL,
        delete_at bigint NOT NULL DEFAULT 0,
        team_id varchar(26) NOT NULL DEFAULT '',
        type varchar(1) NOT NULL,
        display_name varchar(64) NOT NULL DEFAULT '',
        name varchar(64) NOT NULL,
        header varchar(1024) NOT NULL DEFAULT '',
        purpose varchar(250) NOT NULL DEFAULT '',
        last_post_at bigint NOT NULL DEFAULT 0,
        last_root_post_at bigint NOT NULL DEFAULT 0,
        total_msg_count bigint NOT NULL DEFAULT 0,
        total_msg_count_root bigint NOT NULL DEFAULT 0,
        extra_update_at bigint NOT NULL DEFAULT 0,
        creator_id varchar(26) NOT NULL DEFAULT '',
        scheme_id varchar(26),
        group_constrained boolean,
        UNIQUE (name, team_id)
      );
      CREATE INDEX channels_team_id ON channels (team_id);

      CREATE TABLE channel_members (
        channel_id varchar(26) NOT NULL,
        user_id varchar(26) NOT NULL,
        roles varchar(256) NOT NULL DEFAULT '',
        last_viewed_at bigint NOT NULL DEFAULT 0,
        msg_count bigint NOT NULL DEFAULT 0,
        mention_count bigint NOT NULL DEFAULT 0,
        mention_count_root bigint NOT NULL DEFAULT 0,
        urgent_mention_count bigint NOT NULL DEFAULT 0,
        msg_count_root bigint NOT NULL DEFAULT 0,
        notify_props jsonb NOT NULL DEFAULT '{}',
        last_update_at bigint NOT NULL DEFAULT 0,
        scheme_guest boolean NOT NULL DEFAULT false,
        scheme_user boolean NOT NULL DEFAULT true,
        scheme_admin boolean NOT NULL DEFAULT false,
        PRIMARY KEY (channel_id, user_id)
      );
      CREATE INDEX channel_members_user_id ON channel_members (user_id);

      CREATE TABLE posts (
        id varchar(26) PRIMARY KEY,
        create_at bigint NOT NULL,
        update_at bigint NOT NULL,
        edit_at bigint NOT NULL DEFAULT 0,
        delete_at bigint NOT NULL DEFAULT 0,
        is_pinned boolean NOT NULL DEFAULT false,
        user_id varchar(26) NOT NULL,
        channel_id varchar(26) NOT NULL,
        root_id varchar(26) NOT NULL DEFAULT '',
        original_id varchar(26) NOT NULL DEFAULT '',
        message varchar(65535) NOT NULL DEFAULT '',
        type varchar(26) NOT NULL DEFAULT '',
        props jsonb NOT NULL DEFAULT '{}',
        hashtags varchar(1000) NOT NULL DEFAULT '',
        file_ids jsonb NOT NULL DEFAULT '[]',
        has_reactions boolean NOT NULL DEFAULT false,
        search_vector tsvector GENERATED ALWAYS AS (
          to_tsvector('english', message) || to_tsvector('simple', replace(hashtags, '#', ''))
        ) STORED
      );
      CREATE INDEX posts_channel_create_at ON posts (channel_id, create_at DESC);
      CREATE INDEX posts_channel_update_at ON posts (channel_id, update_at);
      CREATE INDEX posts_root_id ON posts (root_id) WHERE root_id <> '';
      CREATE INDEX posts_search_vector ON posts USING gin (search_vector);

      CREATE TABLE threads (
        post_id varchar(26) PRIMARY KEY,
        channel_id varchar(26) NOT NULL,
        reply_count bigint NOT NULL DEFAULT 0,
        last_reply_at bigint NOT NULL DEFAULT 0,
        participants jsonb NOT NULL DEFAULT '[]'
      );

      CREATE TABLE reactions (
        user_id varchar(26) NOT NULL,
        post_id varchar(26) NOT NULL,
        emoji_name varchar(64) NOT NULL,
        channel_id varchar(26) NOT NULL DEFAULT '',
        create_at bigint NOT NULL,
        PRIMARY KEY (post_id, user_id, emoji_name)
      );

      CREATE TABLE preferences (
        user_id varchar(26) NOT NULL,
        category varchar(32) NOT NULL,
        name varchar(32) NOT NULL,
        value varchar(2000) NOT NULL DEFAULT '',
        PRIMARY KEY (user_id, category, name)
      );

      CREATE TABLE status (
        user_id varchar(26) PRIMARY KEY,
        status varchar(32) NOT NULL,
        manual boolean NOT NULL DEFAULT false,
        last_activity_at bigint NOT NULL DEFAULT 0,
        dnd_end_time bigint NOT NULL DEFAULT 0,
        prev_status varchar(32) NOT NULL DEFAULT ''
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS status, preferences, reactions, threads, posts, channel_members, channels,
      team_members, teams, user_access_tokens, sessions, users, systems`);
  }
}
