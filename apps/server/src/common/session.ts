/** A login session, as stored and as returned by GET /users/{id}/sessions (model.Session). */
export interface Session {
  id: string;
  /**
   * The bearer token only on the session SessionsService.create returns (the one time it exists in
   * clear, for the login answer); a stored session holds its SHA-256 (hashToken), and none is ever
   * sent to a client (GET /users/{id}/sessions blanks it, as Mattermost's Session.Sanitize).
   */
  token: string;
  create_at: number;
  expires_at: number;
  last_activity_at: number;
  user_id: string;
  device_id: string;
  roles: string;
  is_oauth: boolean;
  expired_notify: boolean;
  props: Record<string, string>;
}

export const SESSION_PROP_CSRF = 'csrf';
export const SESSION_PROP_TYPE = 'type';
export const SESSION_TYPE_USER_ACCESS_TOKEN = 'UserAccessToken';

export function hasRole(roles: string, role: string): boolean {
  return roles.split(' ').includes(role);
}

export function isSystemAdmin(session: Pick<Session, 'roles'>): boolean {
  return hasRole(session.roles, 'system_admin');
}

/**
 * The key of a 'session' invalidation: "<user id>:<session id>". It names the session by id, so no
 * token (nor its hash) crosses the cluster; every node drops it from its cache and closes its sockets.
 */
export function sessionInvalidationKey(s: Pick<Session, 'user_id' | 'id'>): string {
  return `${s.user_id}:${s.id}`;
}

export function parseSessionInvalidationKey(key: string): { userId: string; sessionId: string } {
  const [userId = '', sessionId = ''] = key.split(':');
  return { userId, sessionId };
}

/**
 * A user as a caller with no login behind it (a bot posting, a scheduled post sent, an
 * integration's reply): their id and system roles, for the same permission checks and post paths
 * as a request.
 */
export function sessionFor(user: { id: string; roles: string }): Session {
  return {
    id: '',
    token: '',
    create_at: 0,
    expires_at: 0,
    last_activity_at: 0,
    user_id: user.id,
    device_id: '',
    roles: user.roles,
    is_oauth: false,
    expired_notify: false,
    props: {},
  };
}
