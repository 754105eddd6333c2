/**
 * Built-in roles and their permissions, named as Mattermost names them (model/role.go), for the
 * permissions this server checks. Scheme and custom roles come with the permissions issue.
 */
const CHANNEL_USER = [
  'read_channel',
  'read_channel_content',
  'add_reaction',
  'remove_reaction',
  'create_post',
  'edit_post',
  'delete_post',
  'upload_file',
  'use_channel_mentions',
  'manage_public_channel_members',
  'manage_private_channel_members',
  'manage_public_channel_properties',
  'manage_private_channel_properties',
  'delete_public_channel',
  'delete_private_channel',
  'read_public_channel_groups',
  'read_private_channel_groups',
];
const CHANNEL_ADMIN = ['manage_channel_roles', 'manage_public_channel_members', 'manage_private_channel_members', 'use_group_mentions'];
const CHANNEL_GUEST = [
  'read_channel',
  'read_channel_content',
  'add_reaction',
  'remove_reaction',
  'upload_file',
  'edit_post',
  'create_post',
  'use_channel_mentions',
];

const TEAM_USER = [
  'list_team_channels',
  'join_public_channels',
  'read_public_channel',
  'view_team',
  'create_public_channel',
  'create_private_channel',
  'invite_user',
  'add_user_to_team',
  'list_public_teams',
  'join_public_teams',
];
const TEAM_ADMIN = [
  'edit_others_posts',
  'remove_user_from_team',
  'manage_team',
  'import_team',
  'manage_team_roles',
  'manage_channel_roles',
  'manage_others_incoming_webhooks',
  'manage_others_outgoing_webhooks',
  'manage_slash_commands',
  'manage_others_slash_commands',
  'manage_incoming_webhooks',
  'manage_outgoing_webhooks',
  'delete_post',
  'delete_others_posts',
  'convert_public_channel_to_private',
  'convert_private_channel_to_public',
  'manage_public_channel_members',
  'manage_private_channel_members',
  'manage_public_channel_properties',
  'manage_private_channel_properties',
  'delete_public_channel',
  'delete_private_channel',
];
const TEAM_GUEST = ['view_team'];

const SYSTEM_USER = [
  'list_public_teams',
  'join_public_teams',
  'create_direct_channel',
  'create_group_channel',
  'view_members',
  'create_team',
  'create_emojis',
  'delete_emojis',
];
const SYSTEM_GUEST = ['create_direct_channel', 'create_group_channel'];
const SYSTEM_USER_ACCESS_TOKEN = ['create_user_access_token', 'read_user_access_token', 'revoke_user_access_token'];

export const ROLE_PERMISSIONS: Record<string, ReadonlySet<string>> = {
  system_user: new Set(SYSTEM_USER),
  system_guest: new Set(SYSTEM_GUEST),
  system_user_access_token: new Set(SYSTEM_USER_ACCESS_TOKEN),
  team_user: new Set(TEAM_USER),
  team_admin: new Set([...TEAM_USER, ...TEAM_ADMIN]),
  team_guest: new Set(TEAM_GUEST),
  channel_user: new Set(CHANNEL_USER),
  channel_admin: new Set([...CHANNEL_USER, ...CHANNEL_ADMIN]),
  channel_guest: new Set(CHANNEL_GUEST),
};

/** system_admin holds every permission. */
export const SYSTEM_ADMIN = 'system_admin';

export function rolesGrant(roles: string, permission: string): boolean {
  for (const role of roles.split(' ')) {
    if (role === SYSTEM_ADMIN) return true;
    // hasOwn: a stored role string like "constructor" must not reach Object.prototype.
    if (Object.hasOwn(ROLE_PERMISSIONS, role) && ROLE_PERMISSIONS[role].has(permission)) return true;
  }
  return false;
}

const KNOWN_SYSTEM_ROLES = new Set(['system_user', 'system_admin', 'system_guest', 'system_user_access_token']);
export function validSystemRoles(roles: string): boolean {
  const list = roles.split(' ').filter(Boolean);
  return list.length > 0 && list.every((r) => KNOWN_SYSTEM_ROLES.has(r));
}
