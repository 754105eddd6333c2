import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import { Session, SESSION_PROP_TYPE, SESSION_TYPE_USER_ACCESS_TOKEN } from '../common/session.js';

const COLUMNS = 'id, token, create_at, expires_at, last_activity_at, user_id, device_id, roles, is_oauth, expired_notify, props';
const SESSION_COLUMNS = COLUMNS.split(', ')
  .map((c) => `s.${c}`)
  .join(', ');

/**
 * What a request's checks need of the session's account besides its roles (the MFA enforcement of
 * auth/mfa-enforcement.ts), read with the session and cached with it, so that no request pays a
 * query for them. The 'user' invalidation drops the cached sessions when any of them changes.
 */
export interface SessionAccount {
  mfa_active: boolean;
  auth_service: string;
  is_bot: boolean;
}

export interface SessionWithAccount {
  session: Session;
  /** Undefined when the user row is gone. */
  account?: SessionAccount;
}

/** A mobile session expiry_notify tells about. */
export interface ExpiredMobileSession {
  id: string;
  user_id: string;
  device_id: string;
  email: string | null;
}

@Injectable()
export class SessionsRepository {
  constructor(private readonly db: Database) {}

  /** `s.token` is the token's hash (hashToken): the table never holds a bearer token. */
  async insert(s: Session): Promise<void> {
    await this.db.query(`INSERT INTO sessions (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`, [
      s.id,
      s.token,
      s.create_at,
      s.expires_at,
      s.last_activity_at,
      s.user_id,
      s.device_id,
      s.roles,
      s.is_oauth,
      s.expired_notify,
      s.props,
    ]);
  }

  /**
   * The session whose token hashes to `tokenHash` (the unique index on token), with its account's
   * flags in the same round trip (README, Layout: a hot-path read may join).
   */
  async byTokenHash(tokenHash: string): Promise<SessionWithAccount | undefined> {
    const rows = await this.db.query<Session & { a_mfa_active: boolean | null; a_auth_service: string | null; a_is_bot: boolean | null }>(
      `SELECT ${SESSION_COLUMNS}, u.mfa_active AS a_mfa_active, u.auth_service AS a_auth_service, u.is_bot AS a_is_bot
       FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE s.token = $1`,
      [tokenHash],
    );
    if (!rows[0]) return undefined;
    const { a_mfa_active, a_auth_service, a_is_bot, ...session } = rows[0];
    const account = a_mfa_active === null ? undefined : { mfa_active: a_mfa_active, auth_service: a_auth_service ?? '', is_bot: a_is_bot ?? false };
    return { session, account };
  }

  async byId(id: string): Promise<Session | undefined> {
    const rows = await this.db.query<Session>(`SELECT ${COLUMNS} FROM sessions WHERE id = $1`, [id]);
    return rows[0];
  }

  async forUser(userId: string): Promise<Session[]> {
    return this.db.query<Session>(`SELECT ${COLUMNS} FROM sessions WHERE user_id = $1 ORDER BY last_activity_at DESC`, [userId]);
  }

  async deleteById(id: string): Promise<Session | undefined> {
    const rows = await this.db.query<Session>(`DELETE FROM sessions WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
    return rows[0];
  }

  async deleteForUser(userId: string): Promise<Session[]> {
    return this.db.query<Session>(`DELETE FROM sessions WHERE user_id = $1 RETURNING ${COLUMNS}`, [userId]);
  }

  /**
   * Deletes a user's sessions except `keepId` ('' keeps none) and those personal access tokens
   * opened: what a password change ends. Returns the ids that went.
   */
  async deleteForUserExcept(userId: string, keepId: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `DELETE FROM sessions WHERE user_id = $1 AND id <> $2 AND (props->>'${SESSION_PROP_TYPE}') IS DISTINCT FROM $3 RETURNING id`,
      [userId, keepId, SESSION_TYPE_USER_ACCESS_TOKEN],
    );
    return rows.map((r) => r.id);
  }

  async deleteByTokenHashes(tokenHashes: string[]): Promise<Pick<Session, 'user_id' | 'id'>[]> {
    if (tokenHashes.length === 0) return [];
    return this.db.query<Pick<Session, 'user_id' | 'id'>>('DELETE FROM sessions WHERE token = ANY($1) RETURNING user_id, id', [tokenHashes]);
  }

  async deleteByTokenProp(tokenId: string): Promise<Session[]> {
    return this.db.query<Session>(`DELETE FROM sessions WHERE props->>'user_access_token_id' = $1 RETURNING ${COLUMNS}`, [tokenId]);
  }

  async deleteAll(): Promise<Session[]> {
    return this.db.query<Session>(`DELETE FROM sessions RETURNING ${COLUMNS}`);
  }

  async touch(id: string, lastActivityAt: number, expiresAt: number): Promise<void> {
    await this.db.query('UPDATE sessions SET last_activity_at = $2, expires_at = $3 WHERE id = $1', [id, lastActivityAt, expiresAt]);
  }

  // ---- mobile devices (the push area) --------------------------------------------------------

  /** AttachDeviceId: the session's device and its new expiry. */
  async attachDevice(id: string, deviceId: string, expiresAt: number): Promise<void> {
    await this.db.query('UPDATE sessions SET device_id = $2, expires_at = $3 WHERE id = $1', [id, deviceId, expiresAt]);
  }

  /** Deletes the user's other sessions registered with this device (RevokeSessionsForDeviceId); the ids that went. */
  async deleteForUserDevice(userId: string, deviceId: string, keepId: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>('DELETE FROM sessions WHERE user_id = $1 AND device_id = $2 AND id <> $3 RETURNING id', [
      userId,
      deviceId,
      keepId,
    ]);
    return rows.map((r) => r.id);
  }

  /** These users' sessions with a device that have not expired at `now` (GetSessionsWithActiveDeviceIds, then IsExpired). */
  async withDevices(userIds: string[], now: number): Promise<Array<Pick<Session, 'id' | 'user_id' | 'device_id'>>> {
    if (userIds.length === 0) return [];
    return this.db.query<Pick<Session, 'id' | 'user_id' | 'device_id'>>(
      `SELECT id, user_id, device_id FROM sessions WHERE user_id = ANY($1) AND device_id <> '' AND (expires_at <= 0 OR expires_at >= $2)`,
      [userIds, now],
    );
  }

  /** Forgets the session's device, if it still has that one (the proxy said the device is gone); whether it did. */
  async clearDevice(id: string, deviceId: string): Promise<boolean> {
    const rows = await this.db.query("UPDATE sessions SET device_id = '' WHERE id = $1 AND device_id = $2 RETURNING id", [id, deviceId]);
    return rows.length > 0;
  }

  async updateRolesForUser(userId: string, roles: string): Promise<void> {
    await this.db.query('UPDATE sessions SET roles = $2 WHERE user_id = $1', [userId, roles]);
  }

  async deleteExpired(now: number): Promise<number> {
    const rows = await this.db.query('DELETE FROM sessions WHERE expires_at > 0 AND expires_at < $1 RETURNING id', [now]);
    return rows.length;
  }

  /** Sessions that expired before a time (0 never expires): cleanup_expired_sessions' total. */
  async countExpiredBefore(cutoff: number): Promise<number> {
    const [{ n }] = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE expires_at > 0 AND expires_at < $1', [cutoff]);
    return n;
  }

  /** Deletes up to `limit` sessions that expired before a time; how many went (fewer than `limit`: the last batch). */
  async deleteExpiredBatch(cutoff: number, limit: number): Promise<number> {
    const rows = await this.db.query(
      'DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at > 0 AND expires_at < $1 LIMIT $2) RETURNING id',
      [cutoff, limit],
    );
    return rows.length;
  }

  /** Deletes the sessions personal access tokens opened, in the caller's transaction (the tokens go in the same one). */
  async deleteForAccessTokens(tx: Queryable, tokenIds: string[]): Promise<Pick<Session, 'user_id' | 'id'>[]> {
    if (tokenIds.length === 0) return [];
    return tx.query<Pick<Session, 'user_id' | 'id'>>(`DELETE FROM sessions WHERE props->>'user_access_token_id' = ANY($1) RETURNING user_id, id`, [tokenIds]);
  }

  /**
   * Marks up to `limit` mobile sessions (a device id) that expired in (from, to] and were not yet
   * notified as notified, and returns them with their owner's email (null for a user that is gone).
   * Marking and reading are one statement, so a session is handed out once (expiry_notify).
   */
  markExpiredMobileNotified(from: number, to: number, limit: number): Promise<ExpiredMobileSession[]> {
    return this.db.query<ExpiredMobileSession>(
      `WITH due AS (
         UPDATE sessions SET expired_notify = true
          WHERE id IN (SELECT id FROM sessions
                        WHERE device_id <> '' AND NOT expired_notify AND expires_at > $1 AND expires_at <= $2
                        LIMIT $3)
          RETURNING id, user_id, device_id)
       SELECT due.id, due.user_id, due.device_id, u.email FROM due LEFT JOIN users u ON u.id = due.user_id`,
      [from, to, limit],
    );
  }
}
