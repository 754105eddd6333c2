import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What SSO, LDAP and MFA sign-ins keep between requests, in the database so that every step of a
 * sign-in may land on another node:
 * - `sso_flows`: a sign-in under way (OIDC state with its nonce and PKCE verifier, a SAML
 *   AuthnRequest id with its RelayState), taken exactly once by the callback;
 * - `used_once`: keys that may be used only once cluster-wide until they expire (SAML assertion
 *   ids, MFA codes), inserted with ON CONFLICT DO NOTHING so that exactly one node wins;
 * - `config_files`: certificates and keys uploaded through the API (Mattermost's config store
 *   files, e.g. SAML's), read by every node;
 * - `users.mfa_secret`, and one account per (auth_service, auth_data) as Mattermost's unique AuthData.
 */
export class SignIn1734900000000 implements MigrationInterface {
  name = 'SignIn1734900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sso_flows (
        id varchar(128) PRIMARY KEY,
        kind varchar(32) NOT NULL,
        data jsonb NOT NULL,
        expires_at bigint NOT NULL
      );
      CREATE INDEX sso_flows_expires_at ON sso_flows (expires_at);

      CREATE TABLE used_once (
        key varchar(512) PRIMARY KEY,
        expires_at bigint NOT NULL
      );
      CREATE INDEX used_once_expires_at ON used_once (expires_at);

      CREATE TABLE config_files (
        name varchar(256) PRIMARY KEY,
        data bytea NOT NULL,
        create_at bigint NOT NULL,
        update_at bigint NOT NULL
      );

      ALTER TABLE users ADD COLUMN mfa_secret varchar(128) NOT NULL DEFAULT '';
      CREATE UNIQUE INDEX users_auth ON users (auth_service, auth_data) WHERE auth_data IS NOT NULL AND auth_data <> '';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX users_auth;
      ALTER TABLE users DROP COLUMN mfa_secret;
      DROP TABLE config_files;
      DROP TABLE used_once;
      DROP TABLE sso_flows;
    `);
  }
}
