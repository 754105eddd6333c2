/**
 * Audit records through the API: the security-relevant changes a user or an admin makes are
 * recorded once they succeeded — who, from which session and address, the request's path, and
 * what changed — and read back by the user (GET /users/{id}/audits) and by system admins
 * (GET /audits). A refused change records nothing.
 */
import type { Command, IncomingWebhook, OAuthApp } from '@mattermost/types/integrations';
import type { Team } from '@mattermost/types/teams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, expectClientError, startServer, type NewUser, type TestServer } from '#testing';

let server: TestServer;
let admin: NewUser;
let user: NewUser;

beforeAll(async () => {
  server = await startServer({ MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS: 'true' });
  admin = await server.newUser({ username: 'admin' });
  user = await server.newUser({ username: 'auditee' });
});
afterAll(async () => {
  await server?.stop();
});

describe('audits', () => {
  it("records one's own password change with the session and address, newest first", async () => {
    const password = 'N3w-passw0rd!';
    await user.client.updateUserPassword(user.user.id, user.password, password);
    user.password = password;
    const [latest] = await user.client.getUserAudits(user.user.id, 0, 10);
    expect(latest).toMatchObject({
      user_id: user.user.id,
      action: `/api/v4/users/${user.user.id}/password`,
      extra_info: `user_id=${user.user.id} password changed`,
      ip_address: '127.0.0.1',
    });
    const sessions = await user.client.getSessions(user.user.id);
    expect(sessions.map((s) => s.id)).toContain(latest!.session_id);
    expect(latest!.id).toMatch(/^[a-z0-9]{26}$/);
  });

  it('records nothing for a change the server refused', async () => {
    const before = await user.client.getUserAudits(user.user.id, 0, 100);
    await expectClientError(() => user.client.updateUserPassword(user.user.id, 'not-the-current-one', 'An0ther-passw0rd!'));
    expect(await user.client.getUserAudits(user.user.id, 0, 100)).toEqual(before);
  });

  it("records an admin's changes to someone else under the admin, naming the account changed", async () => {
    await admin.client.updateUserRoles(user.user.id, 'system_user');
    await admin.client.updateUserActive(user.user.id, false);
    await admin.client.updateUserActive(user.user.id, true);
    await admin.client.revokeAllSessionsForUser(user.user.id);
    const mine = await admin.client.getUserAudits(admin.user.id, 0, 10);
    expect(mine.slice(0, 4).map((a) => [a.action, a.extra_info])).toEqual([
      [`/api/v4/users/${user.user.id}/sessions/revoke/all`, `user_id=${user.user.id} revoked all sessions`],
      [`/api/v4/users/${user.user.id}/active`, `user_id=${user.user.id} active=true`],
      [`/api/v4/users/${user.user.id}/active`, `user_id=${user.user.id} active=false`],
      [`/api/v4/users/${user.user.id}/roles`, `user_id=${user.user.id} roles=system_user`],
    ]);
  });

  it('records the config saved and personal access tokens made, and lists everything for system admins only', async () => {
    const config = await admin.client.getConfig();
    await admin.client.updateConfig(config);
    const token = await admin.client.createUserAccessToken(admin.user.id, 'ci');
    await admin.client.revokeUserAccessToken(token.id);
    const all = await admin.client.getAudits(0, 3);
    expect(all.map((a) => [a.action, a.extra_info])).toEqual([
      ['/api/v4/users/tokens/revoke', `revoked token_id=${token.id}`],
      [`/api/v4/users/${admin.user.id}/tokens`, `created token_id=${token.id}`],
      ['/api/v4/config', 'config saved'],
    ]);

    const other = await server.newUser();
    expect((await expectClientError(() => other.client.getAudits(0, 10))).status_code).toBe(403);
    expect((await expectClientError(() => other.client.getUserAudits(admin.user.id, 0, 10))).status_code).toBe(403);
    // Their own sign-up's login is all they have.
    expect((await other.client.getUserAudits(other.user.id, 0, 10)).map((a) => [a.action, a.extra_info])).toEqual([
      ['/api/v4/users/login', `login session_user=${other.user.id}`],
    ]);
  });

  it("records logins (naming the new session's user) and logouts, but not a refused login", async () => {
    const u = await server.newUser();
    const c = clientFor(server.url);
    await expectClientError(() => c.login(u.user.username, 'not the password'));
    await c.login(u.user.username, u.password);
    const audits = await u.client.getUserAudits(u.user.id, 0, 10);
    // The sign-up's login and this one; the refused try in between left nothing.
    expect(audits.map((a) => a.action)).toEqual(['/api/v4/users/login', '/api/v4/users/login']);
    expect(audits[0]).toMatchObject({ extra_info: `login session_user=${u.user.id}`, user_id: u.user.id });
    await c.logout();
    const [logout] = await u.client.getUserAudits(u.user.id, 0, 1);
    expect(logout).toMatchObject({ action: '/api/v4/users/logout', extra_info: 'logout', user_id: u.user.id });
  });

  it('records integration changes: a slash command made and removed, an incoming webhook and an OAuth app made', async () => {
    const team = await admin.client.createTeam({ name: 'audited', display_name: 'Audited', type: 'O' } as Team);
    const command = await admin.client.addCommand({ team_id: team.id, trigger: 'deploy', url: 'https://ci.example.com/deploy', method: 'P' } as Command);
    await admin.client.deleteCommand(command.id);
    const channel = await admin.client.getChannelByName(team.id, 'town-square');
    const hook = await admin.client.createIncomingWebhook({ channel_id: channel.id, display_name: 'ci' } as IncomingWebhook);
    const app = await admin.client.createOAuthApp({
      name: 'CI',
      description: 'builds',
      homepage: 'https://ci.example.com',
      callback_urls: ['https://ci.example.com/cb'],
    } as OAuthApp);
    const latest = await admin.client.getUserAudits(admin.user.id, 0, 4);
    expect(latest.map((a) => [a.action, a.extra_info])).toEqual([
      ['/api/v4/oauth/apps', `created app_id=${app.id}`],
      ['/api/v4/hooks/incoming', `created incoming hook_id=${hook.id}`],
      [`/api/v4/commands/${command.id}`, `deleted command_id=${command.id}`],
      ['/api/v4/commands', `created command_id=${command.id}`],
    ]);
  });
});
