/** A row of the roles table (model.Role); `permissions` is space-separated, as Mattermost stores it. */
export interface RoleRow {
  id: string;
  name: string;
  display_name: string;
  description: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  permissions: string;
  scheme_managed: boolean;
  built_in: boolean;
}

/** The wire shape (model.Role JSON): permissions as an array. */
export interface RoleView extends Omit<RoleRow, 'permissions'> {
  permissions: string[];
}

export function permissionList(row: Pick<RoleRow, 'permissions'>): string[] {
  return row.permissions.split(' ').filter(Boolean);
}

export function roleView(row: RoleRow): RoleView {
  return { ...row, permissions: permissionList(row) };
}

const ROLE_NAME_MAX = 64;

/** model.IsValidRoleName: 1–64 characters of [a-z0-9_]. */
export function isValidRoleName(name: string): boolean {
  return name.length > 0 && name.length <= ROLE_NAME_MAX && /^[a-z0-9_]+$/.test(name);
}

export const SYSTEM_ADMIN_ROLE = 'system_admin';

/** model.NewSystemRoleIDs: with system_admin, patching them needs manage_system (api4/role.go patchRole). */
export const MANAGE_SYSTEM_PROTECTED_ROLES: ReadonlySet<string> = new Set([
  'system_user_manager',
  'system_read_only_admin',
  'system_manager',
  'system_shared_channel_manager',
  SYSTEM_ADMIN_ROLE,
]);

/** The scheme roles whose patch needs sysconsole_write_user_management_permissions; others need …_system_roles. */
export const PERMISSION_SCHEME_ROLES: ReadonlySet<string> = new Set([
  'team_admin',
  'channel_admin',
  'system_user',
  'team_user',
  'channel_user',
  'system_guest',
  'team_guest',
  'channel_guest',
  'playbook_admin',
  'playbook_member',
  'run_admin',
  'run_member',
]);

export const GUEST_ROLES: ReadonlySet<string> = new Set(['system_guest', 'team_guest', 'channel_guest']);

/** Permissions no patch may add or remove (api4/role.go notAllowedPermissions). */
export const NOT_ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set([
  'sysconsole_write_user_management_system_roles',
  'sysconsole_read_user_management_system_roles',
  'manage_roles',
]);
