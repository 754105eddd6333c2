import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClientError, NewUser, startServer, TestServer } from '#testing';

let server: TestServer;
let admin: NewUser;
let alice: NewUser;

beforeAll(async () => {
  server = await startServer({ MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS: 'true', MM_SERVICESETTINGS_MAXIMUMLOGINATTEMPTS: '3' });
  admin = await server.newUser({ username: 'admin' });
  alice = await server.newUser({ username: 'alice' });
});
afterAll(() => server?.stop());

describe('sign-up and login', () => {
  it('makes the first user a system admin and later ones system users', () => {
    expect(admin.user.roles).toBe('system_admin system_user');
    expect(alice.user.roles).toBe('system_user');
    expect((alice.user as any).password).toBeUndefined();
  });

  it('returns the Token header and the three session cookies on login', async () => {
    const res = await fetch(`${server.url}/api/v4/users/login`, {
      method: 'POST',
      body: JSON.stringify({ login_id: 'alice', password: alice.password }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('token')).toMatch(/^[a-z0-9]{26}$/);
    const cookies = res.headers.getSetCookie().map((c) => c.split('=')[0]);
    expect(cookies).toEqual(expect.arrayContaining(['MMAUTHTOKEN', 'MMUSERID', 'MMCSRF']));
    expect(res.headers.getSetCookie().find((c) => c.startsWith('MMAUTHTOKEN'))).toContain('HttpOnly');
  });

  it('refuses a wrong password with Mattermost error id, and locks after MaximumLoginAttempts', async () => {
    const victim = await server.newUser();
    for (let i = 0; i < 3; i++) {
      const err = await expectClientError(() => server.client().login(victim.user.username, 'wrong-password'));
      expect(err.status_code).toBe(401);
      expect(err.server_error_id).toBe('api.user.login.invalid_credentials_email_username');
    }
    const locked = await expectClientError(() => server.client().login(victim.user.username, victim.password));
    expect(locked.server_error_id).toBe('api.user.check_user_login_attempts.too_many.app_error');
  });

  it('enforces PasswordSettings on sign-up', async () => {
    const err = await expectClientError(() => server.client().createUser({ username: 'shorty', email: 'shorty@example.com', password: 'abc' } as any, '', ''));
    expect(err.status_code).toBe(400);
    expect(err.server_error_id).toBe('model.user.is_valid.pwd.app_error');
  });

  it('refuses duplicate usernames and invalid usernames', async () => {
    const dup = await expectClientError(() =>
      server.client().createUser({ username: 'alice', email: 'other@example.com', password: 'Passw0rd!x' } as any, '', ''),
    );
    expect(dup.server_error_id).toBe('app.user.save.username_exists.app_error');
    const bad = await expectClientError(() =>
      server.client().createUser({ username: 'Bad Name!', email: 'bad@example.com', password: 'Passw0rd!x' } as any, '', ''),
    );
    expect(bad.server_error_id).toBe('model.user.is_valid.username.app_error');
  });

  it('closes sign-up when the server is not open, but admins can still create users', async () => {
    const closed = await startServer({ MM_TEAMSETTINGS_ENABLEOPENSERVER: 'false' });
    try {
      const first = await closed.newUser(); // the first user may always sign up
      const err = await expectClientError(() =>
        closed.client().createUser({ username: 'late', email: 'late@example.com', password: 'Passw0rd!x' } as any, '', ''),
      );
      expect(err.status_code).toBe(403);
      expect(err.server_error_id).toBe('api.user.create_user.no_open_server');
      const made = await first.client.createUser({ username: 'invited', email: 'invited@example.com', password: 'Passw0rd!x' } as any, '', '');
      expect(made.username).toBe('invited');
    } finally {
      await closed.stop();
    }
  });

  it('logs out: the token stops working', async () => {
    const u = await server.newUser();
    await u.client.logout();
    const err = await expectClientError(() => u.client.getMe());
    expect(err.status_code).toBe(401);
    expect(err.server_error_id).toBe('api.context.session_expired.app_error');
  });
});

describe('users', () => {
  it('gets users by id, me, username, email, ids and usernames', async () => {
    const c = alice.client;
    expect((await c.getMe()).id).toBe(alice.user.id);
    expect((await c.getUser(admin.user.id)).username).toBe('admin');
    expect((await c.getUserByUsername('admin')).id).toBe(admin.user.id);
    expect((await c.getUserByEmail('admin@example.com')).id).toBe(admin.user.id);
    const byIds = await c.getProfilesByIds([admin.user.id, alice.user.id]);
    expect(byIds.map((u) => u.username).sort()).toEqual(['admin', 'alice']);
    const byNames = await c.getProfilesByUsernames(['admin']);
    expect(byNames[0].id).toBe(admin.user.id);
    const notFound = await expectClientError(() => c.getUser('abcdefghijklmnopqrstuvwxyz'));
    expect(notFound.status_code).toBe(404);
    const badId = await expectClientError(() => c.getUser('not-an-id'));
    expect(badId.status_code).toBe(400);
  });

  it('lists, searches and autocompletes users', async () => {
    const page = await alice.client.getProfiles(0, 100);
    expect(page.map((u) => u.username)).toEqual(expect.arrayContaining(['admin', 'alice']));
    const found = await alice.client.searchUsers('ali', {});
    expect(found.map((u) => u.username)).toContain('alice');
    const auto = await alice.client.autocompleteUsers('adm', '', '');
    expect(auto.users.map((u) => u.username)).toContain('admin');
  });

  it('hides other users private fields but shows the user its own', async () => {
    const other = await alice.client.getUser(admin.user.id);
    expect(other.notify_props).toEqual({});
    const me = await alice.client.getMe();
    expect(me.notify_props.desktop).toBe('mention');
  });

  it('patches only the own profile unless admin', async () => {
    const patched = await alice.client.patchMe({ nickname: 'Al' });
    expect(patched.nickname).toBe('Al');
    const denied = await expectClientError(() => alice.client.patchUser({ id: admin.user.id, nickname: 'pwned' } as any));
    expect(denied.status_code).toBe(403);
    const byAdmin = await admin.client.patchUser({ id: alice.user.id, position: 'Engineer' } as any);
    expect(byAdmin.position).toBe('Engineer');
  });

  it('only admins change roles; the change reaches the user socket', async () => {
    const bob = await server.newUser();
    const socket = await server.socket(bob.client);
    const denied = await expectClientError(() => alice.client.updateUserRoles(bob.user.id, 'system_user system_admin'));
    expect(denied.status_code).toBe(403);
    await admin.client.updateUserRoles(bob.user.id, 'system_user system_admin');
    const ev = await socket.waitFor('user_role_updated');
    expect(ev.data).toEqual({ user_id: bob.user.id, roles: 'system_user system_admin' });
    // The live session picks up the new role at once.
    await bob.client.getConfig();
    socket.close();
  });

  it('changes passwords: own needs the current one', async () => {
    const u = await server.newUser();
    const wrong = await expectClientError(() => u.client.updateUserPassword(u.user.id, 'nope', 'N3wPassword!'));
    expect(wrong.server_error_id).toBe('api.user.update_password.incorrect.app_error');
    await u.client.updateUserPassword(u.user.id, u.password, 'N3wPassword!');
    await server.client().login(u.user.username, 'N3wPassword!');
    const denied = await expectClientError(() => alice.client.updateUserPassword(u.user.id, '', 'Hacked123!'));
    expect(denied.status_code).toBe(403);
  });

  it('deactivates and reactivates users; deactivated users cannot log in', async () => {
    const u = await server.newUser();
    const denied = await expectClientError(() => alice.client.updateUserActive(u.user.id, false));
    expect(denied.status_code).toBe(403);
    await admin.client.updateUserActive(u.user.id, false);
    const err = await expectClientError(() => server.client().login(u.user.username, u.password));
    expect(err.server_error_id).toBe('api.user.login.inactive.app_error');
    const old = await expectClientError(() => u.client.getMe());
    expect(old.status_code).toBe(401);
    await admin.client.updateUserActive(u.user.id, true);
    await server.client().login(u.user.username, u.password);
  });

  it('serves a default profile image as PNG', async () => {
    const res = await fetch(alice.client.getProfilePictureUrl(admin.user.id, 0), { headers: { Authorization: `Bearer ${alice.client.getToken()}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
  });
});

describe('sessions', () => {
  it('lists sessions without tokens and revokes one', async () => {
    const u = await server.newUser();
    const second = server.client();
    await second.login(u.user.username, u.password);
    const sessions = await u.client.getSessions(u.user.id);
    expect(sessions.length).toBe(2);
    expect(sessions.every((s) => s.token === '')).toBe(true);
    const me = await second.getMe();
    const target = sessions.find((s) => s.id !== undefined && s.create_at === Math.max(...sessions.map((x) => x.create_at)))!;
    await u.client.revokeSession(me.id, target.id);
    const err = await expectClientError(() => second.getMe());
    expect(err.status_code).toBe(401);
    const denied = await expectClientError(() => alice.client.getSessions(u.user.id));
    expect(denied.status_code).toBe(403);
  });

  it('revokes all sessions of a user', async () => {
    const u = await server.newUser();
    await u.client.revokeAllSessionsForUser(u.user.id);
    expect((await expectClientError(() => u.client.getMe())).status_code).toBe(401);
  });
});

describe('auth rules', () => {
  it('requires CSRF for cookie-authenticated writes', async () => {
    const res = await fetch(`${server.url}/api/v4/users/login`, { method: 'POST', body: JSON.stringify({ login_id: 'alice', password: alice.password }) });
    const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
    const cookieHeader = cookies.join('; ');
    const csrf = cookies.find((c) => c.startsWith('MMCSRF='))!.slice('MMCSRF='.length);
    const url = `${server.url}/api/v4/users/me/patch`;
    const body = JSON.stringify({ nickname: 'csrf' });
    const noToken = await fetch(url, { method: 'PUT', headers: { Cookie: cookieHeader }, body });
    expect(noToken.status).toBe(401);
    expect((await noToken.json()).id).toBe('api.context.session_expired.app_error');
    const wrongToken = await fetch(url, { method: 'PUT', headers: { Cookie: cookieHeader, 'X-CSRF-Token': 'x'.repeat(26) }, body });
    expect(wrongToken.status).toBe(401);
    const ok = await fetch(url, { method: 'PUT', headers: { Cookie: cookieHeader, 'X-CSRF-Token': csrf }, body });
    expect(ok.status).toBe(200);
    const legacy = await fetch(url, { method: 'PUT', headers: { Cookie: cookieHeader, 'X-Requested-With': 'XMLHttpRequest' }, body });
    expect(legacy.status).toBe(200);
    const get = await fetch(`${server.url}/api/v4/users/me`, { headers: { Cookie: cookieHeader } });
    expect(get.status).toBe(200);
  });

  it('prefers the cookie over the Authorization header', async () => {
    const res = await fetch(`${server.url}/api/v4/users/me`, {
      headers: { Cookie: 'MMAUTHTOKEN=' + 'a'.repeat(26), Authorization: `Bearer ${alice.client.getToken()}` },
    });
    expect(res.status).toBe(401);
  });

  it('accepts `Token` authorization and refuses access_token in the query for non-OAuth sessions', async () => {
    const viaToken = await fetch(`${server.url}/api/v4/users/me`, { headers: { Authorization: `Token ${alice.client.getToken()}` } });
    expect(viaToken.status).toBe(200);
    const viaQuery = await fetch(`${server.url}/api/v4/users/me?access_token=${alice.client.getToken()}`);
    expect(viaQuery.status).toBe(401);
  });
});

describe('personal access tokens', () => {
  it('creates, uses, disables, enables and revokes a token', async () => {
    const created = await admin.client.createUserAccessToken(admin.user.id, 'ci token');
    expect(created.token).toMatch(/^[a-z0-9]{26}$/);
    const viaToken = server.client();
    viaToken.setToken(created.token!);
    expect((await viaToken.getMe()).id).toBe(admin.user.id);
    const list = await admin.client.getUserAccessTokensForUser(admin.user.id);
    expect(list.map((t) => t.id)).toContain(created.id);
    expect(list.every((t) => !t.token)).toBe(true);
    await admin.client.disableUserAccessToken(created.id);
    expect((await expectClientError(() => viaToken.getMe())).status_code).toBe(401);
    await admin.client.enableUserAccessToken(created.id);
    expect((await viaToken.getMe()).id).toBe(admin.user.id);
    await admin.client.revokeUserAccessToken(created.id);
    expect((await expectClientError(() => viaToken.getMe())).status_code).toBe(401);
  });

  it('refuses tokens to users without the permission', async () => {
    const err = await expectClientError(() => alice.client.createUserAccessToken(alice.user.id, 'mine'));
    expect(err.status_code).toBe(403);
  });
});
