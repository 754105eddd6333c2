import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Role } from '@mattermost/types/roles';
import { clientFor, expectClientError, type NewUser, type TestSocket } from '#testing';
import { type ChannelSuite, PERMISSION, post, startChannelSuite, stopChannelSuite } from './fixtures.js';

let suite: ChannelSuite;
// The cast of fixtures.ts: admin is the system admin, alice owns the team and its channels (team
// admin, channel admin), bob is a plain member of every channel, carol is on no team.
let admin: NewUser, alice: NewUser, bob: NewUser, carol: NewUser;
let bobSocket: TestSocket;
let carolSocket: TestSocket;

/** The names of a fresh Mattermost server's built-in roles (model.MakeDefaultRoles). */
const BUILT_IN = [
  'system_admin',
  'system_user',
  'system_guest',
  'system_user_access_token',
  'system_post_all',
  'system_post_all_public',
  'system_user_manager',
  'system_read_only_admin',
  'system_manager',
  'team_admin',
  'team_user',
  'team_guest',
  'team_post_all',
  'team_post_all_public',
  'channel_admin',
  'channel_user',
  'channel_guest',
];

const BAD_BODY = 'api.context.invalid_body_param.app_error';

/** Client4's own request method, for GET /roles, which Client4 has no named method for, and for bodies it would not send. */
function call<T = any>(client: Client4, url: string, options: { method: string; body?: string }): Promise<T> {
  return (client as unknown as { doFetch(url: string, options: object): Promise<T> }).doFetch(url, options);
}

const getAllRoles = (client: Client4) => call<Role[]>(client, client.getRolesRoute(), { method: 'get' });

beforeAll(async () => {
  suite = await startChannelSuite({
    team: { name: `team-r${Date.now()}`, display_name: 'Roles' },
    pub: { name: 'roles-pub', display_name: 'Roles Public' },
    priv: { name: 'roles-priv', display_name: 'Roles Private' },
  });
  ({ admin, alice, bob, carol } = suite);
  [bobSocket, , carolSocket] = suite.sockets;
});
afterAll(() => stopChannelSuite(suite));

describe('POST /roles/names (getRolesByNames)', () => {
  it('returns the named roles for any signed-in user, leaving out unknown and blank names', async () => {
    const roles = await carol.client.getRolesByNames(['system_user', 'no_such_role', 'channel_user', '', '  ', 'channel_user']);
    expect(roles.map((r) => r.name).sort()).toEqual(['channel_user', 'system_user']);
    const channelUser = roles.find((r) => r.name === 'channel_user')!;
    expect(channelUser).toMatchObject({
      display_name: expect.any(String),
      description: expect.any(String),
      delete_at: 0,
      scheme_managed: true,
      built_in: true,
    });
    expect(channelUser.id).toMatch(/^[a-z0-9]{26}$/);
    expect(channelUser.permissions).toEqual(expect.arrayContaining(['read_channel', 'create_post', 'add_reaction']));
    expect(channelUser.permissions).not.toContain('manage_system');
    // A fresh Mattermost server lets every user add and delete their own custom emoji (doEmojisPermissionsMigration).
    expect(roles.find((r) => r.name === 'system_user')!.permissions).toEqual(expect.arrayContaining(['create_team', 'create_emojis', 'delete_emojis']));
  });

  it('answers an empty list when every name is unknown', async () => {
    expect(await bob.client.getRolesByNames(['nobody_has_this_role'])).toEqual([]);
  });

  it('refuses an empty list, a body that is not a list of strings, and invalid role names', async () => {
    for (const body of ['[]', '{}', '"system_user"', '[1, 2]']) {
      const err = await expectClientError(() => call(bob.client, `${bob.client.getRolesRoute()}/names`, { method: 'post', body }));
      expect(err.status_code, body).toBe(400);
      expect(err.server_error_id, body).toBe(BAD_BODY);
    }
    for (const names of [['System_User'], ['team_user', 'no-dashes'], ['x'.repeat(65)]]) {
      const err = await expectClientError(() => bob.client.getRolesByNames(names));
      expect(err.status_code, names.join()).toBe(400);
      expect(err.message, names.join()).toContain('rolename');
    }
  });

  it('needs a session', async () => {
    const err = await expectClientError(() => clientFor(suite.server.url).getRolesByNames(['system_user']));
    expect(err.status_code).toBe(401);
  });
});

describe('GET /roles/name/{role_name} and GET /roles/{role_id}', () => {
  it('reads a role by name and by id, the same role', async () => {
    const byName = await bob.client.getRoleByName('system_admin');
    expect(byName.name).toBe('system_admin');
    expect(byName.permissions).toEqual(expect.arrayContaining(['manage_system', 'manage_roles', 'sysconsole_write_user_management_permissions']));
    const byId = await carol.client.getRole(byName.id);
    expect(byId).toEqual(byName);
  });

  it('answers 404 with Mattermost error ids for unknown roles', async () => {
    const byName = await expectClientError(() => bob.client.getRoleByName('no_such_role'));
    expect(byName.status_code).toBe(404);
    expect(byName.server_error_id).toBe('app.role.get_by_name.app_error');
    const byId = await expectClientError(() => bob.client.getRole('abcdefghijklmnopqrstuvwxyz'));
    expect(byId.status_code).toBe(404);
    expect(byId.server_error_id).toBe('app.role.get.app_error');
  });

  it('refuses malformed ids and names', async () => {
    const badId = await expectClientError(() => bob.client.getRole('tooshort'));
    expect(badId.status_code).toBe(400);
    expect(badId.server_error_id).toBe('api.context.invalid_url_param.app_error');
    const longName = await expectClientError(() => bob.client.getRoleByName('x'.repeat(65)));
    expect(longName.status_code).toBe(400);
    expect(longName.server_error_id).toBe('api.context.invalid_url_param.app_error');
    // The router only matches [a-z0-9_]+ names, so anything else is an unknown route.
    const upper = await expectClientError(() => bob.client.getRoleByName('System_Admin'));
    expect(upper.status_code).toBe(404);
  });
});

describe('GET /roles (all roles)', () => {
  it('lists every built-in role for a system admin', async () => {
    const roles = await getAllRoles(admin.client);
    expect(roles.map((r) => r.name)).toEqual(expect.arrayContaining(BUILT_IN));
    expect(new Set(roles.map((r) => r.id)).size).toBe(roles.length);
  });

  it('needs manage_system: plain users and team admins are refused', async () => {
    for (const who of [bob, alice]) {
      const err = await expectClientError(() => getAllRoles(who.client));
      expect(err.status_code).toBe(403);
      expect(err.server_error_id).toBe(PERMISSION);
    }
  });
});

describe('PUT /roles/{role_id}/patch', () => {
  it('lets a system admin patch a scheme role, serves the change at once and tells every socket', async () => {
    const before = await admin.client.getRoleByName('team_user');
    expect(before.permissions).toContain('create_private_channel');
    const without = before.permissions.filter((p) => p !== 'create_private_channel');
    const saved = await admin.client.patchRole(before.id, { permissions: [...without, without[0]] });
    expect(saved.id).toBe(before.id);
    expect(saved.permissions).toEqual(without);
    expect(saved.update_at).toBeGreaterThanOrEqual(before.update_at);
    expect((await bob.client.getRole(before.id)).permissions).toEqual(without);

    // role_updated goes to everyone (carol is on no team), with the role as a JSON string.
    for (const socket of [bobSocket, carolSocket]) {
      const event = await socket.waitFor('role_updated', (e) => JSON.parse(e.data.role).id === before.id);
      expect(typeof event.data.role).toBe('string');
      expect(JSON.parse(event.data.role)).toMatchObject({ id: before.id, name: 'team_user', permissions: without });
      expect(event.broadcast).toMatchObject({ user_id: '', channel_id: '', team_id: '' });
    }

    const restored = await admin.client.patchRole(before.id, { permissions: before.permissions });
    expect(restored.permissions).toEqual(before.permissions);
    await bobSocket.waitFor('role_updated', (e) => JSON.parse(e.data.role).permissions.includes('create_private_channel'));
  });

  it('refuses plain users and team admins with the permission the role needs', async () => {
    const teamUser = await admin.client.getRoleByName('team_user');
    const systemAdmin = await admin.client.getRoleByName('system_admin');
    for (const who of [bob, alice]) {
      const scheme = await expectClientError(() => who.client.patchRole(teamUser.id, { permissions: [] }));
      expect(scheme.status_code).toBe(403);
      expect(scheme.server_error_id).toBe(PERMISSION);
      const system = await expectClientError(() => who.client.patchRole(systemAdmin.id, { permissions: [] }));
      expect(system.status_code).toBe(403);
    }
    expect((await admin.client.getRole(teamUser.id)).permissions).toEqual(teamUser.permissions);
  });

  it('makes a removed channel_user permission bite at once, and a restored one work again', async () => {
    const channelUser = await admin.client.getRoleByName('channel_user');
    const without = channelUser.permissions.filter((p) => p !== 'create_post');
    await post(bob.client, suite.pub.id, 'before the patch');

    await admin.client.patchRole(channelUser.id, { permissions: without });
    try {
      for (const channel of [suite.pub, suite.priv]) {
        const err = await expectClientError(() => post(bob.client, channel.id, 'while create_post is gone'));
        expect(err.status_code).toBe(403);
        expect(err.server_error_id).toBe(PERMISSION);
      }
      // Other channel_user permissions still hold.
      await bob.client.getChannel(suite.pub.id);
    } finally {
      await admin.client.patchRole(channelUser.id, { permissions: channelUser.permissions });
    }
    const created = await post(bob.client, suite.pub.id, 'after the restore');
    expect(created.user_id).toBe(bob.user.id);
  });

  it('refuses unknown permissions with 400 and leaves the role as it was', async () => {
    const role = await admin.client.getRoleByName('team_user');
    const err = await expectClientError(() => admin.client.patchRole(role.id, { permissions: [...role.permissions, 'fly_to_the_moon'] }));
    expect(err.status_code).toBe(400);
    expect(err.server_error_id).toBe('app.role.save.invalid_role.app_error');
    expect((await admin.client.getRole(role.id)).permissions).toEqual(role.permissions);
  });

  it('refuses guest roles on this unlicensed server with 501', async () => {
    for (const name of ['system_guest', 'team_guest', 'channel_guest']) {
      const role = await admin.client.getRoleByName(name);
      const err = await expectClientError(() => admin.client.patchRole(role.id, { permissions: [...role.permissions, 'create_post'] }));
      expect(err.status_code, name).toBe(501);
      expect(err.server_error_id, name).toBe('api.roles.patch_roles.license.error');
    }
  });

  it('refuses adding or removing the permissions no patch may touch with 501', async () => {
    const systemUser = await admin.client.getRoleByName('system_user');
    const add = await expectClientError(() => admin.client.patchRole(systemUser.id, { permissions: [...systemUser.permissions, 'manage_roles'] }));
    expect(add.status_code).toBe(501);
    expect(add.server_error_id).toBe('api.roles.patch_roles.not_allowed_permission.error');

    const systemAdmin = await admin.client.getRoleByName('system_admin');
    const remove = await expectClientError(() =>
      admin.client.patchRole(systemAdmin.id, {
        permissions: systemAdmin.permissions.filter((p) => p !== 'sysconsole_read_user_management_system_roles'),
      }),
    );
    expect(remove.status_code).toBe(501);
    expect(remove.server_error_id).toBe('api.roles.patch_roles.not_allowed_permission.error');

    // This server also keeps manage_system on system_admin, so the role can always be patched back.
    const lockout = await expectClientError(() =>
      admin.client.patchRole(systemAdmin.id, { permissions: systemAdmin.permissions.filter((p) => p !== 'manage_system') }),
    );
    expect(lockout.status_code).toBe(501);
    expect((await admin.client.getRole(systemAdmin.id)).permissions).toEqual(systemAdmin.permissions);
  });

  it('answers 404 for an unknown role and 400 for bad bodies', async () => {
    const missing = await expectClientError(() => admin.client.patchRole('abcdefghijklmnopqrstuvwxyz', { permissions: [] }));
    expect(missing.status_code).toBe(404);
    expect(missing.server_error_id).toBe('app.role.get.app_error');
    const role = await admin.client.getRoleByName('team_user');
    for (const body of ['"x"', '[]', '{"permissions": "create_post"}', '{"permissions": [1]}']) {
      const err = await expectClientError(() => call(admin.client, `${admin.client.getRolesRoute()}/${role.id}/patch`, { method: 'put', body }));
      expect(err.status_code, body).toBe(400);
      expect(err.server_error_id, body).toBe(BAD_BODY);
    }
  });
});
