import { badRequest, invalidParam } from '#common';
import { bodyObject, optional, required } from '../common/params.js';

/**
 * Team and channel memberships carry roles the way Mattermost's stores present them: three scheme
 * flags (guest / user / admin) plus "explicit" roles, and a `roles` string that is the explicit roles
 * followed by the roles the flags imply. We store that full string, which is what the permission
 * checks read, and derive the flags and explicit roles from it.
 */
export type RoleScope = 'team' | 'channel';

export interface SchemeFlags {
  scheme_guest: boolean;
  scheme_user: boolean;
  scheme_admin: boolean;
}

const SCHEME_ROLES: Record<RoleScope, { guest: string; user: string; admin: string }> = {
  team: { guest: 'team_guest', user: 'team_user', admin: 'team_admin' },
  channel: { guest: 'channel_guest', user: 'channel_user', admin: 'channel_admin' },
};

function isSchemeRole(scope: RoleScope, role: string): boolean {
  const r = SCHEME_ROLES[scope];
  return role === r.guest || role === r.user || role === r.admin;
}

/** A role of the roles table as a roles update needs it (RolesService.role). */
export type RoleLookup = (name: string) => { scheme_managed: boolean } | undefined;

/** The `roles` string: explicit roles, then the flag-implied roles (guest, user, admin). */
export function composeRoles(scope: RoleScope, flags: SchemeFlags, explicit: string[] = []): string {
  const r = SCHEME_ROLES[scope];
  const roles = [...explicit];
  if (flags.scheme_guest) roles.push(r.guest);
  if (flags.scheme_user) roles.push(r.user);
  if (flags.scheme_admin) roles.push(r.admin);
  return roles.join(' ');
}

/** The explicit (non-scheme) part of a stored `roles` string. */
export function explicitRoles(scope: RoleScope, roles: string): string {
  return roles
    .split(' ')
    .filter((role) => role && !isSchemeRole(scope, role))
    .join(' ');
}

const ERROR_IDS: Record<RoleScope, { scheme: string; guestAndUser: string; changingGuest: string }> = {
  team: {
    scheme: 'api.channel.update_team_member_roles.scheme_role.app_error',
    guestAndUser: 'api.team.update_team_member_roles.guest_and_user.app_error',
    changingGuest: 'api.channel.update_team_member_roles.changing_guest_role.app_error',
  },
  channel: {
    scheme: 'api.channel.update_channel_member_roles.scheme_role.app_error',
    guestAndUser: 'api.channel.update_channel_member_roles.guest_and_user.app_error',
    changingGuest: 'api.channel.update_channel_member_roles.changing_guest_role.app_error',
  },
};

/**
 * Reads a roles update (PUT .../members/{id}/roles) as Mattermost's UpdateTeamMemberRoles /
 * UpdateChannelMemberRoles do: every name must be a role of the roles table; scheme roles of this
 * scope set flags, other scheme-managed roles are refused, roles outside schemes (e.g.
 * team_post_all) are kept as explicit roles; guests cannot be turned into users (or back), and
 * channel members keep a base role.
 */
export function parseRolesUpdate(scope: RoleScope, input: string, wasGuest: boolean, lookup: RoleLookup): SchemeFlags & { roles: string } {
  const r = SCHEME_ROLES[scope];
  const ids = ERROR_IDS[scope];
  const flags: SchemeFlags = { scheme_guest: false, scheme_user: false, scheme_admin: false };
  const explicit: string[] = [];
  for (const role of input.split(/\s+/).filter(Boolean)) {
    const found = lookup(role);
    if (!found) throw badRequest('app.role.get_by_name.app_error', 'Unable to get role.', `role_name=${role}`);
    if (!found.scheme_managed) explicit.push(role);
    else if (role === r.admin) flags.scheme_admin = true;
    else if (role === r.user) flags.scheme_user = true;
    else if (role === r.guest) flags.scheme_guest = true;
    else throw badRequest(ids.scheme, 'The provided role is managed by a Scheme and therefore cannot be applied directly.', `role_name=${role}`);
  }
  if (flags.scheme_guest && flags.scheme_user) throw badRequest(ids.guestAndUser, 'Invalid roles: a member cannot be both a guest and a user.');
  if (flags.scheme_guest !== wasGuest) throw badRequest(ids.changingGuest, 'Invalid roles: the guest role cannot be added or removed here.');
  if (scope === 'channel' && !flags.scheme_guest && !flags.scheme_user) {
    throw badRequest(
      'api.channel.update_channel_member_roles.unset_user_scheme.app_error',
      'Invalid roles: a channel member needs the channel_user or channel_guest role.',
    );
  }
  return { ...flags, roles: composeRoles(scope, flags, explicit) };
}

/**
 * The body of PUT .../members/{uid}/roles (teams and channels): a `roles` string that is not blank.
 * `param` is the parameter the 400 names (Mattermost says `roles` for channels, `team_member_roles` for teams).
 */
export function rolesBody(body: unknown, param: string): string {
  const roles = optional<string>(bodyObject(body), 'roles', 'string');
  if (!roles || !roles.trim()) throw invalidParam(param);
  return roles;
}

/** The body of PUT .../members/{uid}/schemeRoles (model.SchemeRoles): two required flags, scheme_guest optional. */
export function schemeRolesBody(body: unknown): SchemeFlags {
  const b = bodyObject(body, 'scheme_roles');
  return {
    scheme_admin: required<boolean>(b, 'scheme_admin', 'boolean'),
    scheme_user: required<boolean>(b, 'scheme_user', 'boolean'),
    scheme_guest: optional<boolean>(b, 'scheme_guest', 'boolean') ?? false,
  };
}
