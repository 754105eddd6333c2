import { Injectable } from '@nestjs/common';
import { Database } from '#db';

/** Expired rows are swept at most this often per node, by whichever write comes along. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The sso_flows and used_once tables: sign-in state that must outlive the request that made it and
 * be seen by every node (README, "Sign-in"). Nothing of a sign-in lives in one node's memory, so
 * the redirect to the provider and the callback may land on different nodes.
 */
@Injectable()
export class SsoFlowsRepository {
  private lastSweep = 0;

  constructor(private readonly db: Database) {}

  /** Keeps a flow's data under `id` (a random, unguessable value: the OIDC state, the SAML request id) until `expiresAt`. */
  async put(kind: string, id: string, data: object, expiresAt: number): Promise<void> {
    await this.sweep();
    await this.db.query('INSERT INTO sso_flows (id, kind, data, expires_at) VALUES ($1, $2, $3, $4)', [id, kind, data, expiresAt]);
  }

  /**
   * Takes a flow: returns its data and deletes it in one statement, so a flow completes at most
   * once whichever nodes its callbacks reach. An unknown, expired or other-kind id gives undefined.
   */
  async take<T>(kind: string, id: string): Promise<T | undefined> {
    const rows = await this.db.query<{ data: T }>('DELETE FROM sso_flows WHERE id = $1 AND kind = $2 AND expires_at > $3 RETURNING data', [
      id,
      kind,
      Date.now(),
    ]);
    return rows[0]?.data;
  }

  /**
   * Marks `key` used until `expiresAt`; true for the first use cluster-wide, false when it was
   * used before (a replayed assertion, a reused MFA code).
   */
  async useOnce(key: string, expiresAt: number): Promise<boolean> {
    await this.sweep();
    const rows = await this.db.query(
      `INSERT INTO used_once (key, expires_at) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE used_once.expires_at <= $3
       RETURNING key`,
      [key, expiresAt, Date.now()],
    );
    return rows.length === 1;
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    await this.db.query('DELETE FROM sso_flows WHERE expires_at <= $1', [now]);
    await this.db.query('DELETE FROM used_once WHERE expires_at <= $1', [now]);
  }
}
