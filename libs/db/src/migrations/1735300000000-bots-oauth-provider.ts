import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bots and the OAuth 2.0 service provider (Mattermost's Bots, OAuthApps, OAuthAccessData and
 * OAuthAuthData tables).
 *
 * A bot is a users row with `is_bot` plus its row here: the user holds the username and display
 * name (first_name), this row the description and the owner (a user id, or a plugin's id, hence
 * the width). `delete_at` follows the user's (disabling a bot deactivates its user).
 *
 * OAuth: an app's client secret is kept as Mattermost keeps it (its creator and system admins read
 * it back); the bearer parts of a grant are not. `oauth_access_data.token` is the SHA-256 of the
 * access token, the same digest the sessions table keeps (so an app's sessions are found by a
 * join), `refresh_token` the SHA-256 of the refresh token, and `oauth_auth_data.code` the SHA-256
 * of the authorization code: a database dump alone opens no session and redeems no code.
 * The apps a user has authorised are preferences (category `oauth_app`, name the client id), as in
 * Mattermost.
 */
export class BotsOAuthProvider1735300000000 implements MigrationInterface {
  name = 'BotsOAuthProvider1735300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE bots (
        user_id varchar(26) PRIMARY KEY,
        description text NOT NULL DEFAULT '',
        owner_id varchar(190) NOT NULL,
        last_icon_update bigint NOT NULL DEFAULT 0,
        create_at bigint NOT NULL,
        update_at bigint NOT NULL,
        delete_at bigint NOT NULL DEFAULT 0
      );
      CREATE INDEX bots_owner_id ON bots (owner_id);

      CREATE TABLE oauth_apps (
        id varchar(26) PRIMARY KEY,
        creator_id varchar(26) NOT NULL,
        create_at bigint NOT NULL,
        update_at bigint NOT NULL,
        client_secret varchar(128) NOT NULL,
        name varchar(64) NOT NULL,
        description text NOT NULL DEFAULT '',
        icon_url text NOT NULL DEFAULT '',
        callback_urls text[] NOT NULL DEFAULT '{}',
        homepage text NOT NULL DEFAULT '',
        is_trusted boolean NOT NULL DEFAULT false,
        mattermost_app_id varchar(32) NOT NULL DEFAULT ''
      );
      CREATE INDEX oauth_apps_creator_id ON oauth_apps (creator_id);

      CREATE TABLE oauth_access_data (
        token varchar(64) PRIMARY KEY,
        refresh_token varchar(64) NOT NULL,
        client_id varchar(26) NOT NULL,
        user_id varchar(26) NOT NULL,
        redirect_uri text NOT NULL,
        expires_at bigint NOT NULL,
        scope varchar(128) NOT NULL DEFAULT 'user'
      );
      CREATE INDEX oauth_access_data_client_user ON oauth_access_data (client_id, user_id);
      CREATE INDEX oauth_access_data_user ON oauth_access_data (user_id);
      CREATE UNIQUE INDEX oauth_access_data_refresh_token ON oauth_access_data (refresh_token) WHERE refresh_token <> '';

      CREATE TABLE oauth_auth_data (
        code varchar(64) PRIMARY KEY,
        client_id varchar(26) NOT NULL,
        user_id varchar(26) NOT NULL,
        expires_in integer NOT NULL,
        create_at bigint NOT NULL,
        redirect_uri text NOT NULL,
        state varchar(1024) NOT NULL DEFAULT '',
        scope varchar(128) NOT NULL DEFAULT 'user',
        code_challenge varchar(128) NOT NULL DEFAULT '',
        code_challenge_method varchar(16) NOT NULL DEFAULT ''
      );
      CREATE INDEX oauth_auth_data_client_user ON oauth_auth_data (client_id, user_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS oauth_auth_data; DROP TABLE IF EXISTS oauth_access_data; DROP TABLE IF EXISTS oauth_apps; DROP TABLE IF EXISTS bots');
  }
}
