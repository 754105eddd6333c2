import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Post } from '@mattermost/types/posts';
import type { PreferenceType } from '@mattermost/types/preferences';
import type { Team } from '@mattermost/types/teams';
import { expectClientError, NewUser, startServer, TestServer } from '#testing';

let server: TestServer;
let admin: NewUser;
let alice: NewUser;
let bob: NewUser;

beforeAll(async () => {
  server = await startServer();
  admin = await server.newUser();
  alice = await server.newUser();
  bob = await server.newUser();
});
afterAll(() => server?.stop());

// Client4 has no helpers for the two lookups by category/name; its (protected) doFetch does the rest.
const call = <T>(c: Client4, url: string, options: { method: string; body?: string }): Promise<T> => (c as any).doFetch(url, options);
const byCategory = (c: Client4, userId: string, category: string) =>
  call<PreferenceType[]>(c, `${c.getPreferencesRoute(userId)}/${category}`, { method: 'get' });
const byName = (c: Client4, userId: string, category: string, name: string) =>
  call<PreferenceType>(c, `${c.getPreferencesRoute(userId)}/${category}/name/${name}`, { method: 'get' });
const rawPut = (c: Client4, userId: string, body: unknown) => call(c, c.getPreferencesRoute(userId), { method: 'put', body: JSON.stringify(body) });

const pref = (user: NewUser, category: string, name: string, value = 'true'): PreferenceType => ({ user_id: user.user.id, category, name, value });

describe('saving and reading preferences', () => {
  it('saves a batch and lists it, by category and by name', async () => {
    const saved = await alice.client.savePreferences(alice.user.id, [
      pref(alice, 'display_settings', 'use_military_time', 'true'),
      pref(alice, 'display_settings', 'name_format', 'nickname_full_name'),
      pref(alice, 'direct_channel_show', bob.user.id, 'true'),
    ]);
    expect(saved).toEqual({ status: 'OK' });

    const all = (await alice.client.getMyPreferences()) as unknown as PreferenceType[];
    expect(all).toEqual(
      expect.arrayContaining([
        { user_id: alice.user.id, category: 'display_settings', name: 'use_military_time', value: 'true' },
        { user_id: alice.user.id, category: 'display_settings', name: 'name_format', value: 'nickname_full_name' },
        { user_id: alice.user.id, category: 'direct_channel_show', name: bob.user.id, value: 'true' },
      ]),
    );
    expect(all.every((p) => p.user_id === alice.user.id)).toBe(true);

    const display = await byCategory(alice.client, 'me', 'display_settings');
    expect(display.map((p) => p.name).sort()).toEqual(['name_format', 'use_military_time']);

    const one = await byName(alice.client, alice.user.id, 'direct_channel_show', bob.user.id);
    expect(one).toEqual({ user_id: alice.user.id, category: 'direct_channel_show', name: bob.user.id, value: 'true' });
  });

  it('overwrites a value on a second save', async () => {
    await alice.client.savePreferences(alice.user.id, [pref(alice, 'advanced_settings', 'send_on_ctrl_enter', 'false')]);
    await alice.client.savePreferences(alice.user.id, [pref(alice, 'advanced_settings', 'send_on_ctrl_enter', 'true')]);
    expect((await byName(alice.client, 'me', 'advanced_settings', 'send_on_ctrl_enter')).value).toBe('true');
  });

  it('answers 404 for an empty category and 400 for a missing name, as Mattermost', async () => {
    const noCategory = await expectClientError(() => byCategory(alice.client, 'me', 'nothing_here'));
    expect(noCategory.status_code).toBe(404);
    expect(noCategory.server_error_id).toBe('api.preference.preferences_category.get.app_error');
    const noName = await expectClientError(() => byName(alice.client, 'me', 'display_settings', 'junk'));
    expect(noName.status_code).toBe(400);
    expect(noName.server_error_id).toBe('app.preference.get.app_error');
  });

  it('deletes preferences', async () => {
    await alice.client.savePreferences(alice.user.id, [pref(alice, 'favorite_channel', 'abc'), pref(alice, 'favorite_channel', 'def')]);
    const ok = await alice.client.deletePreferences(alice.user.id, [pref(alice, 'favorite_channel', 'abc')]);
    expect(ok).toEqual({ status: 'OK' });
    const left = await byCategory(alice.client, 'me', 'favorite_channel');
    expect(left.map((p) => p.name)).toEqual(['def']);
  });

  it('sanitises theme colours that are not #rgb or #rrggbb', async () => {
    const theme = { sidebarBg: '#145dbf', linkColor: 'url(javascript:alert(1))', type: 'Custom' };
    await alice.client.savePreferences(alice.user.id, [pref(alice, 'theme', '', JSON.stringify(theme))]);
    const stored = (await byCategory(alice.client, 'me', 'theme'))[0];
    expect(JSON.parse(stored.value)).toEqual({ sidebarBg: '#145dbf', linkColor: '#ffffff', type: 'Custom' });
  });

  it('lets a system admin read and change another user’s preferences', async () => {
    await admin.client.savePreferences(bob.user.id, [pref(bob, 'tutorial_step', bob.user.id, '999')]);
    const bobs = await admin.client.getUserPreferences(bob.user.id);
    expect(bobs).toContainEqual({ user_id: bob.user.id, category: 'tutorial_step', name: bob.user.id, value: '999' });
  });
});

describe('refusals', () => {
  it('forbids reading or changing another user’s preferences', async () => {
    for (const call of [
      () => alice.client.getUserPreferences(bob.user.id),
      () => byCategory(alice.client, bob.user.id, 'tutorial_step'),
      () => byName(alice.client, bob.user.id, 'tutorial_step', bob.user.id),
      () => alice.client.savePreferences(bob.user.id, [pref(bob, 'display_settings', 'x')]),
      () => alice.client.deletePreferences(bob.user.id, [pref(bob, 'tutorial_step', bob.user.id)]),
    ]) {
      const err = await expectClientError(call);
      expect(err.status_code).toBe(403);
      expect(err.server_error_id).toBe('api.context.permissions.app_error');
    }
  });

  it('forbids preferences whose user_id is not the user in the URL', async () => {
    const save = await expectClientError(() => alice.client.savePreferences(alice.user.id, [pref(bob, 'display_settings', 'x')]));
    expect(save.status_code).toBe(403);
    expect(save.server_error_id).toBe('api.preference.update_preferences.set.app_error');
    const del = await expectClientError(() => alice.client.deletePreferences(alice.user.id, [pref(bob, 'display_settings', 'x')]));
    expect(del.status_code).toBe(403);
    expect(del.server_error_id).toBe('api.preference.delete_preferences.delete.app_error');
  });

  it('refuses malformed bodies: not an array, empty, over 100, wrong field types', async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => pref(alice, 'display_settings', `n${i}`));
    for (const body of [{ category: 'x' }, [], tooMany, [{ user_id: alice.user.id, category: 'x', name: 'y', value: 1 }], ['x']]) {
      const err = await expectClientError(() => rawPut(alice.client, alice.user.id, body));
      expect(err.status_code).toBe(400);
      expect(err.server_error_id).toBe('api.context.invalid_body_param.app_error');
    }
    const del = await expectClientError(() => alice.client.deletePreferences(alice.user.id, []));
    expect(del.status_code).toBe(400);
  });

  it('validates category, name and value lengths and theme JSON', async () => {
    const cases: Array<[PreferenceType, string]> = [
      [pref(alice, '', 'x'), 'model.preference.is_valid.category.app_error'],
      [pref(alice, 'c'.repeat(33), 'x'), 'model.preference.is_valid.category.app_error'],
      [pref(alice, 'display_settings', 'n'.repeat(33)), 'model.preference.is_valid.name.app_error'],
      [pref(alice, 'display_settings', 'x', 'v'.repeat(2001)), 'model.preference.is_valid.value.app_error'],
      [pref(alice, 'theme', '', 'not json'), 'model.preference.is_valid.theme.app_error'],
      [pref(alice, 'sidebar_settings', 'limit_visible_dms_gms', '99'), 'model.preference.is_valid.limit_visible_dms_gms.app_error'],
    ];
    for (const [p, id] of cases) {
      const err = await expectClientError(() => alice.client.savePreferences(alice.user.id, [p]));
      expect(err.status_code).toBe(400);
      expect(err.server_error_id).toBe(id);
    }
    // nothing of a refused batch is stored
    const err = await expectClientError(() =>
      alice.client.savePreferences(alice.user.id, [pref(alice, 'batch_test', 'good'), pref(alice, 'batch_test', 'n'.repeat(40))]),
    );
    expect(err.status_code).toBe(400);
    const missing = await expectClientError(() => byCategory(alice.client, 'me', 'batch_test'));
    expect(missing.status_code).toBe(404);
  });

  it('flags (saves) only posts the caller can read', async () => {
    const team = await admin.client.createTeam({ name: `flags${Date.now()}`, display_name: 'Flags', type: 'O' } as Team);
    for (const u of [alice, bob]) await admin.client.addToTeam(team.id, u.user.id);
    const secret = await bob.client.createChannel({ team_id: team.id, name: 'bob-private', display_name: 'Bob private', type: 'P' });
    const open = await bob.client.createChannel({ team_id: team.id, name: 'open-room', display_name: 'Open', type: 'O' });
    await alice.client.addToChannel(alice.user.id, open.id);
    const hidden = await bob.client.createPost({ channel_id: secret.id, message: 'for bob only' } as Post);
    const visible = await bob.client.createPost({ channel_id: open.id, message: 'for everyone' } as Post);

    const err = await expectClientError(() => alice.client.savePreferences(alice.user.id, [pref(alice, 'flagged_post', hidden.id)]));
    expect(err.status_code).toBe(403);
    expect(err.server_error_id).toBe('api.context.permissions.app_error');

    await alice.client.savePreferences(alice.user.id, [pref(alice, 'flagged_post', visible.id)]);
    expect(await byName(alice.client, 'me', 'flagged_post', visible.id)).toMatchObject({ value: 'true' });
  });

  it('refuses flagging a post that does not exist', async () => {
    const err = await expectClientError(() => alice.client.savePreferences(alice.user.id, [pref(alice, 'flagged_post', bob.user.id)]));
    expect(err.status_code).toBe(400);
    expect(err.server_error_id).toBe('api.context.invalid_body_param.app_error');
  });

  it('refuses a bad user id in the URL and requests without a session', async () => {
    const bad = await expectClientError(() => alice.client.getUserPreferences('not-an-id'));
    expect(bad.status_code).toBe(400);
    expect(bad.server_error_id).toBe('api.context.invalid_url_param.app_error');
    const anon = await expectClientError(() => server.client().getUserPreferences(alice.user.id));
    expect(anon.status_code).toBe(401);
  });
});

describe('events', () => {
  it('sends preferences_changed and preferences_deleted (preferences as a JSON string) to the user only', async () => {
    const aliceSocket = await server.socket(alice.client);
    const bobSocket = await server.socket(bob.client);
    try {
      const saved = [pref(alice, 'events_test', 'one', 'a'), pref(alice, 'events_test', 'two', 'b')];
      await alice.client.savePreferences(alice.user.id, saved);
      const changed = await aliceSocket.waitFor('preferences_changed', (e) => String(e.data.preferences).includes('events_test'));
      expect(typeof changed.data.preferences).toBe('string');
      expect(JSON.parse(changed.data.preferences)).toEqual(saved);
      expect(changed.broadcast.user_id).toBe(alice.user.id);

      await alice.client.deletePreferences(alice.user.id, [saved[0]]);
      const deleted = await aliceSocket.waitFor('preferences_deleted');
      expect(JSON.parse(deleted.data.preferences)).toEqual([saved[0]]);

      await bobSocket.expectNone('preferences_changed');
      await bobSocket.expectNone('preferences_deleted', () => true, 100);
    } finally {
      aliceSocket.close();
      bobSocket.close();
    }
  });
});
