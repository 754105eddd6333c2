import { describe, expect, it } from 'vitest';
import { notFound } from '#common';
import { Config, ConfigService, defaultConfig } from '#config';
import { LocalInvalidationBus } from '#realtime';
import { RecordingPublisher } from '#testing';
import { PermissionsService } from '../auth/permissions.service.js';
import { defaultRoles } from '../roles/in-memory-roles.js';
import type { SessionsService } from '../auth/sessions.service.js';
import type { Session } from '../common/session.js';
import type { TeamsService } from '../teams/teams.service.js';
import type { UserRow } from './user.model.js';
import type { UserKeys, UsersRepository } from './users.repository.js';
import type { LoginService } from './login.service.js';
import { SignUpInput, UsersService } from './users.service.js';

/** An in-memory users table with the repository's sign-up contract. */
class MemoryUsers {
  rows: UserRow[] = [];
  async any() {
    return this.rows.length > 0;
  }
  async insertSerialised(u: UserRow, decide: (clashes: UserKeys[], first: boolean) => void) {
    decide(
      this.rows.filter((r) => r.username === u.username || r.email === u.email),
      this.rows.length === 0,
    );
    this.rows.push({ ...u });
  }
}

/** The two team operations sign-up uses, over one team reachable by its invite id. */
class MemoryTeams {
  readonly team = { id: 't'.repeat(26), invite_id: 'i'.repeat(26), delete_at: 0 };
  members: Array<{ teamId: string; userId: string }> = [];
  async byInviteId(inviteId: string) {
    if (inviteId !== this.team.invite_id) throw notFound('app.team.get_by_invite_id.finding.app_error', 'Unable to find the existing team.');
    return this.team;
  }
  async addMember(teamId: string, userId: string) {
    this.members.push({ teamId, userId });
  }
}

function setup(teamSettings: Partial<Config['TeamSettings']> = {}) {
  const config = structuredClone(defaultConfig);
  Object.assign(config.TeamSettings, teamSettings);
  const users = new MemoryUsers();
  const teams = new MemoryTeams();
  const publisher = new RecordingPublisher();
  const service = new UsersService(
    users as unknown as UsersRepository,
    { get: () => config } as unknown as ConfigService,
    undefined as unknown as SessionsService, // signing up opens no session
    new PermissionsService(undefined as never, undefined as never, defaultRoles()), // system-level checks read the session's roles only
    teams as unknown as TeamsService,
    publisher,
    new LocalInvalidationBus(),
    undefined as unknown as LoginService, // no password checks here
    undefined as never, // team invitations: no sign-up with an invitation here
    undefined as never, // verification links: no RequireEmailVerification here
  );
  return { service, users, teams, publisher, config };
}

let n = 0;
const input = (over: SignUpInput = {}): SignUpInput => ({ username: `user${++n}`, email: `user${n}@example.com`, password: 'Passw0rd!x', ...over });
const actor = (roles: string) => ({ user_id: 'a'.repeat(26), roles }) as Session;

/** Fills the table with one account, so the next sign-up is not the first. */
async function withFirstUser(teamSettings: Partial<Config['TeamSettings']>) {
  const ctx = setup({ EnableUserCreation: true, EnableOpenServer: true });
  await ctx.service.signUp(undefined, input(), undefined);
  Object.assign(ctx.config.TeamSettings, teamSettings);
  return ctx;
}

describe('UsersService.signUp', () => {
  it('lets the first account sign up even on a closed server, as a system admin', async () => {
    const { service, users } = setup({ EnableUserCreation: false, EnableOpenServer: false });
    const first = await service.signUp(undefined, input(), undefined);
    expect(first.roles).toBe('system_admin system_user');
    const second = await service.signUp(actor('system_user system_admin'), input(), undefined);
    expect(second.roles).toBe('system_user');
    expect(users.rows).toHaveLength(2);
  });

  it('answers 501 when EnableUserCreation is off, before the open-server rule', async () => {
    const { service, users } = await withFirstUser({ EnableUserCreation: false, EnableOpenServer: false });
    await expect(service.signUp(undefined, input(), undefined)).rejects.toMatchObject({ statusCode: 501, id: 'api.user.create_user.disabled.app_error' });
    await expect(service.signUp(actor('system_user'), input(), { inviteId: 'i'.repeat(26) })).rejects.toMatchObject({ statusCode: 501 });
    expect(users.rows).toHaveLength(1);
  });

  it('answers 403 on a closed server without an invite', async () => {
    const { service, users } = await withFirstUser({ EnableOpenServer: false });
    await expect(service.signUp(actor('system_user'), input(), undefined)).rejects.toMatchObject({
      statusCode: 403,
      id: 'api.user.create_user.no_open_server',
    });
    expect(users.rows).toHaveLength(1);
  });

  it('accepts a team invite on a closed server and adds the new user to that team', async () => {
    const { service, teams, publisher } = await withFirstUser({ EnableOpenServer: false });
    const made = await service.signUp(undefined, input(), { inviteId: teams.team.invite_id });
    expect(made.roles).toBe('system_user');
    expect(teams.members).toEqual([{ teamId: teams.team.id, userId: made.id }]);
    expect(publisher.events.at(-1)).toMatchObject({ event: 'new_user', data: { user_id: made.id } });
  });

  it('refuses an unknown invite before creating anyone', async () => {
    const { service, users, teams } = await withFirstUser({ EnableOpenServer: false });
    await expect(service.signUp(undefined, input(), { inviteId: 'x'.repeat(26) })).rejects.toMatchObject({ statusCode: 404 });
    expect(users.rows).toHaveLength(1);
    expect(teams.members).toHaveLength(0);
  });

  it('lets system admins create accounts whatever the settings', async () => {
    const { service, users } = await withFirstUser({ EnableUserCreation: false, EnableOpenServer: false });
    await service.signUp(actor('system_user system_admin'), input(), undefined);
    expect(users.rows).toHaveLength(2);
  });

  it('checks the sign-up rules before the required fields, then names the missing one', async () => {
    const closed = await withFirstUser({ EnableUserCreation: false });
    await expect(closed.service.signUp(undefined, input({ username: undefined }), undefined)).rejects.toMatchObject({ statusCode: 501 });
    const open = await withFirstUser({});
    await expect(open.service.signUp(undefined, input({ email: undefined }), undefined)).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.context.invalid_body_param.app_error',
      message: expect.stringContaining('email'),
    });
  });

  it("refuses a taken username with Mattermost's id", async () => {
    const { service } = await withFirstUser({});
    await service.signUp(undefined, input({ username: 'taken' }), undefined);
    await expect(service.signUp(undefined, input({ username: 'taken' }), undefined)).rejects.toMatchObject({ id: 'app.user.save.username_exists.app_error' });
  });
});
