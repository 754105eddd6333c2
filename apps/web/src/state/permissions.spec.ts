import { describe, expect, it } from 'vitest';
import {
  canInviteToTeam,
  hasTeamPermission,
  initialPermissions,
  missingRoles,
  receivedMyTeamMembers,
  receivedRoles,
  teamPermissionsKnown,
} from './permissions';

const role = (name: string, permissions: string[], deleteAt = 0) => ({ name, permissions, delete_at: deleteAt });

describe('permissions', () => {
  const members = receivedMyTeamMembers(initialPermissions, [
    { team_id: 't1', roles: 'team_user', delete_at: 0 },
    { team_id: 't2', roles: 'team_user team_admin', delete_at: 0 },
    { team_id: 't3', roles: 'team_user', delete_at: 123 },
  ]);

  it("asks only for the roles it does not know yet, and knows a team's once its roles are read", () => {
    expect(Object.keys(members.teamRoles).sort()).toEqual(['t1', 't2']);
    expect(missingRoles(members, 'system_user')).toEqual(['system_user', 'team_admin', 'team_user']);
    expect(teamPermissionsKnown(members, 'system_user', 't1')).toBe(false);
    const known = receivedRoles(members, [role('system_user', ['create_team']), role('team_user', ['invite_user', 'add_user_to_team'])]);
    expect(missingRoles(known, 'system_user')).toEqual(['team_admin']);
    expect(teamPermissionsKnown(known, 'system_user', 't1')).toBe(true);
    expect(teamPermissionsKnown(known, 'system_user', 't2')).toBe(false);
    expect(teamPermissionsKnown(known, 'system_user', 't9')).toBe(false);
  });

  it('grants through a team role or a system role, on that team only', () => {
    const state = receivedRoles(members, [
      role('system_user', []),
      role('system_admin', ['invite_user', 'add_user_to_team']),
      role('team_user', ['view_team']),
      role('team_admin', ['invite_user', 'add_user_to_team']),
    ]);
    expect(canInviteToTeam(state, 'system_user', 't1')).toBe(false);
    expect(canInviteToTeam(state, 'system_user', 't2')).toBe(true);
    expect(canInviteToTeam(state, 'system_user system_admin', 't1')).toBe(true);
    expect(hasTeamPermission(state, 'system_user', 't9', 'view_team')).toBe(false);
  });

  it('needs both invite_user and add_user_to_team (as the server does); a deleted role grants nothing', () => {
    const onlyInvite = receivedRoles(members, [role('system_user', []), role('team_user', ['invite_user'])]);
    expect(canInviteToTeam(onlyInvite, 'system_user', 't1')).toBe(false);
    const deleted = receivedRoles(members, [role('system_user', []), role('team_user', ['invite_user', 'add_user_to_team'], 5)]);
    expect(canInviteToTeam(deleted, 'system_user', 't1')).toBe(false);
  });

  it('takes a role the server did not return as granting nothing, and does not ask for it again', () => {
    const state = receivedRoles(members, [role('team_user', ['view_team'])], ['system_user', 'team_user', 'team_admin']);
    expect(missingRoles(state, 'system_user')).toEqual([]);
    expect(state.roles.team_user).toEqual(['view_team']);
    expect(hasTeamPermission(state, 'system_user', 't2', 'view_team')).toBe(true);
  });
});
