import type { Session } from '../common/session.js';
import { SESSION_PROP_TYPE, SESSION_TYPE_USER_ACCESS_TOKEN } from '../common/session.js';
import type { SessionAccount, SessionsRepository } from './sessions.repository.js';

/**
 * The sessions table in memory, with the repository's answers, for unit specs of the services that
 * open, find and revoke sessions. Rows are keyed by their token column (the token's hash, as in the
 * table) and copied in and out; activity writes are recorded.
 */
export class MemorySessions implements Pick<
  SessionsRepository,
  | 'insert'
  | 'byTokenHash'
  | 'byId'
  | 'forUser'
  | 'deleteById'
  | 'deleteForUser'
  | 'deleteForUserExcept'
  | 'deleteByTokenProp'
  | 'deleteByTokenHashes'
  | 'touch'
  | 'updateRolesForUser'
  | 'deleteForUserDevice'
  | 'attachDevice'
  | 'clearDevice'
> {
  readonly rows = new Map<string, Session>();
  readonly touches: Array<{ id: string; lastActivityAt: number; expiresAt: number }> = [];
  /** The users' flags the lookup by token joins in, by user id (none: the user row is missing). */
  readonly accounts = new Map<string, SessionAccount>();

  async insert(s: Session) {
    if (this.rows.has(s.token)) throw new Error('duplicate key value violates unique constraint "sessions_token_key"');
    this.rows.set(s.token, structuredClone(s));
  }

  async byTokenHash(tokenHash: string) {
    const s = this.rows.get(tokenHash);
    return s ? { session: structuredClone(s), account: this.accounts.get(s.user_id) } : undefined;
  }

  async byId(id: string) {
    return this.all().find((s) => s.id === id);
  }

  async forUser(userId: string) {
    return this.all().filter((s) => s.user_id === userId);
  }

  async deleteById(id: string) {
    return this.deleteWhere((s) => s.id === id)[0];
  }

  async deleteForUser(userId: string) {
    return this.deleteWhere((s) => s.user_id === userId);
  }

  async deleteForUserExcept(userId: string, keepId: string) {
    return this.deleteWhere((s) => s.user_id === userId && s.id !== keepId && s.props[SESSION_PROP_TYPE] !== SESSION_TYPE_USER_ACCESS_TOKEN).map((s) => s.id);
  }

  async deleteByTokenHashes(tokenHashes: string[]) {
    return this.deleteWhere((s) => tokenHashes.includes(s.token));
  }

  async deleteByTokenProp(tokenId: string) {
    return this.deleteWhere((s) => s.props.user_access_token_id === tokenId);
  }

  async deleteForUserDevice(userId: string, deviceId: string, keepId: string) {
    return this.deleteWhere((s) => s.user_id === userId && s.device_id === deviceId && s.id !== keepId).map((s) => s.id);
  }

  async attachDevice(id: string, deviceId: string, expiresAt: number) {
    Object.assign(this.row(id), { device_id: deviceId, expires_at: expiresAt });
  }

  async clearDevice(id: string, deviceId: string) {
    const s = this.all().find((x) => x.id === id && x.device_id === deviceId);
    if (s) this.row(id).device_id = '';
    return Boolean(s);
  }

  async touch(id: string, lastActivityAt: number, expiresAt: number) {
    this.touches.push({ id, lastActivityAt, expiresAt });
  }

  async updateRolesForUser(userId: string, roles: string) {
    for (const s of this.rows.values()) if (s.user_id === userId) s.roles = roles;
  }

  /** The stored row of a session (by id), to age or inspect it in place. */
  row(id: string): Session {
    const found = [...this.rows.values()].find((s) => s.id === id);
    if (!found) throw new Error(`no session ${id}`);
    return found;
  }

  private all(): Session[] {
    return [...this.rows.values()].map((s) => structuredClone(s));
  }

  private deleteWhere(matches: (s: Session) => boolean): Session[] {
    const gone = [...this.rows.entries()].filter(([, s]) => matches(s));
    for (const [token] of gone) this.rows.delete(token);
    return gone.map(([, s]) => s);
  }
}
