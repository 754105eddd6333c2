import { describe, expect, it } from 'vitest';
import { AppError } from '#common';
import { LocalInvalidationBus } from '#realtime';
import { RecordingPublisher } from '#testing';
import type { Session } from '../common/session.js';
import { defaultRoles, InMemoryRolesRepository } from './in-memory-roles.js';

const session = (roles: string): Session => ({ id: 's', user_id: 'u', roles }) as Session;
const ADMIN = session('system_user system_admin');
const USER = session('system_user');

function setup() {
  const repo = new InMemoryRolesRepository();
  const bus = new LocalInvalidationBus();
  const publisher = new RecordingPublisher();
  const roles = defaultRoles(repo, bus, publisher);
  const roleId = (name: string) => repo.rows.find((r) => r.name === name)!.id;
  return { repo, bus, publisher, roles, roleId };
}

async function errorOf(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    return e as AppError;
  }
  throw new Error('no error');
}

describe('RolesService snapshot', () => {
  it('grants what the rows hold, through any of the roles', () => {
    const { roles } = setup();
    expect(roles.grants('channel_user', 'create_post')).toBe(true);
    expect(roles.grants('team_user', 'create_post')).toBe(false);
    expect(roles.grants('system_user', 'manage_system')).toBe(false);
    expect(roles.grants('system_admin', 'manage_system')).toBe(true);
    // doEmojisPermissionsMigration: on a fresh Mattermost server every user may add custom emoji.
    expect(roles.grants('system_user', 'create_emojis')).toBe(true);
    expect(roles.grants('system_user', 'delete_others_emojis')).toBe(false);
    expect(roles.grants('system_user  system_user_access_token', 'create_user_access_token')).toBe(true);
  });

  it('grants nothing for unknown, empty or prototype names', () => {
    const { roles } = setup();
    for (const name of ['', 'made_up', 'constructor', '__proto__', 'toString', 'SYSTEM_ADMIN', 'system_admins']) {
      expect(roles.grants(name, 'manage_system'), name).toBe(false);
    }
  });

  it('reloads from the table when the roles invalidation fires (a patch on another node)', async () => {
    const { repo, bus, roles } = setup();
    repo.rows.find((r) => r.name === 'channel_user')!.permissions = 'read_channel';
    expect(roles.grants('channel_user', 'create_post')).toBe(true);
    bus.emit('roles', '*');
    await roles.reload();
    expect(roles.grants('channel_user', 'create_post')).toBe(false);
  });

  it('reloads on the all invalidation too (after missed messages)', async () => {
    const { repo, bus, roles } = setup();
    repo.rows.find((r) => r.name === 'team_user')!.permissions = '';
    bus.emit('all', '*');
    await roles.reload();
    expect(roles.grants('team_user', 'view_team')).toBe(false);
  });
});

describe('RolesService reads', () => {
  it('finds roles by id and name, and leaves unknown names out of a list', () => {
    const { roles, roleId } = setup();
    expect(roles.byId(roleId('team_user')).name).toBe('team_user');
    expect(roles.byName('channel_user').permissions).toContain('create_post');
    expect(roles.byNames(['team_user', 'nope', 'team_user']).map((r) => r.name)).toEqual(['team_user']);
    expect(() => roles.byName('nope')).toThrow(expect.objectContaining({ id: 'app.role.get_by_name.app_error', statusCode: 404 }));
    expect(() => roles.byId('x'.repeat(26))).toThrow(expect.objectContaining({ id: 'app.role.get.app_error', statusCode: 404 }));
  });

  it('lists every role for manage_system only', () => {
    const { roles } = setup();
    expect(roles.all(ADMIN).length).toBeGreaterThan(20);
    expect(() => roles.all(USER)).toThrow(expect.objectContaining({ statusCode: 403 }));
  });
});

describe('RolesService.patch', () => {
  it('saves, serves at once, emits the invalidation and announces role_updated', async () => {
    const { roles, roleId, bus, publisher } = setup();
    const seen: string[] = [];
    bus.on('roles', (k) => seen.push(k));
    const perms = roles.byName('channel_user').permissions.filter((p) => p !== 'create_post');
    const saved = await roles.patch(ADMIN, roleId('channel_user'), [...perms, perms[0]]);
    expect(saved.permissions).toEqual(perms);
    expect(roles.grants('channel_user', 'create_post')).toBe(false);
    expect(seen).toEqual(['*']);
    const event = publisher.events.find((e) => e.event === 'role_updated')!;
    expect(JSON.parse(event.data.role as string)).toMatchObject({ name: 'channel_user', permissions: perms });
    expect(event.broadcast).toMatchObject({ user_id: '', channel_id: '', team_id: '' });
  });

  it('refuses callers without the permission the role needs', async () => {
    const { roles, roleId } = setup();
    expect((await errorOf(roles.patch(USER, roleId('channel_user'), []))).statusCode).toBe(403);
    const manager = session('system_user system_user_manager');
    // system_user_manager may edit scheme roles' permissions but not system_admin (needs manage_system).
    expect((await errorOf(roles.patch(manager, roleId('system_admin'), ['manage_system']))).statusCode).toBe(403);
  });

  it('refuses unknown permissions, guest roles without a license, and the protected permissions', async () => {
    const { roles, roleId } = setup();
    expect((await errorOf(roles.patch(ADMIN, roleId('team_user'), ['view_team', 'fly']))).id).toBe('app.role.save.invalid_role.app_error');
    expect((await errorOf(roles.patch(ADMIN, roleId('channel_guest'), []))).id).toBe('api.roles.patch_roles.license.error');
    expect((await errorOf(roles.patch(ADMIN, roleId('team_user'), ['view_team', 'manage_roles']))).id).toBe(
      'api.roles.patch_roles.not_allowed_permission.error',
    );
    const admin = roles.byName('system_admin').permissions;
    const err = await errorOf(
      roles.patch(
        ADMIN,
        roleId('system_admin'),
        admin.filter((p) => p !== 'manage_system'),
      ),
    );
    expect([err.id, err.statusCode]).toEqual(['api.roles.patch_roles.not_allowed_permission.error', 501]);
    expect(roles.grants('system_admin', 'manage_system')).toBe(true);
  });

  it('answers the role unchanged for a patch without permissions', async () => {
    const { roles, roleId, publisher } = setup();
    expect((await roles.patch(ADMIN, roleId('team_user'), undefined)).name).toBe('team_user');
    expect(publisher.events).toEqual([]);
  });
});
