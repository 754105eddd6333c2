/**
 * Sessions and tokens as an attacker meets them: what the database keeps of a token, what a
 * password change ends, how far a wrong current password gets, and what an open socket may still
 * receive after its user was demoted or its session ended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Job } from '@mattermost/types/jobs';
import type pg from 'pg';
import { clientFor, databasePool, expectClientError, NewUser, startServer, TestServer, TestSocket } from '#testing';

let server: TestServer;
let db: pg.Pool;
let admin: NewUser;

beforeAll(async () => {
  server = await startServer({ MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS: 'true', MM_SERVICESETTINGS_MAXIMUMLOGINATTEMPTS: '3' });
  db = databasePool(server.database);
  admin = await server.newUser({ username: 'admin' });
});
afterAll(async () => {
  await db?.end();
  await server?.stop();
});

/** A client of the server authenticated with `token` (a bearer token or anything else). */
function withToken(token: string): Client4 {
  const c = clientFor(server.url);
  c.setToken(token);
  return c;
}

/** Resolves when the socket's current connection closes. */
function closeOf(s: TestSocket): Promise<unknown> {
  const conn = (s.ws as any).conn as WebSocket;
  return new Promise((r) => conn.addEventListener('close', r));
}

describe('tokens at rest', () => {
  it('keeps no usable session token in the database; the bearer token still works', async () => {
    const u = await server.newUser();
    const rows = await db.query<{ token: string }>('SELECT token FROM sessions WHERE user_id = $1', [u.user.id]);
    expect(rows.rows).toHaveLength(1);
    const stored = rows.rows[0].token;
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toBe(u.client.getToken());
    const err = await expectClientError(() => withToken(stored).getMe());
    expect(err.status_code).toBe(401);
    expect((await u.client.getMe()).id).toBe(u.user.id);
    // GET /users/{id}/sessions hands out no token either.
    expect((await u.client.getSessions(u.user.id)).map((s) => s.token)).toEqual(['']);
  });

  it('keeps no usable personal access token; the token is returned once, at creation', async () => {
    const created = await admin.client.createUserAccessToken(admin.user.id, 'at rest');
    const rows = await db.query<{ token: string }>('SELECT token FROM user_access_tokens WHERE id = $1', [created.id]);
    const stored = rows.rows[0].token;
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    const sessionRows = await db.query<{ token: string }>(`SELECT token FROM sessions WHERE props->>'user_access_token_id' = $1`, [created.id]);
    expect(sessionRows.rows.map((r) => r.token)).toEqual([stored]);
    expect((await expectClientError(() => withToken(stored).getMe())).status_code).toBe(401);
    expect((await withToken(created.token!).getMe()).id).toBe(admin.user.id);
    expect((await admin.client.getUserAccessToken(created.id)).token).toBeFalsy();
    // Disabling and enabling it again reopens its session from the stored hash alone.
    await admin.client.disableUserAccessToken(created.id);
    expect((await expectClientError(() => withToken(created.token!).getMe())).status_code).toBe(401);
    await admin.client.enableUserAccessToken(created.id);
    expect((await withToken(created.token!).getMe()).id).toBe(admin.user.id);
    await admin.client.revokeUserAccessToken(created.id);
  });
});

describe('PUT /users/{id}/password', () => {
  it("ends the user's other sessions and closes their sockets, keeps the caller's session and the access tokens", async () => {
    const u = await server.newUser();
    await admin.client.updateUserRoles(u.user.id, 'system_user system_user_access_token');
    const pat = await u.client.createUserAccessToken(u.user.id, 'kept');
    const phone = clientFor(server.url);
    await phone.login(u.user.username, u.password);
    const phoneSocket = await server.socket(phone);
    const phoneClosed = closeOf(phoneSocket);

    await u.client.updateUserPassword(u.user.id, u.password, 'N3wPassword!');

    expect((await expectClientError(() => phone.getMe())).status_code).toBe(401);
    await phoneClosed;
    phoneSocket.close();
    expect((await u.client.getMe()).id).toBe(u.user.id);
    expect((await withToken(pat.token!).getMe()).id).toBe(u.user.id);
    await clientFor(server.url).login(u.user.username, 'N3wPassword!');
  });

  it('ends every session of the user when an admin changes it', async () => {
    const u = await server.newUser();
    await admin.client.updateUserPassword(u.user.id, '', 'N3wPassword!');
    expect((await expectClientError(() => u.client.getMe())).status_code).toBe(401);
    expect((await admin.client.getMe()).id).toBe(admin.user.id);
  });

  it('counts a wrong current password toward MaximumLoginAttempts, then locks the password change', async () => {
    const u = await server.newUser();
    for (let i = 0; i < 3; i++) {
      const wrong = await expectClientError(() => u.client.updateUserPassword(u.user.id, 'not-my-password', 'N3wPassword!'));
      expect(wrong.status_code).toBe(400);
      expect(wrong.server_error_id).toBe('api.user.update_password.incorrect.app_error');
    }
    const locked = await expectClientError(() => u.client.updateUserPassword(u.user.id, u.password, 'N3wPassword!'));
    expect(locked.status_code).toBe(401);
    expect(locked.server_error_id).toBe('api.user.check_user_login_attempts.too_many.app_error');
    // Counted apart from logins: a stolen session's guesses lock the password change, not the owner's login.
    await clientFor(server.url).login(u.user.username, u.password);
  });
});

describe("an open socket's roles", () => {
  const jobOf = (e: { data: Record<string, any> }) => JSON.parse(e.data.job) as Job;

  it('after a demotion, the socket gets no more admin-only job_updated events', async () => {
    const u = await server.newUser();
    await admin.client.updateUserRoles(u.user.id, 'system_user system_admin');
    const socket = await server.socket(u.client);
    const adminSocket = await server.socket(admin.client);
    try {
      const before = await admin.client.createJob({ type: 'cleanup_expired_sessions' } as any);
      await socket.waitFor('job_updated', (e) => jobOf(e).id === before.id && jobOf(e).status === 'success', 10_000);

      await admin.client.updateUserRoles(u.user.id, 'system_user');
      await socket.waitFor('user_role_updated', (e) => e.data.roles === 'system_user');
      const after = await admin.client.createJob({ type: 'cleanup_expired_sessions' } as any);
      await adminSocket.waitFor('job_updated', (e) => jobOf(e).id === after.id && jobOf(e).status === 'success', 10_000);
      // Events reach a socket in order: an event of the user's own published after the job's last
      // status arrives after anything the job sent to this socket.
      await u.client.patchMe({ nickname: 'after-demotion' });
      await socket.waitFor('user_updated', (e) => e.data.user.nickname === 'after-demotion');
      expect(socket.count('job_updated', (e) => jobOf(e).id === after.id)).toBe(0);
    } finally {
      socket.close();
      adminSocket.close();
    }
  });

  it("a revoked session's socket is closed", async () => {
    const u = await server.newUser();
    const socket = await server.socket(u.client);
    const closed = closeOf(socket);
    const [session] = await u.client.getSessions(u.user.id);
    await admin.client.revokeSession(u.user.id, session.id);
    await closed;
    socket.close();
  });
});
