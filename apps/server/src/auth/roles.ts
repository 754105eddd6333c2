/** system_admin: its row in the roles table holds every permission (model.MakeDefaultRoles). */
export const SYSTEM_ADMIN = 'system_admin';

const KNOWN_SYSTEM_ROLES = new Set(['system_user', 'system_admin', 'system_guest', 'system_user_access_token']);
export function validSystemRoles(roles: string): boolean {
  const list = roles.split(' ').filter(Boolean);
  return list.length > 0 && list.every((r) => KNOWN_SYSTEM_ROLES.has(r));
}
