import { describe, expect, it } from 'vitest';
import { ROLE_PERMISSIONS, rolesGrant, SYSTEM_ADMIN, validSystemRoles } from './roles.js';

describe('rolesGrant', () => {
  it('system_admin holds every permission, even ones not listed anywhere', () => {
    expect(rolesGrant(SYSTEM_ADMIN, 'manage_system')).toBe(true);
    expect(rolesGrant('system_user system_admin', 'anything_at_all')).toBe(true);
  });

  it('system_user holds its own permissions and not admin ones', () => {
    expect(rolesGrant('system_user', 'create_team')).toBe(true);
    expect(rolesGrant('system_user', 'create_direct_channel')).toBe(true);
    expect(rolesGrant('system_user', 'manage_system')).toBe(false);
    expect(rolesGrant('system_user', 'create_user_access_token')).toBe(false);
    // Team and channel permissions come from team/channel roles, not the system role.
    expect(rolesGrant('system_user', 'create_post')).toBe(false);
    expect(rolesGrant('system_user', 'view_team')).toBe(false);
  });

  it('system_guest is narrower than system_user', () => {
    expect(rolesGrant('system_guest', 'create_direct_channel')).toBe(true);
    expect(rolesGrant('system_guest', 'create_team')).toBe(false);
    expect(rolesGrant('system_guest', 'list_public_teams')).toBe(false);
  });

  it('system_user_access_token adds the token permissions', () => {
    expect(rolesGrant('system_user system_user_access_token', 'create_user_access_token')).toBe(true);
    expect(rolesGrant('system_user system_user_access_token', 'create_team')).toBe(true);
  });

  it('team_admin holds team_user permissions plus its own', () => {
    for (const p of ROLE_PERMISSIONS.team_user) expect(rolesGrant('team_admin', p), p).toBe(true);
    expect(rolesGrant('team_admin', 'manage_team')).toBe(true);
    expect(rolesGrant('team_admin', 'remove_user_from_team')).toBe(true);
    expect(rolesGrant('team_user', 'manage_team')).toBe(false);
    expect(rolesGrant('team_user', 'remove_user_from_team')).toBe(false);
    expect(rolesGrant('team_user', 'view_team')).toBe(true);
  });

  it('team_guest can only view the team', () => {
    expect(rolesGrant('team_guest', 'view_team')).toBe(true);
    expect(rolesGrant('team_guest', 'create_public_channel')).toBe(false);
  });

  it('channel_admin holds channel_user permissions plus its own', () => {
    for (const p of ROLE_PERMISSIONS.channel_user) expect(rolesGrant('channel_admin', p), p).toBe(true);
    expect(rolesGrant('channel_admin', 'manage_channel_roles')).toBe(true);
    expect(rolesGrant('channel_user', 'manage_channel_roles')).toBe(false);
    expect(rolesGrant('channel_user', 'create_post')).toBe(true);
  });

  it('channel_guest can post but not manage members', () => {
    expect(rolesGrant('channel_guest', 'create_post')).toBe(true);
    expect(rolesGrant('channel_guest', 'manage_public_channel_members')).toBe(false);
  });

  it('combines several roles and tolerates extra spaces', () => {
    expect(rolesGrant('team_user  team_admin', 'manage_team')).toBe(true);
    expect(rolesGrant(' channel_user ', 'create_post')).toBe(true);
  });

  it('unknown, empty and look-alike roles grant nothing', () => {
    expect(rolesGrant('', 'create_post')).toBe(false);
    expect(rolesGrant('custom_role', 'create_post')).toBe(false);
    expect(rolesGrant('system_admins', 'manage_system')).toBe(false);
    expect(rolesGrant('SYSTEM_ADMIN', 'manage_system')).toBe(false);
    expect(rolesGrant('constructor', 'create_post')).toBe(false);
    expect(rolesGrant('toString', 'has')).toBe(false);
  });
});

describe('validSystemRoles', () => {
  it.each(['system_user', 'system_admin system_user', 'system_guest', 'system_user system_user_access_token', '  system_user  '])('accepts %j', (roles) => {
    expect(validSystemRoles(roles)).toBe(true);
  });

  it.each(['', '   ', 'team_user', 'system_user team_admin', 'channel_admin', 'system_users', 'System_User'])('refuses %j', (roles) => {
    expect(validSystemRoles(roles)).toBe(false);
  });
});
