import { Injectable } from '@nestjs/common';
import { badRequest, newId, sessionExpired } from '#common';
import { ConfigService } from '#config';
import { hashToken } from '#auth';
import { Hub, InvalidationBus, SessionState } from '#realtime';
import {
  parseSessionInvalidationKey,
  Session,
  SESSION_PROP_CSRF,
  SESSION_PROP_TYPE,
  SESSION_TYPE_USER_ACCESS_TOKEN,
  sessionInvalidationKey,
} from '../common/session.js';
import { PermissionsService } from './permissions.service.js';
import { SessionAccount, SessionsRepository, SessionWithAccount } from './sessions.repository.js';

const HOUR = 3_600_000;
// last_activity_at is written at most this often (Mattermost's SessionActivityTimeout).
const ACTIVITY_WRITE_INTERVAL = 5 * 60_000;

export type SessionKind = 'web' | 'mobile' | 'sso';

interface CachedSession {
  session: Session;
  account?: SessionAccount;
  cachedAt: number;
}

/**
 * Sessions: creation at login, lookup by token on every request (cached, as Mattermost's session
 * cache), expiry and idle rules, and revocation that reaches every cache and socket.
 */
@Injectable()
export class SessionsService {
  /** Sessions by their token's hash. */
  private readonly cache = new Map<string, CachedSession>();

  constructor(
    private readonly repo: SessionsRepository,
    private readonly config: ConfigService,
    private readonly invalidation: InvalidationBus,
    private readonly hub: Hub,
    private readonly permissions: PermissionsService,
  ) {
    // Every node forgets the session and closes its sockets, cached or not.
    invalidation.on('session', (key) => {
      const { userId, sessionId } = parseSessionInvalidationKey(key);
      this.forgetCached((s) => s.id === sessionId);
      hub.closeSessions(userId, sessionId);
    });
    invalidation.on('user_sessions', (userId) => {
      this.forgetCached((s) => s.user_id === userId);
      hub.closeSessions(userId);
    });
    // This node missed invalidations (it was cut off from the cluster): trust nothing cached.
    invalidation.on('all', () => this.cache.clear());
    // Roles or activation changed: requests reload the user's sessions on next use, and the user's
    // open sockets take their sessions' new roles before any later event reaches them.
    invalidation.on('user', (userId) => {
      this.forgetCached((s) => s.user_id === userId);
      void hub.refreshSessions(userId, () => this.liveSessions(userId));
    });
  }

  private forgetCached(matches: (s: Session) => boolean): void {
    for (const [tokenHash, cached] of this.cache) if (matches(cached.session)) this.cache.delete(tokenHash);
  }

  /** A user's sessions by id, as an open socket needs them. */
  private async liveSessions(userId: string): Promise<Map<string, SessionState>> {
    const sessions = await this.repo.forUser(userId);
    return new Map(sessions.map((s) => [s.id, { roles: s.roles, sessionExpiresAt: s.expires_at }]));
  }

  sessionLengthMs(kind: SessionKind): number {
    const s = this.config.get().ServiceSettings;
    const hours = kind === 'mobile' ? s.SessionLengthMobileInHours : kind === 'sso' ? s.SessionLengthSSOInHours : s.SessionLengthWebInHours;
    return hours * HOUR;
  }

  /**
   * Opens a session and returns it with its bearer token, which exists in clear only in this
   * answer: the row keeps its hash. `tokenHash` opens a session for a token already stored hashed
   * (a personal access token's); that session is returned with an empty token.
   */
  async create(
    userId: string,
    roles: string,
    opts: { tokenHash?: string; deviceId?: string; kind?: SessionKind; props?: Record<string, string>; expiresAt?: number; isOAuth?: boolean } = {},
  ): Promise<Session> {
    const now = Date.now();
    const bearer = opts.tokenHash ? '' : newId();
    const session: Session = {
      id: newId(),
      token: opts.tokenHash ?? hashToken(bearer),
      create_at: now,
      expires_at: opts.expiresAt ?? now + this.sessionLengthMs(opts.kind ?? (opts.deviceId ? 'mobile' : 'web')),
      last_activity_at: now,
      user_id: userId,
      device_id: opts.deviceId ?? '',
      roles,
      // An OAuth app's access token: the only kind of session the access_token query parameter opens.
      is_oauth: opts.isOAuth === true,
      expired_notify: false,
      props: { [SESSION_PROP_CSRF]: newId(), ...opts.props },
    };
    await this.repo.insert(session);
    // A login from a device ends the user's other sessions on it (DoLogin's RevokeSessionsForDeviceId).
    if (session.device_id) await this.revokeDeviceSessions(userId, session.device_id, session.id);
    return { ...session, token: bearer };
  }

  /** The live session for a bearer token, or a 401 AppError. Looked up (and cached) by the token's hash. */
  async authenticate(token: string): Promise<Session> {
    return (await this.authenticateWithAccount(token)).session;
  }

  /** authenticate(), with the flags of the session's account that the request guard checks (SessionAccount). */
  async authenticateWithAccount(token: string): Promise<SessionWithAccount> {
    const now = Date.now();
    const tokenHash = hashToken(token);
    let session: Session | undefined;
    let account: SessionAccount | undefined;
    const cached = this.cache.get(tokenHash);
    const cacheMs = this.config.get().ServiceSettings.SessionCacheInMinutes * 60_000;
    if (cached && now - cached.cachedAt < cacheMs) {
      ({ session, account } = cached);
    } else {
      const found = await this.repo.byTokenHash(tokenHash);
      ({ session, account } = found ?? {});
      if (session) this.cache.set(tokenHash, { session, account, cachedAt: now });
      else this.cache.delete(tokenHash);
    }
    // The digest, never the token, goes in the detail (as Mattermost's token_sha256).
    if (!session) throw sessionExpired('token_sha256=' + tokenHash);
    if (this.isExpired(session, now)) {
      await this.revoke(session);
      throw sessionExpired('session expired');
    }
    await this.recordActivity(session, now);
    return { session, account };
  }

  private isExpired(session: Session, now: number): boolean {
    if (session.expires_at > 0 && session.expires_at < now) return true;
    const idleMinutes = this.config.get().ServiceSettings.SessionIdleTimeoutInMinutes;
    const isToken = session.props[SESSION_PROP_TYPE] === SESSION_TYPE_USER_ACCESS_TOKEN;
    // Idle timeout applies to web sessions only (not mobile, not access tokens), as Mattermost.
    return !isToken && !session.device_id && idleMinutes > 0 && now - session.last_activity_at > idleMinutes * 60_000;
  }

  /** Extends the session with activity (ExtendSessionLengthWithActivity), writing at most every 5 min. */
  private async recordActivity(session: Session, now: number): Promise<void> {
    if (now - session.last_activity_at < ACTIVITY_WRITE_INTERVAL) return;
    const isToken = session.props[SESSION_PROP_TYPE] === SESSION_TYPE_USER_ACCESS_TOKEN;
    if (!isToken && this.config.get().ServiceSettings.ExtendSessionLengthWithActivity) {
      session.expires_at = now + this.sessionLengthMs(session.device_id ? 'mobile' : 'web');
    }
    session.last_activity_at = now;
    await this.repo.touch(session.id, now, session.expires_at);
  }

  /** GET /users/{id}/sessions: one's own, or anyone's with edit_other_users; never the tokens. */
  async userSessions(actor: Session, userId: string): Promise<Session[]> {
    this.permissions.requireSelfOrAdmin(actor, userId);
    return (await this.repo.forUser(userId)).map((s) => ({ ...s, token: '' }));
  }

  /** POST /users/{id}/sessions/revoke: the session must belong to that user. */
  async revokeUserSession(actor: Session, userId: string, sessionId: string): Promise<void> {
    this.permissions.requireSelfOrAdmin(actor, userId);
    const target = await this.repo.byId(sessionId);
    if (!target || target.user_id !== userId)
      throw badRequest('api.user.revoke_session.user_id_mismatch.app_error', 'The session does not belong to this user.');
    await this.revoke(target);
  }

  /** POST /users/{id}/sessions/revoke/all. */
  async revokeUserSessions(actor: Session, userId: string): Promise<void> {
    this.permissions.requireSelfOrAdmin(actor, userId);
    await this.revokeAllForUser(userId);
  }

  async revoke(session: Pick<Session, 'id' | 'user_id'>): Promise<void> {
    await this.repo.deleteById(session.id);
    this.invalidation.emit('session', sessionInvalidationKey(session));
  }

  async revokeAllForUser(userId: string): Promise<void> {
    await this.repo.deleteForUser(userId);
    this.invalidation.emit('user_sessions', userId);
  }

  /**
   * After a password change (TerminateSessionsOnPasswordChange): every session of the user but
   * `keepSessionId` (the caller's own, when users change their own password; '' keeps none), as
   * Mattermost's UpdatePassword. Sessions of personal access tokens stay: Mattermost deletes them
   * too, but opens a new one on the token's next use, so its tokens keep working after a password
   * change; here a token's session is its only record of being usable, so it is kept instead.
   */
  async revokeOthersAfterPasswordChange(userId: string, keepSessionId: string): Promise<void> {
    for (const id of await this.repo.deleteForUserExcept(userId, keepSessionId)) {
      this.invalidation.emit('session', sessionInvalidationKey({ user_id: userId, id }));
    }
  }

  /** Ends the sessions whose tokens hash to these digests (an OAuth app's access tokens). */
  async revokeByTokenHashes(tokenHashes: string[]): Promise<void> {
    for (const s of await this.repo.deleteByTokenHashes(tokenHashes)) this.invalidation.emit('session', sessionInvalidationKey(s));
  }

  async revokeForAccessToken(tokenId: string): Promise<void> {
    for (const s of await this.repo.deleteByTokenProp(tokenId)) this.invalidation.emit('session', sessionInvalidationKey(s));
  }

  async revokeEverything(): Promise<void> {
    const users = new Set((await this.repo.deleteAll()).map((s) => s.user_id));
    for (const userId of users) this.invalidation.emit('user_sessions', userId);
  }

  // ---- mobile devices (the push area) --------------------------------------------------------

  /**
   * PUT /users/sessions/device (attachDeviceId): the session becomes the device's one session
   * (the user's other sessions with the same device id are revoked, as Mattermost's
   * RevokeSessionsForDeviceId), and lasts as long as a mobile session (SetSessionExpireInHours:
   * from now when sessions are extended with activity, else from the session's start). Every
   * node drops the user's cached sessions, and their sockets take the new expiry.
   */
  async attachDevice(session: Session, deviceId: string): Promise<void> {
    await this.revokeDeviceSessions(session.user_id, deviceId, session.id);
    const extend = session.create_at === 0 || this.config.get().ServiceSettings.ExtendSessionLengthWithActivity;
    const expiresAt = (extend ? Date.now() : session.create_at) + this.sessionLengthMs('mobile');
    await this.repo.attachDevice(session.id, deviceId, expiresAt);
    this.invalidation.emit('user', session.user_id);
  }

  /** One device, one session: the user's other sessions registered with `deviceId` end. */
  private async revokeDeviceSessions(userId: string, deviceId: string, keepId: string): Promise<void> {
    for (const id of await this.repo.deleteForUserDevice(userId, deviceId, keepId)) {
      this.invalidation.emit('session', sessionInvalidationKey({ user_id: userId, id }));
    }
  }

  /** The push proxy said the device is gone (REMOVE): the session keeps going without it. */
  async forgetDevice(session: Pick<Session, 'id' | 'user_id' | 'device_id'>): Promise<void> {
    if (await this.repo.clearDevice(session.id, session.device_id)) this.invalidation.emit('user', session.user_id);
  }

  /** Role changes apply to live sessions at once. */
  async rolesChanged(userId: string, roles: string): Promise<void> {
    await this.repo.updateRolesForUser(userId, roles);
    this.invalidation.emit('user', userId);
  }

  deleteExpired(now = Date.now()): Promise<number> {
    return this.repo.deleteExpired(now);
  }
}
