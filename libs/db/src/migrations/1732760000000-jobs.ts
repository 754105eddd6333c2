import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mattermost's Jobs table, plus what running them on many nodes needs: who holds a job
 * (claim_id, node_id), how often it was claimed (attempts), and the slot of a scheduled run
 * (schedule_key, unique: one job per schedule slot however many nodes create it). Also personal
 * access token expiry (UserAccessTokens.ExpiresAt), the post index that retention deletes by, and
 * the preference index the export looks flags and favourites up by.
 */
export class Jobs1732760000000 implements MigrationInterface {
  name = 'Jobs1732760000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE jobs (
        id varchar(26) PRIMARY KEY,
        type varchar(64) NOT NULL,
        priority bigint NOT NULL DEFAULT 0,
        create_at bigint NOT NULL,
        start_at bigint NOT NULL DEFAULT 0,
        last_activity_at bigint NOT NULL DEFAULT 0,
        status varchar(32) NOT NULL,
        progress bigint NOT NULL DEFAULT 0,
        data jsonb NOT NULL DEFAULT '{}',
        attempts integer NOT NULL DEFAULT 0,
        claim_id varchar(26),
        node_id varchar(128) NOT NULL DEFAULT '',
        schedule_key varchar(128) UNIQUE
      );
      CREATE INDEX jobs_type_create_at ON jobs (type, create_at DESC);
      CREATE INDEX jobs_unfinished ON jobs (status) WHERE status IN ('pending', 'in_progress', 'cancel_requested');

      ALTER TABLE user_access_tokens ADD COLUMN expires_at bigint NOT NULL DEFAULT 0;
      CREATE INDEX user_access_tokens_expires_at ON user_access_tokens (expires_at) WHERE expires_at > 0;

      CREATE INDEX posts_create_at ON posts (create_at);
      CREATE INDEX preferences_category_name ON preferences (category, name);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX IF EXISTS preferences_category_name;
      DROP INDEX IF EXISTS posts_create_at;
      ALTER TABLE user_access_tokens DROP COLUMN IF EXISTS expires_at;
      DROP TABLE IF EXISTS jobs;
    `);
  }
}
