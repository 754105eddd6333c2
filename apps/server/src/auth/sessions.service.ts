import { Injectable } from '@nestjs/common';
import { badRequest, newId, sessionExpired } from '#common';
import { ConfigService } from '#config';
import { Hub, InvalidationBus } from '#realtime';
import { Session, SESSION_PROP_CSRF, SESSION_PROP_TYPE, SESSION_TYPE_USER_ACCESS_TOKEN } from '../common/session.js';
import { PermissionsService } from './permissions.service.js';
import { SessionsRepository } from './sessions.repository.js';

const HOUR = 3_600_000;
// last_activity_at is written at most this often (Mattermost's SessionActivityTimeout).
const ACTIVITY_WRITE_INTERVAL = 5 * 60_000;

export type SessionKind = 'web' | 'mobile' | 'sso';

interface CachedSession {
  session: Session;
  cachedAt: number;
}

/**
 * Sessions: creation at login, lookup by token on every request (cached, as Mattermost's session
 * cache), expiry and idle rules, and revocation that reaches every cache and socket.
 */
@Injectable()
export class SessionsService {
  private readonly cache = new Map<string, CachedSession>();

  constructor(
    private readonly repo: SessionsRepository,
    private readonly config: ConfigService,
    private readonly invalidation: InvalidationBus,
    private readonly hub: Hub,
    private readonly permissions: PermissionsService,
  ) {
    // Key "<user id>:<token>": every node closes that session's sockets, cached or not.
    invalidation.on('session', (key) => {
      const [userId, token] = key.split(':');
      this.cache.delete(token);
      hub.closeSessions(userId, token);
    });
    invalidation.on('user_sessions', (userId) => {
      for (const [token, cached] of this.cache) if (cached.session.user_id === userId) this.cache.delete(token);
      hub.closeSessions(userId);
    });
    // This node missed invalidations (it was cut off from the cluster): trust nothing cached.
    invalidation.on('all', () => this.cache.clear());
    // Roles or activation changed: reload the user's sessions from the database on next use.
    invalidation.on('user', (userId) => {
      for (const [token, cached] of this.cache) if (cached.session.user_id === userId) this.cache.delete(token);
    });
  }

  sessionLengthMs(kind: SessionKind): number {
    const s = this.config.get().ServiceSettings;
    const hours = kind === 'mobile' ? s.SessionLengthMobileInHours : kind === 'sso' ? s.SessionLengthSSOInHours : s.SessionLengthWebInHours;
    return hours * HOUR;
  }

  async create(
    userId: string,
    roles: string,
    opts: { token?: string; deviceId?: string; kind?: SessionKind; props?: Record<string, string>; expiresAt?: number } = {},
  ): Promise<Session> {
    const now = Date.now();
    const session: Session = {
      id: newId(),
      token: opts.token ?? newId(),
      create_at: now,
      expires_at: opts.expiresAt ?? now + this.sessionLengthMs(opts.kind ?? (opts.deviceId ? 'mobile' : 'web')),
      last_activity_at: now,
      user_id: userId,
      device_id: opts.deviceId ?? '',
      roles,
      is_oauth: false,
      expired_notify: false,
      props: { [SESSION_PROP_CSRF]: newId(), ...opts.props },
    };
    await this.repo.insert(session);
    return session;
  }

  /** The live session for a token, or a 401 AppError. */
  async authenticate(token: string): Promise<Session> {
    const now = Date.now();
    let session: Session | undefined;
    const cached = this.cache.get(token);
    const cacheMs = this.config.get().ServiceSettings.SessionCacheInMinutes * 60_000;
    if (cached && now - cached.cachedAt < cacheMs) {
      session = cached.session;
    } else {
      session = await this.repo.byToken(token);
      if (session) this.cache.set(token, { session, cachedAt: now });
      else this.cache.delete(token);
    }
    if (!session) throw sessionExpired('token=' + token.slice(0, 4) + '…');
    if (this.isExpired(session, now)) {
      await this.revoke(session);
      throw sessionExpired('session expired');
    }
    await this.recordActivity(session, now);
    return session;
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

  async revoke(session: Session): Promise<void> {
    await this.repo.deleteById(session.id);
    this.invalidation.emit('session', `${session.user_id}:${session.token}`);
  }

  async revokeAllForUser(userId: string): Promise<void> {
    await this.repo.deleteForUser(userId);
    this.invalidation.emit('user_sessions', userId);
  }

  async revokeForAccessToken(tokenId: string): Promise<void> {
    for (const s of await this.repo.deleteByTokenProp(tokenId)) this.invalidation.emit('session', `${s.user_id}:${s.token}`);
  }

  async revokeEverything(): Promise<void> {
    const users = new Set((await this.repo.deleteAll()).map((s) => s.user_id));
    for (const userId of users) this.invalidation.emit('user_sessions', userId);
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
