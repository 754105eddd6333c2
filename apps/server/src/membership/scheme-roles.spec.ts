import { describe, expect, it } from 'vitest';
import { defaultRoles } from '../roles/in-memory-roles.js';
import { composeRoles, explicitRoles, parseRolesUpdate, rolesBody, schemeRolesBody } from './scheme-roles.js';

const roles = defaultRoles();
const lookup = (name: string) => roles.role(name);

describe('scheme roles', () => {
  it('composes the role string from the scheme flags', () => {
    expect(composeRoles('team', { scheme_guest: false, scheme_user: true, scheme_admin: true })).toBe('team_user team_admin');
    expect(composeRoles('channel', { scheme_guest: true, scheme_user: false, scheme_admin: false })).toBe('channel_guest');
    expect(composeRoles('channel', { scheme_guest: false, scheme_user: true, scheme_admin: false }, ['custom'])).toBe('custom channel_user');
  });

  it('separates explicit roles from scheme roles', () => {
    expect(explicitRoles('team', 'custom team_user team_admin')).toBe('custom');
    expect(explicitRoles('channel', 'channel_user')).toBe('');
  });

  it('keeps roles outside schemes as explicit roles, before the scheme ones (UpdateTeamMemberRoles)', () => {
    expect(parseRolesUpdate('team', 'team_user team_post_all', false, lookup)).toMatchObject({ scheme_user: true, roles: 'team_post_all team_user' });
  });

  it('reads a roles update into flags', () => {
    expect(parseRolesUpdate('team', 'team_user  team_admin', false, lookup)).toEqual({
      scheme_guest: false,
      scheme_user: true,
      scheme_admin: true,
      roles: 'team_user team_admin',
    });
    expect(parseRolesUpdate('team', 'team_admin', false, lookup)).toMatchObject({ scheme_user: false, scheme_admin: true, roles: 'team_admin' });
    expect(parseRolesUpdate('channel', 'channel_guest', true, lookup)).toMatchObject({ scheme_guest: true, roles: 'channel_guest' });
  });

  it('refuses roles of other scopes, unknown roles and guest changes', () => {
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e: any) {
        return e.id;
      }
      return 'accepted';
    };
    expect(err(() => parseRolesUpdate('team', 'channel_admin', false, lookup))).toBe('api.channel.update_team_member_roles.scheme_role.app_error');
    expect(err(() => parseRolesUpdate('channel', 'system_admin', false, lookup))).toBe('api.channel.update_channel_member_roles.scheme_role.app_error');
    expect(err(() => parseRolesUpdate('channel', 'made_up', false, lookup))).toBe('app.role.get_by_name.app_error');
    expect(err(() => parseRolesUpdate('team', 'team_user team_guest', true, lookup))).toBe('api.team.update_team_member_roles.guest_and_user.app_error');
    expect(err(() => parseRolesUpdate('team', 'team_user', true, lookup))).toBe('api.channel.update_team_member_roles.changing_guest_role.app_error');
    expect(err(() => parseRolesUpdate('channel', 'channel_admin', false, lookup))).toBe('api.channel.update_channel_member_roles.unset_user_scheme.app_error');
  });

  it('reads the roles body, naming the given parameter when it is missing or blank', () => {
    expect(rolesBody({ roles: 'team_user' }, 'team_member_roles')).toBe('team_user');
    for (const body of [{}, { roles: '  ' }, { roles: '' }]) {
      expect(() => rolesBody(body, 'team_member_roles')).toThrow(/team_member_roles/);
    }
    for (const body of [null, []]) expect(() => rolesBody(body, 'team_member_roles')).toThrow(/body/);
    expect(() => rolesBody({ roles: 5 }, 'roles')).toThrow(expect.objectContaining({ id: 'api.context.invalid_body_param.app_error' }));
  });

  it('reads the scheme roles body; scheme_guest defaults to false', () => {
    expect(schemeRolesBody({ scheme_admin: true, scheme_user: true })).toEqual({ scheme_admin: true, scheme_user: true, scheme_guest: false });
    expect(schemeRolesBody({ scheme_admin: false, scheme_user: false, scheme_guest: true })).toEqual({
      scheme_admin: false,
      scheme_user: false,
      scheme_guest: true,
    });
    for (const body of [{ scheme_user: true }, { scheme_admin: true }, { scheme_admin: 'yes', scheme_user: true }, [], 'x']) {
      expect(() => schemeRolesBody(body)).toThrow(expect.objectContaining({ id: 'api.context.invalid_body_param.app_error' }));
    }
  });
});
