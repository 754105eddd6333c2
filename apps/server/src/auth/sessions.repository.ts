import { Injectable } from '@nestjs/common';
import { Database } from '#db';
import { Session } from '../common/session.js';

const COLUMNS = 'id, token, create_at, expires_at, last_activity_at, user_id, device_id, roles, is_oauth, expired_notify, props';

@Injectable()
export class SessionsRepository {
  constructor(private readonly db: Database) {}

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

  async byToken(token: string): Promise<Session | undefined> {
    const rows = await this.db.query<Session>(`SELECT ${COLUMNS} FROM sessions WHERE token = $1`, [token]);
    return rows[0];
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

  async deleteByTokenProp(tokenId: string): Promise<Session[]> {
    return this.db.query<Session>(`DELETE FROM sessions WHERE props->>'user_access_token_id' = $1 RETURNING ${COLUMNS}`, [tokenId]);
  }

  async deleteAll(): Promise<Session[]> {
    return this.db.query<Session>(`DELETE FROM sessions RETURNING ${COLUMNS}`);
  }

  async touch(id: string, lastActivityAt: number, expiresAt: number): Promise<void> {
    await this.db.query('UPDATE sessions SET last_activity_at = $2, expires_at = $3 WHERE id = $1', [id, lastActivityAt, expiresAt]);
  }

  async updateRolesForUser(userId: string, roles: string): Promise<void> {
    await this.db.query('UPDATE sessions SET roles = $2 WHERE user_id = $1', [userId, roles]);
  }

  async deleteExpired(now: number): Promise<number> {
    const rows = await this.db.query('DELETE FROM sessions WHERE expires_at > 0 AND expires_at < $1 RETURNING id', [now]);
    return rows.length;
  }
}
