/**
 * What the signed-in user may do in a team, for the controls that only some people see (the team
 * menu's "Invite people"), as Mattermost's web app decides with its permission gates: the
 * permissions of the user's system roles (UserProfile.roles) and of their roles on the team
 * (TeamMembership.roles), read from the roles themselves (POST /roles/names). The server checks
 * again on every call; this only decides what to offer.
 */
import type { Role } from '@mattermost/types/roles';
import type { TeamMembership } from '@mattermost/types/teams';

export interface PermissionsState {
  /** Role name → its permissions, for the roles asked for so far. */
  roles: Record<string, readonly string[]>;
  /** Team id → the user's roles there (space-separated); a team missing here is not known yet. */
  teamRoles: Record<string, string>;
}

export const initialPermissions: PermissionsState = { roles: {}, teamRoles: {} };

const names = (roles: string | undefined): string[] => (roles ?? '').split(/\s+/).filter(Boolean);

/** The user's memberships (GET /users/me/teams/members): their roles per team; a left team drops out. */
export function receivedMyTeamMembers(state: PermissionsState, members: Pick<TeamMembership, 'team_id' | 'roles' | 'delete_at'>[]): PermissionsState {
  const teamRoles: Record<string, string> = {};
  for (const m of members) if (!m.delete_at) teamRoles[m.team_id] = m.roles;
  return { ...state, teamRoles };
}

/** The roles read; a name `asked` for that the server does not know grants nothing (and is not asked for again). */
export function receivedRoles(state: PermissionsState, roles: Pick<Role, 'name' | 'permissions' | 'delete_at'>[], asked: string[] = []): PermissionsState {
  const known = { ...state.roles };
  for (const name of asked) known[name] = [];
  for (const r of roles) known[r.name] = r.delete_at ? [] : r.permissions;
  return { ...state, roles: known };
}

/** The role names the user has (system ones and every team's) that have not been read yet. */
export function missingRoles(state: PermissionsState, systemRoles: string): string[] {
  const wanted = new Set([...names(systemRoles), ...Object.values(state.teamRoles).flatMap(names)]);
  return [...wanted].filter((r) => !(r in state.roles)).sort();
}

/** Whether the user's roles on the team are known (their membership and each of its roles, and the system roles). */
export function teamPermissionsKnown(state: PermissionsState, systemRoles: string, teamId: string): boolean {
  if (!(teamId in state.teamRoles)) return false;
  return [...names(systemRoles), ...names(state.teamRoles[teamId])].every((r) => r in state.roles);
}

/** Whether one of the user's system roles or their roles on the team grants `permission` (false while unknown). */
export function hasTeamPermission(state: PermissionsState, systemRoles: string, teamId: string, permission: string): boolean {
  return [...names(systemRoles), ...names(state.teamRoles[teamId])].some((r) => state.roles[r]?.includes(permission) ?? false);
}

/**
 * Whether the user may invite people to the team by email: invite_user and add_user_to_team, both
 * of which the server requires for POST /teams/{id}/invite/email (Mattermost's team menu shows
 * "Invite People" on add_user_to_team with invite_user).
 */
export function canInviteToTeam(state: PermissionsState, systemRoles: string, teamId: string): boolean {
  return hasTeamPermission(state, systemRoles, teamId, 'invite_user') && hasTeamPermission(state, systemRoles, teamId, 'add_user_to_team');
}
