/**
 * Bots (/api/v4/bots) through Mattermost's client: EnableBotAccountCreation, the owner's direct
 * message, bot users in user lists, tokens a bot posts with (EnableUserAccessTokens stays off: bots'
 * tokens work regardless), disabling (the sessions end) and enabling, assigning, converting both
 * ways, and the permission rules (create_bot, read_/manage_(others_)bots) with custom roles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Bot } from '@mattermost/types/bots';
import type { Post } from '@mattermost/types/posts';
import { clientFor, eventually, expectClientError, NewUser, startServer, TestServer, TestSocket } from '#testing';

let server: TestServer;
let admin: NewUser;
let alice: NewUser;
let bob: NewUser;
let adminSocket: TestSocket;
let teamId: string;
let channelId: string;

const PERMISSION = 'api.context.permissions.app_error';
const NOT_FOUND = 'store.sql_bot.get.missing.app_error';
let seq = 0;
const name = (prefix: string) => `${prefix}${Date.now().toString(36)}${++seq}`;

function withToken(token: string): Client4 {
  const c = clientFor(server.url);
  c.setToken(token);
  return c;
}

/** A request through Client4's own fetch, for the routes Client4 has no method for. */
function call<T>(c: Client4, method: string, path: string, body?: unknown): Promise<T> {
  return (c as any).doFetch(`${c.getBaseRoute()}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function enableBots(on: boolean) {
  await admin.client.patchConfig({ ServiceSettings: { EnableBotAccountCreation: on } } as any);
}

beforeAll(async () => {
  server = await startServer();
  admin = await server.newUser({ username: name('admin') });
  alice = await server.newUser({ username: name('alice') });
  bob = await server.newUser({ username: name('bob') });
  adminSocket = await server.socket(admin.client);
  const team = await admin.client.createTeam({ name: name('botteam'), display_name: 'Bots', type: 'O' } as any);
  teamId = team.id;
  await admin.client.addToTeam(teamId, alice.user.id);
  channelId = (await admin.client.createChannel({ team_id: teamId, name: name('botchan'), display_name: 'Bot chan', type: 'O' } as any)).id;
}, 60_000);
afterAll(() => server?.stop());

describe('POST /bots', () => {
  it('is refused with EnableBotAccountCreation off (the default), after create_bot', async () => {
    const off = await expectClientError(() => admin.client.createBot({ username: name('offbot') } as Bot));
    expect([off.status_code, off.server_error_id]).toEqual([403, 'api.bot.create_disabled']);
    const plain = await expectClientError(() => alice.client.createBot({ username: name('offbot') } as Bot));
    expect([plain.status_code, plain.server_error_id]).toEqual([403, PERMISSION]);
  });

  it('creates the bot user and greets the owner in a direct message', async () => {
    await enableBots(true);
    const username = name('helper');
    const before = Date.now();
    const bot = await admin.client.createBot({ username, display_name: 'Helper', description: 'Helps out' } as Bot);
    expect(bot).toEqual({
      user_id: expect.stringMatching(/^[a-z0-9]{26}$/),
      username,
      display_name: 'Helper',
      description: 'Helps out',
      owner_id: admin.user.id,
      create_at: expect.any(Number),
      update_at: bot.create_at,
      delete_at: 0,
    });
    expect(bot.create_at).toBeGreaterThanOrEqual(before);

    // The owner's direct channel with the bot carries its first message.
    const posted = await adminSocket.waitFor('posted', (e) => JSON.parse(e.data.post).user_id === bot.user_id);
    const post = JSON.parse(posted.data.post) as Post;
    expect(post).toMatchObject({
      type: 'add_bot_teams_channels',
      message: 'Please add me to teams and channels you want me to interact in. To do this, use the browser or Mattermost Desktop App.',
      props: { from_bot: 'true' },
    });
    expect(posted.data.channel_type).toBe('D');

    // The user row: a bot, with its description, in the user lists like anyone.
    const user = await admin.client.getUser(bot.user_id);
    expect(user).toMatchObject({ id: bot.user_id, username, first_name: 'Helper', is_bot: true, bot_description: 'Helps out', email: `${username}@localhost` });
    const others = await alice.client.getProfilesByIds([bot.user_id, alice.user.id]);
    expect(others.find((u) => u.id === bot.user_id)).toMatchObject({ is_bot: true, bot_description: 'Helps out' });
    expect(others.find((u) => u.id === alice.user.id)).not.toHaveProperty('bot_description');
    expect((await alice.client.getUser(alice.user.id)).is_bot).toBe(false);
  });

  it('refuses a bad or taken username and an over-long description with 400s', async () => {
    const bad = await expectClientError(() => admin.client.createBot({ username: 'No Spaces' } as Bot));
    expect([bad.status_code, bad.server_error_id]).toEqual([400, 'model.bot.is_valid.username.app_error']);
    const taken = await expectClientError(() => admin.client.createBot({ username: alice.user.username } as Bot));
    expect([taken.status_code, taken.server_error_id]).toEqual([400, 'app.user.save.username_exists.app_error']);
    const long = await expectClientError(() => admin.client.createBot({ username: name('longbot'), description: 'x'.repeat(1025) } as Bot));
    expect([long.status_code, long.server_error_id]).toEqual([400, 'model.bot.is_valid.description.app_error']);
  });
});

describe('reading bots', () => {
  it('lists bots oldest first, with include_deleted and only_orphaned', async () => {
    const a = await admin.client.createBot({ username: name('lista') } as Bot);
    const b = await admin.client.createBot({ username: name('listb') } as Bot);
    await admin.client.disableBot(b.user_id);
    const live = (await admin.client.getBots(0, 200)).map((x) => x.user_id);
    expect(live).toContain(a.user_id);
    expect(live).not.toContain(b.user_id);
    const all = (await admin.client.getBotsIncludeDeleted(0, 200)).map((x) => x.user_id);
    expect(all.indexOf(a.user_id)).toBeLessThan(all.indexOf(b.user_id));
    expect((await admin.client.getBots(0, 1)).length).toBe(1);

    // Orphaned: the owner is deactivated.
    const owner = await server.newUser({ username: name('owner') });
    const orphan = await admin.client.createBot({ username: name('orphan') } as Bot);
    await admin.client.assignBot(orphan.user_id, owner.user.id);
    expect((await admin.client.getBotsOrphaned(0, 200)).map((x) => x.user_id)).not.toContain(orphan.user_id);
    await admin.client.updateUserActive(owner.user.id, false);
    expect((await admin.client.getBotsOrphaned(0, 200)).map((x) => x.user_id)).toEqual([orphan.user_id]);
  });

  it('hides a disabled bot from GET /bots/{id} unless include_deleted', async () => {
    const bot = await admin.client.createBot({ username: name('hidden') } as Bot);
    await admin.client.disableBot(bot.user_id);
    const err = await expectClientError(() => admin.client.getBot(bot.user_id));
    expect([err.status_code, err.server_error_id]).toEqual([404, NOT_FOUND]);
    const got = await call<Bot>(admin.client, 'get', `/bots/${bot.user_id}?include_deleted=true`);
    expect(got.delete_at).toBeGreaterThan(0);
  });
});

describe('a bot at work', () => {
  it('posts and opens a direct message with a token, EnableUserAccessTokens off; disabling ends it, enabling brings it back', async () => {
    const bot = await admin.client.createBot({ username: name('worker') } as Bot);
    // A person's token is refused with the setting off; a bot's is not.
    const person = await expectClientError(() => admin.client.createUserAccessToken(alice.user.id, 'ci'));
    expect([person.status_code, person.server_error_id]).toEqual([501, 'api.user.create_user_access_token.disabled']);
    const token = await admin.client.createUserAccessToken(bot.user_id, 'ci');
    const botClient = withToken(token.token!);
    expect((await botClient.getMe()).id).toBe(bot.user_id);

    await admin.client.addToTeam(teamId, bot.user_id);
    await admin.client.addToChannel(bot.user_id, channelId);
    const post = await botClient.createPost({ channel_id: channelId, message: 'build green' } as Post);
    expect(post).toMatchObject({ user_id: bot.user_id, message: 'build green', props: { from_bot: 'true' } });
    const dm = await botClient.createDirectChannel([bot.user_id, alice.user.id]);
    const hello = await botClient.createPost({ channel_id: dm.id, message: 'hi alice' } as Post);
    expect((await alice.client.getPost(hello.id)).message).toBe('hi alice');

    // A bot has no password to log in with.
    const login = await expectClientError(() => clientFor(server.url).login(bot.username, 'anything1!'));
    expect(login.status_code).toBe(401);

    const updated = adminSocket.waitFor('user_updated', (e) => e.data.user.id === bot.user_id && e.data.user.delete_at > 0);
    const disabled = await admin.client.disableBot(bot.user_id);
    expect(disabled.delete_at).toBeGreaterThan(0);
    await updated;
    expect((await expectClientError(() => botClient.getMe())).status_code).toBe(401);
    expect((await admin.client.getUser(bot.user_id)).delete_at).toBeGreaterThan(0);

    const enabled = await admin.client.enableBot(bot.user_id);
    expect(enabled.delete_at).toBe(0);
    expect((await botClient.getMe()).id).toBe(bot.user_id);
  });

  it('patches the bot and its user, announcing user_updated', async () => {
    const bot = await admin.client.createBot({ username: name('patchme'), display_name: 'Old' } as Bot);
    const newName = name('patched');
    const event = adminSocket.waitFor('user_updated', (e) => e.data.user.id === bot.user_id && e.data.user.username === newName);
    const patched = await admin.client.patchBot(bot.user_id, { username: newName, display_name: 'New', description: 'now described' } as Bot);
    expect(patched).toMatchObject({ user_id: bot.user_id, username: newName, display_name: 'New', description: 'now described' });
    expect(patched.update_at).toBeGreaterThan(bot.update_at - 1);
    expect((await event).data.user.first_name).toBe('New');
    expect(await admin.client.getUser(bot.user_id)).toMatchObject({ username: newName, email: `${newName}@localhost`, bot_description: 'now described' });
  });

  it('assigns a bot to another user, never to a bot', async () => {
    const bot = await admin.client.createBot({ username: name('assign') } as Bot);
    const other = await admin.client.createBot({ username: name('otherbot') } as Bot);
    const moved = await admin.client.assignBot(bot.user_id, alice.user.id);
    expect(moved.owner_id).toBe(alice.user.id);
    const toBot = await expectClientError(() => admin.client.assignBot(bot.user_id, other.user_id));
    expect([toBot.status_code, toBot.server_error_id]).toEqual([403, PERMISSION]);
    const nobody = await expectClientError(() => admin.client.assignBot(bot.user_id, 'a'.repeat(26)));
    expect(nobody.status_code).toBe(404);
  });
});

describe('icons', () => {
  const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle cx="4" cy="4" r="4"/></svg>';
  const upload = (c: Client4, botId: string, body: string, type = 'image/svg+xml') => {
    const form = new FormData();
    form.append('image', new File([body], 'icon.svg', { type }));
    return fetch(`${c.getBaseRoute()}/bots/${botId}/icon`, { method: 'POST', headers: { Authorization: `Bearer ${c.getToken()}` }, body: form });
  };
  const iconOf = (c: Client4, botId: string) => fetch(`${c.getBaseRoute()}/bots/${botId}/icon`, { headers: { Authorization: `Bearer ${c.getToken()}` } });

  it('stores an SVG for the bot, serves it under its own CSP, announces it, and deletes it', async () => {
    const bot = await admin.client.createBot({ username: name('iconic') } as Bot);
    const none = await iconOf(alice.client, bot.user_id);
    expect([none.status, ((await none.json()) as { id: string }).id]).toEqual([404, 'api.bot.get_bot_icon_image.read.app_error']);

    const png = await upload(admin.client, bot.user_id, '\x89PNG not an svg', 'image/png');
    expect([png.status, ((await png.json()) as { id: string }).id]).toEqual([400, 'api.bot.set_bot_icon_image.parse.app_error']);
    const stranger = await upload(alice.client, bot.user_id, SVG);
    expect([stranger.status, ((await stranger.json()) as { id: string }).id]).toEqual([404, NOT_FOUND]);

    const event = adminSocket.waitFor('user_updated', (e) => e.data.user.id === bot.user_id && e.data.user.bot_last_icon_update > 0);
    expect((await upload(admin.client, bot.user_id, SVG)).status).toBe(200);
    await event;
    const icon = await iconOf(alice.client, bot.user_id);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(icon.headers.get('content-security-policy')).toContain('sandbox');
    expect(await icon.text()).toBe(SVG);
    expect((await admin.client.getBot(bot.user_id)) as unknown as Record<string, unknown>).toMatchObject({ last_icon_update: expect.any(Number) });
    expect((await alice.client.getUser(bot.user_id)) as unknown as Record<string, unknown>).toMatchObject({ bot_last_icon_update: expect.any(Number) });

    const removed = await fetch(`${admin.client.getBaseRoute()}/bots/${bot.user_id}/icon`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${admin.client.getToken()}` },
    });
    expect(removed.status).toBe(200);
    expect((await iconOf(alice.client, bot.user_id)).status).toBe(404);
    expect(await admin.client.getUser(bot.user_id)).not.toHaveProperty('bot_last_icon_update');
    expect(await admin.client.getBot(bot.user_id)).not.toHaveProperty('last_icon_update');
  });
});

describe('converting', () => {
  it('turns a user into a bot (no more password logins) and a bot back into a user with a password', async () => {
    const carl = await server.newUser({ username: name('carl') });
    const denied = await expectClientError(() => call(alice.client, 'post', `/users/${carl.user.id}/convert_to_bot`));
    expect([denied.status_code, denied.server_error_id]).toEqual([403, PERMISSION]);
    const bot = await call<Bot>(admin.client, 'post', `/users/${carl.user.id}/convert_to_bot`);
    expect(bot).toMatchObject({ user_id: carl.user.id, username: carl.user.username, owner_id: carl.user.id, delete_at: 0 });
    expect((await admin.client.getUser(carl.user.id)).is_bot).toBe(true);
    expect((await admin.client.getBot(carl.user.id)).owner_id).toBe(carl.user.id);
    const login = await expectClientError(() => clientFor(server.url).login(carl.user.username, carl.password));
    expect([login.status_code, login.server_error_id]).toEqual([401, 'api.user.login.bot_login_forbidden.app_error']);
    const again = await expectClientError(() => call(admin.client, 'post', `/users/${carl.user.id}/convert_to_bot`));
    expect(again.status_code).toBe(400);

    // Back to a user: a password is required, then manage_system.
    const noPassword = await expectClientError(() => call(admin.client, 'post', `/bots/${carl.user.id}/convert_to_user`, { nickname: 'x' }));
    expect([noPassword.status_code, noPassword.server_error_id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
    const notAdmin = await expectClientError(() => call(alice.client, 'post', `/bots/${carl.user.id}/convert_to_user`, { password: 'Passw0rd!back' }));
    expect(notAdmin.status_code).toBe(403);
    const user = await call<any>(admin.client, 'post', `/bots/${carl.user.id}/convert_to_user?set_system_admin=true`, {
      password: 'Passw0rd!back',
      nickname: 'Carl again',
    });
    expect(user).toMatchObject({ id: carl.user.id, nickname: 'Carl again', is_bot: false, roles: 'system_user system_admin' });
    expect(user).not.toHaveProperty('bot_description');
    expect((await clientFor(server.url).login(carl.user.username, 'Passw0rd!back')).id).toBe(carl.user.id);
    const gone = await expectClientError(() => admin.client.getBot(carl.user.id));
    expect([gone.status_code, gone.server_error_id]).toEqual([404, NOT_FOUND]);
  });
});

describe('permissions', () => {
  it('a user without bot permissions lists nothing and sees no bot', async () => {
    const bot = await admin.client.createBot({ username: name('secret') } as Bot);
    const list = await expectClientError(() => alice.client.getBots());
    expect([list.status_code, list.server_error_id]).toEqual([403, PERMISSION]);
    for (const attempt of [
      () => alice.client.getBot(bot.user_id),
      () => alice.client.disableBot(bot.user_id),
      () => alice.client.patchBot(bot.user_id, { description: 'x' } as Bot),
    ]) {
      const err = await expectClientError(attempt);
      expect([err.status_code, err.server_error_id]).toEqual([404, NOT_FOUND]);
    }
    // Nor a token for it.
    const token = await expectClientError(() => alice.client.createUserAccessToken(bot.user_id, 'mine'));
    expect(token.status_code).toBe(403);
  });

  it('with create_bot, read_bots and manage_bots a user runs their own bots, and only sees others with read_others_bots', async () => {
    const role = await admin.client.getRoleByName('system_user');
    const granted = ['create_bot', 'read_bots', 'manage_bots', 'create_user_access_token'];
    await admin.client.patchRole(role.id, { permissions: [...role.permissions, ...granted] });
    try {
      await eventually(async () => expect(await bob.client.getBots()).toEqual([]), 5000);
      const mine = await bob.client.createBot({ username: name('bobsbot') } as Bot);
      expect(mine.owner_id).toBe(bob.user.id);
      expect((await bob.client.getBots()).map((b) => b.user_id)).toEqual([mine.user_id]);
      expect((await bob.client.patchBot(mine.user_id, { description: 'mine' } as Bot)).description).toBe('mine');
      const token = await bob.client.createUserAccessToken(mine.user_id, 'bob runs it');
      expect((await withToken(token.token!).getMe()).id).toBe(mine.user_id);

      // A bot cannot create bots.
      const botCreates = await expectClientError(() => withToken(token.token!).createBot({ username: name('botbot') } as Bot));
      expect([botCreates.status_code, botCreates.server_error_id]).toEqual([403, PERMISSION]);

      // Someone else's bot: not found without read_others_bots, a permission error with it.
      const adminsBot = await admin.client.createBot({ username: name('adminsbot') } as Bot);
      const hidden = await expectClientError(() => bob.client.disableBot(adminsBot.user_id));
      expect([hidden.status_code, hidden.server_error_id]).toEqual([404, NOT_FOUND]);
      await admin.client.patchRole(role.id, { permissions: [...role.permissions, ...granted, 'read_others_bots'] });
      await eventually(async () => expect((await bob.client.getBot(adminsBot.user_id)).user_id).toBe(adminsBot.user_id), 5000);
      const denied = await expectClientError(() => bob.client.disableBot(adminsBot.user_id));
      expect([denied.status_code, denied.server_error_id]).toEqual([403, PERMISSION]);
    } finally {
      await admin.client.patchRole(role.id, { permissions: role.permissions });
    }
  });
});
