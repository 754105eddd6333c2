import { Injectable } from '@nestjs/common';
import { Database } from '#db';

/** Expired rows are swept at most this often per node, by whichever login comes along. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The login_attempts table: tries of one login id from one client address, counted in the
 * database so that all nodes of a cluster see the same count, and so that a login id with no
 * account counts (and locks) exactly as one with an account does.
 */
@Injectable()
export class LoginAttemptsRepository {
  private lastSweep = 0;

  constructor(private readonly db: Database) {}

  /**
   * Counts one more try and returns how many the pair has made, this one included. Tries are
   * forgotten `lockoutMs` after the last that counted towards the limit: once a pair has made
   * `max` tries its clock stops, so further tries while locked neither count nor prolong the lock.
   * One statement, so concurrent tries each get their own number.
   */
  async count(loginId: string, address: string, opts: { now: number; lockoutMs: number; max: number }): Promise<number> {
    const expired = opts.now - opts.lockoutMs;
    await this.sweep(opts.now, expired);
    const rows = await this.db.query<{ attempts: number }>(
      `INSERT INTO login_attempts AS a (login_id, address, attempts, updated_at) VALUES ($1, $2, 1, $3)
       ON CONFLICT (login_id, address) DO UPDATE SET
         attempts = CASE WHEN a.updated_at <= $4 THEN 1 ELSE a.attempts + 1 END,
         updated_at = CASE WHEN a.updated_at <= $4 OR a.attempts < $5 THEN $3 ELSE a.updated_at END
       RETURNING attempts`,
      [loginId, address, opts.now, expired, opts.max],
    );
    return rows[0].attempts;
  }

  /** Takes back a try that never reached the password check (refused by another limit). */
  async uncount(loginId: string, address: string): Promise<void> {
    await this.db.query('UPDATE login_attempts SET attempts = attempts - 1 WHERE login_id = $1 AND address = $2 AND attempts > 0', [loginId, address]);
  }

  /** A successful login clears the pair's count. */
  async forget(loginId: string, address: string): Promise<void> {
    await this.db.query('DELETE FROM login_attempts WHERE login_id = $1 AND address = $2', [loginId, address]);
  }

  /** Drops expired rows (anyone can add rows with made-up login ids, so they must not pile up). */
  private async sweep(now: number, expired: number): Promise<void> {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    await this.db.query('DELETE FROM login_attempts WHERE updated_at <= $1', [expired]);
  }
}
