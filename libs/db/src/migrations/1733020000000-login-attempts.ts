import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed login attempts per (login id, client address), for the lockout. In the database, not in a
 * node's memory, so every node of a cluster counts the same tries; keyed by the login id as typed
 * (not the user) so an unknown id counts and locks exactly as a real one does. The updated_at
 * index serves the sweep of expired rows.
 */
export class LoginAttempts1733020000000 implements MigrationInterface {
  name = 'LoginAttempts1733020000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE login_attempts (
        login_id text NOT NULL,
        address text NOT NULL,
        attempts integer NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (login_id, address)
      );
      CREATE INDEX login_attempts_updated_at ON login_attempts (updated_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS login_attempts');
  }
}
