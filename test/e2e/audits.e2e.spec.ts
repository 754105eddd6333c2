/**
 * Audit records through the API: the security-relevant changes a user or an admin makes are
 * recorded once they succeeded — who, from which session and address, the request's path, and
 * what changed — and read back by the user (GET /users/{id}/audits) and by system admins
 * (GET /audits). A refused change records nothing.
 */
import type { Bot } from '@mattermost/types/bots';
import type { Command, IncomingWebhook, OAuthApp, OutgoingWebhook } from '@mattermost/types/integrations';
import type { Team } from '@mattermost/types/teams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, expectClientError, startServer, type NewUser, type TestServer } from '#testing';

let server: TestServer;
let admin: NewUser;
let user: NewUser;

beforeAll(async () => {
  server = await startServer({ MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS: 'true', MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION: 'true' });
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
      [`/api/v4/users/${user.user.id}/roles`, `updateUserRoles user_id=${user.user.id} roles=system_user`],
    ]);
  });

  it('records the config saved and personal access tokens made, and lists everything for system admins only', async () => {
    const config = await admin.client.getConfig();
    await admin.client.updateConfig(config);
    const token = await admin.client.createUserAccessToken(admin.user.id, 'ci');
    await admin.client.revokeUserAccessToken(token.id);
    const all = await admin.client.getAudits(0, 3);
    expect(all.map((a) => [a.action, a.extra_info])).toEqual([
      ['/api/v4/users/tokens/revoke', `revokeUserAccessToken token_id=${token.id}`],
      [`/api/v4/users/${admin.user.id}/tokens`, `createUserAccessToken user_id=${admin.user.id} token_id=${token.id}`],
      ['/api/v4/config', 'updateConfig'],
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
      ['/api/v4/oauth/apps', `createOAuthApp app_id=${app.id}`],
      ['/api/v4/hooks/incoming', `createIncomingHook hook_id=${hook.id}`],
      [`/api/v4/commands/${command.id}`, `deleteCommand command_id=${command.id}`],
      ['/api/v4/commands', `createCommand command_id=${command.id}`],
    ]);
  });

  it("records role changes under Mattermost's event names: team and channel member roles and scheme roles, a role patch", async () => {
    // A fresh member: the suite's user had every session revoked above.
    const user = await server.newUser();
    const team = await admin.client.createTeam({ name: 'roles-audited', display_name: 'Roles', type: 'O' } as Team);
    await admin.client.addToTeam(team.id, user.user.id);
    const channel = await admin.client.getChannelByName(team.id, 'town-square');
    await admin.client.updateTeamMemberRoles(team.id, user.user.id, 'team_user team_admin' as never);
    await admin.client.updateTeamMemberSchemeRoles(team.id, user.user.id, true, false);
    await admin.client.updateChannelMemberRoles(channel.id, user.user.id, 'channel_user channel_admin');
    await admin.client.updateChannelMemberSchemeRoles(channel.id, user.user.id, true, false);
    const role = await admin.client.getRoleByName('system_user');
    await admin.client.patchRole(role.id, { permissions: role.permissions });
    const latest = await admin.client.getUserAudits(admin.user.id, 0, 5);
    expect(latest.map((a) => [a.action, a.extra_info])).toEqual([
      [`/api/v4/roles/${role.id}/patch`, `patchRole role_id=${role.id} name=system_user permissions=${role.permissions.join(' ')}`.slice(0, 1024)],
      [
        `/api/v4/channels/${channel.id}/members/${user.user.id}/schemeRoles`,
        `updateChannelMemberSchemeRoles channel_id=${channel.id} user_id=${user.user.id} scheme_admin=false scheme_user=true`,
      ],
      [
        `/api/v4/channels/${channel.id}/members/${user.user.id}/roles`,
        `updateChannelMemberRoles channel_id=${channel.id} user_id=${user.user.id} roles=channel_user channel_admin`,
      ],
      [
        `/api/v4/teams/${team.id}/members/${user.user.id}/schemeRoles`,
        `updateTeamMemberSchemeRoles team_id=${team.id} user_id=${user.user.id} scheme_admin=false scheme_user=true`,
      ],
      [`/api/v4/teams/${team.id}/members/${user.user.id}/roles`, `updateTeamMemberRoles team_id=${team.id} user_id=${user.user.id} roles=team_user team_admin`],
    ]);
    // The member whose roles changed sees none of it in their own records.
    expect((await user.client.getUserAudits(user.user.id, 0, 100)).some((a) => a.extra_info.startsWith('updateTeamMemberRoles'))).toBe(false);
  });

  it('records config patches and reloads, and every kind of integration change', async () => {
    await admin.client.patchConfig({ TeamSettings: { SiteName: 'Audited' } } as never);
    await admin.client.reloadConfig();
    const team = await admin.client.createTeam({ name: 'hooks-audited', display_name: 'Hooks', type: 'O' } as Team);
    const channel = await admin.client.getChannelByName(team.id, 'town-square');
    const hook = await admin.client.createOutgoingWebhook({
      team_id: team.id,
      channel_id: channel.id,
      display_name: 'out',
      trigger_words: ['audit'],
      callback_urls: ['https://ci.example.com/out'],
    } as OutgoingWebhook);
    await admin.client.regenOutgoingHookToken(hook.id);
    await admin.client.removeOutgoingWebhook(hook.id);
    const incoming = await admin.client.createIncomingWebhook({ channel_id: channel.id, display_name: 'in' } as IncomingWebhook);
    await admin.client.updateIncomingWebhook({ ...incoming, display_name: 'in2' });
    await admin.client.removeIncomingWebhook(incoming.id);
    const app = await admin.client.createOAuthApp({
      name: 'A',
      description: 'a',
      homepage: 'https://a.example.com',
      callback_urls: ['https://a.example.com/cb'],
    } as OAuthApp);
    await admin.client.editOAuthApp({ ...app, name: 'B' });
    await admin.client.regenOAuthAppSecret(app.id);
    await admin.client.deleteOAuthApp(app.id);
    const bot = await admin.client.createBot({ username: 'auditbot', display_name: 'Audit bot' } as Bot);
    await admin.client.patchBot(bot.user_id, { display_name: 'Audited bot' } as Bot);
    await admin.client.disableBot(bot.user_id);
    await admin.client.enableBot(bot.user_id);
    const token = await admin.client.createUserAccessToken(admin.user.id, 'audited');
    await admin.client.disableUserAccessToken(token.id);
    await admin.client.enableUserAccessToken(token.id);

    const latest = await admin.client.getUserAudits(admin.user.id, 0, 19);
    expect(latest.map((a) => a.extra_info)).toEqual([
      `enableUserAccessToken token_id=${token.id}`,
      `disableUserAccessToken token_id=${token.id}`,
      `createUserAccessToken user_id=${admin.user.id} token_id=${token.id}`,
      `updateBotActive user_id=${bot.user_id} active=true`,
      `updateBotActive user_id=${bot.user_id} active=false`,
      `patchBot user_id=${bot.user_id}`,
      `createBot user_id=${bot.user_id}`,
      `deleteOAuthApp app_id=${app.id}`,
      `regenerateOAuthAppSecret app_id=${app.id}`,
      `updateOAuthApp app_id=${app.id}`,
      `createOAuthApp app_id=${app.id}`,
      `deleteIncomingHook hook_id=${incoming.id}`,
      `updateIncomingHook hook_id=${incoming.id}`,
      `createIncomingHook hook_id=${incoming.id}`,
      `deleteOutgoingHook hook_id=${hook.id}`,
      `regenOutgoingHookToken hook_id=${hook.id}`,
      `createOutgoingHook hook_id=${hook.id}`,
      // (creating the team is no audited change)
      'configReload',
      'patchConfig',
    ]);
  });
});
