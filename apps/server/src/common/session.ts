/** A login session, as stored and as returned by GET /users/{id}/sessions (model.Session). */
export interface Session {
  id: string;
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
