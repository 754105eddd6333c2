import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Team } from '@mattermost/types/teams';
import { expectClientError, NewUser, startServer, TestServer, TestSocket } from '#testing';

let server: TestServer;
let admin: NewUser;
let alice: NewUser; // creates the teams, so she is their team admin
let bob: NewUser;
let carol: NewUser;
let dave: NewUser;
let aliceWs: TestSocket;
let bobWs: TestSocket;
let carolWs: TestSocket;
let openTeam: Team; // allow_open_invite: true
let closedTeam: Team; // invite only

let seq = 0;
const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++seq}`;

async function newTeam(owner: NewUser, extra: Partial<Team> = {}): Promise<Team> {
  const name = uniqueName('team');
  return owner.client.createTeam({ name, display_name: `Team ${name}`, type: 'O', ...extra } as Team);
}

/** Client4's own request method, for the few routes it has no named method for. */
function call<T = any>(client: NewUser['client'], url: string, options: { method: string; body?: string }): Promise<T> {
  return (client as unknown as { doFetch(url: string, options: object): Promise<T> }).doFetch(url, options);
}

function unreadUrl(client: NewUser['client'], teamId: string) {
  return `${client.getUserRoute('me')}/teams/${teamId}/unread`;
}

beforeAll(async () => {
  server = await startServer();
  admin = await server.newUser();
  [alice, bob, carol, dave] = await Promise.all([server.newUser(), server.newUser(), server.newUser(), server.newUser()]);
  [aliceWs, bobWs, carolWs] = await Promise.all([server.socket(alice.client), server.socket(bob.client), server.socket(carol.client)]);
  openTeam = await newTeam(alice, { allow_open_invite: true });
  closedTeam = await newTeam(alice, { type: 'I' });
});
afterAll(async () => {
  for (const ws of [aliceWs, bobWs, carolWs]) ws?.close();
  await server?.stop();
});

describe('creating teams', () => {
  it('creates a team with the creator as team admin, Town Square and Off-Topic, and tells the creator', async () => {
    const team = await newTeam(alice);
    expect(team).toMatchObject({ type: 'O', allow_open_invite: false, delete_at: 0, email: alice.user.email });
    expect(team.id).toMatch(/^[a-z0-9]{26}$/);
    expect(team.invite_id).toMatch(/^[a-z0-9]{26}$/);

    const member = await alice.client.getTeamMember(team.id, alice.user.id);
    expect(member).toMatchObject({
      team_id: team.id,
      user_id: alice.user.id,
      roles: 'team_user team_admin',
      scheme_user: true,
      scheme_admin: true,
      scheme_guest: false,
      delete_at: 0,
    });

    const channels = await alice.client.getMyChannels(team.id);
    expect(channels.map((c) => c.name).sort()).toEqual(['off-topic', 'town-square']);
    const townSquare = channels.find((c) => c.name === 'town-square')!;
    expect(townSquare).toMatchObject({ display_name: 'Town Square', type: 'O', team_id: team.id });
    const channelMember = await alice.client.getMyChannelMember(townSquare.id);
    expect(channelMember.roles).toBe('channel_user channel_admin');

    const event = await aliceWs.waitFor('added_to_team', (e) => e.data.team_id === team.id);
    expect(event.data).toEqual({ team_id: team.id, user_id: alice.user.id });
    expect(event.broadcast.user_id).toBe(alice.user.id);
  });

  it('refuses invalid, reserved and duplicate names and bad types', async () => {
    const bad = async (team: Partial<Team>) => expectClientError(() => alice.client.createTeam({ display_name: 'X', type: 'O', ...team } as Team));
    expect((await bad({ name: 'Upper-Case' })).server_error_id).toBe('model.team.is_valid.characters.app_error');
    expect((await bad({ name: 'a' })).server_error_id).toBe('model.team.is_valid.characters.app_error');
    expect((await bad({ name: '-dash-first' })).server_error_id).toBe('model.team.is_valid.characters.app_error');
    expect((await bad({ name: 'api-team' })).server_error_id).toBe('model.team.is_valid.reserved.app_error');
    expect((await bad({ name: 'x'.repeat(65) })).server_error_id).toBe('model.team.is_valid.url.app_error');
    expect((await bad({ name: uniqueName('t'), type: 'Z' as any })).server_error_id).toBe('model.team.is_valid.type.app_error');
    expect((await bad({ name: uniqueName('t'), display_name: '' })).server_error_id).toBe('model.team.is_valid.name.app_error');
    const dup = await bad({ name: openTeam.name });
    expect(dup.status_code).toBe(400);
    expect(dup.server_error_id).toBe('app.team.save.existing.app_error');
  });

  it('needs a session', async () => {
    const err = await expectClientError(() => server.client().createTeam({ name: uniqueName('t'), display_name: 'X', type: 'O' } as Team));
    expect(err.status_code).toBe(401);
  });
});

describe('reading teams', () => {
  it('shows members the invite id, and non-members of open teams a sanitized team', async () => {
    const mine = await alice.client.getTeam(openTeam.id);
    expect(mine.invite_id).toBe(openTeam.invite_id);
    const outsider = await dave.client.getTeam(openTeam.id);
    expect(outsider).toMatchObject({ id: openTeam.id, invite_id: '', email: '' });
    expect((await dave.client.getTeamByName(openTeam.name)).id).toBe(openTeam.id);
  });

  it('hides invite-only teams from non-members (403) and unknown teams are 404', async () => {
    const err = await expectClientError(() => dave.client.getTeam(closedTeam.id));
    expect(err.status_code).toBe(403);
    expect(err.server_error_id).toBe('api.context.permissions.app_error');
    expect((await expectClientError(() => dave.client.getTeamByName(closedTeam.name))).status_code).toBe(403);
    const missing = await expectClientError(() => alice.client.getTeam('a'.repeat(26)));
    expect(missing.status_code).toBe(404);
    expect(missing.server_error_id).toBe('app.team.get.find.app_error');
    const missingName = await expectClientError(() => alice.client.getTeamByName('no-such-team'));
    expect(missingName.server_error_id).toBe('app.team.get_by_name.missing.app_error');
    expect((await expectClientError(() => alice.client.getTeam('bad'))).status_code).toBe(400);
  });

  it('says whether a visible team name exists', async () => {
    expect(await alice.client.checkIfTeamExists(closedTeam.name)).toEqual({ exists: true });
    expect(await dave.client.checkIfTeamExists(closedTeam.name)).toEqual({ exists: false });
    expect(await dave.client.checkIfTeamExists(openTeam.name)).toEqual({ exists: true });
    expect(await dave.client.checkIfTeamExists('nothing-here')).toEqual({ exists: false });
  });

  it('lists teams open to invites for users and every team for admins', async () => {
    const forUser = (await dave.client.getTeams(0, 200)) as unknown as Team[];
    expect(forUser.map((t) => t.id)).toContain(openTeam.id);
    expect(forUser.map((t) => t.id)).not.toContain(closedTeam.id);
    const forAdmin = (await admin.client.getTeams(0, 200)) as unknown as Team[];
    expect(forAdmin.map((t) => t.id)).toEqual(expect.arrayContaining([openTeam.id, closedTeam.id]));
    const withCount = (await admin.client.getTeams(0, 1, true)) as unknown as { teams: Team[]; total_count: number };
    expect(withCount.teams).toHaveLength(1);
    expect(withCount.total_count).toBeGreaterThanOrEqual(3);
  });

  it('searches teams by name', async () => {
    const found = (await dave.client.searchTeams(openTeam.name.slice(0, 10), {})) as unknown as Team[];
    expect(found.map((t) => t.id)).toContain(openTeam.id);
  });

  it('lists a user’s teams for themselves and admins only', async () => {
    const mine = await alice.client.getMyTeams();
    expect(mine.map((t) => t.id)).toEqual(expect.arrayContaining([openTeam.id, closedTeam.id]));
    expect((await admin.client.getTeamsForUser(alice.user.id)).length).toBe(mine.length);
    expect((await expectClientError(() => bob.client.getTeamsForUser(alice.user.id))).status_code).toBe(403);
  });
});

describe('changing teams', () => {
  it('patches a team and tells its members (not others) with update_team', async () => {
    const patched = await alice.client.patchTeam({ id: openTeam.id, display_name: 'Renamed Team', description: 'about' } as Team);
    expect(patched).toMatchObject({ display_name: 'Renamed Team', description: 'about', invite_id: openTeam.invite_id });
    const event = await aliceWs.waitFor('update_team', (e) => JSON.parse(e.data.team).display_name === 'Renamed Team');
    const team = JSON.parse(event.data.team);
    expect(team).toMatchObject({ id: openTeam.id, invite_id: '', email: '' });
    expect(event.broadcast.team_id).toBe(openTeam.id);
    await carolWs.expectNone('update_team', (e) => JSON.parse(e.data.team).id === openTeam.id, 200);
  });

  it('updates a team with PUT, which needs the id to match', async () => {
    const current = await alice.client.getTeam(openTeam.id);
    const updated = await alice.client.updateTeam({ ...current, display_name: 'Put Team' });
    expect(updated.display_name).toBe('Put Team');
    const mismatch = await expectClientError(() =>
      call(alice.client, `${alice.client.getTeamRoute(openTeam.id)}`, { method: 'put', body: JSON.stringify({ ...current, id: closedTeam.id }) }),
    );
    expect(mismatch.status_code).toBe(400);
    expect(mismatch.server_error_id).toBe('api.context.invalid_body_param.app_error');
  });

  it('refuses changes without manage_team', async () => {
    await bob.client.addToTeam(openTeam.id, bob.user.id);
    const err = await expectClientError(() => bob.client.patchTeam({ id: openTeam.id, display_name: 'Hacked' } as Team));
    expect(err.status_code).toBe(403);
    expect(err.server_error_id).toBe('api.context.permissions.app_error');
    expect((await expectClientError(() => bob.client.regenerateTeamInviteId(openTeam.id))).status_code).toBe(403);
    expect((await expectClientError(() => bob.client.deleteTeam(openTeam.id))).status_code).toBe(403);
  });

  it('regenerates the invite id; the old one stops working', async () => {
    const team = await newTeam(alice, { allow_open_invite: true });
    const regenerated = await alice.client.regenerateTeamInviteId(team.id);
    expect(regenerated.invite_id).not.toBe(team.invite_id);
    const err = await expectClientError(() => dave.client.joinTeam(team.invite_id));
    expect(err.status_code).toBe(404);
    expect(err.server_error_id).toBe('app.team.get_by_invite_id.finding.app_error');
  });

  it('closing a team to open invites regenerates its invite id', async () => {
    const team = await newTeam(alice, { allow_open_invite: true });
    const patched = await alice.client.patchTeam({ id: team.id, allow_open_invite: false } as Team);
    expect(patched.allow_open_invite).toBe(false);
    expect(patched.invite_id).not.toBe(team.invite_id);
  });

  it('archives and restores a team with delete_team / restore_team events', async () => {
    const team = await newTeam(alice);
    await alice.client.addToTeam(team.id, carol.user.id);
    await alice.client.deleteTeam(team.id);
    const deleted = await carolWs.waitFor('delete_team', (e) => JSON.parse(e.data.team).id === team.id);
    expect(JSON.parse(deleted.data.team).delete_at).toBeGreaterThan(0);
    expect((await alice.client.getTeam(team.id)).delete_at).toBeGreaterThan(0);
    expect((await alice.client.getMyTeams()).map((t) => t.id)).not.toContain(team.id);

    const restored = await alice.client.unarchiveTeam(team.id);
    expect(restored.delete_at).toBe(0);
    await carolWs.waitFor('restore_team', (e) => JSON.parse(e.data.team).id === team.id);
  });

  it('refuses permanent deletion unless EnableAPITeamDeletion', async () => {
    const team = await newTeam(alice);
    const err = await expectClientError(() => call(alice.client, `${alice.client.getTeamRoute(team.id)}?permanent=true`, { method: 'delete' }));
    expect(err.status_code).toBe(401);
    expect(err.server_error_id).toBe('api.user.delete_team.not_enabled.app_error');
  });
});

describe('team members', () => {
  it('lets a user join a team open to invites, joining Town Square and Off-Topic', async () => {
    const team = await newTeam(alice, { allow_open_invite: true });
    const member = await carol.client.addToTeam(team.id, carol.user.id);
    expect(member).toMatchObject({ team_id: team.id, user_id: carol.user.id, roles: 'team_user', delete_at: 0, scheme_admin: false, explicit_roles: '' });
    await carolWs.waitFor('added_to_team', (e) => e.data.team_id === team.id);
    const channels = await carol.client.getMyChannels(team.id);
    expect(channels.map((c) => c.name).sort()).toEqual(['off-topic', 'town-square']);
    const townSquare = channels.find((c) => c.name === 'town-square')!;
    // Both the existing member and the new one hear about the join in Town Square.
    await aliceWs.waitFor('user_added', (e) => e.broadcast.channel_id === townSquare.id && e.data.user_id === carol.user.id);
    const own = await carolWs.waitFor('user_added', (e) => e.broadcast.channel_id === townSquare.id);
    expect(own.data).toEqual({ user_id: carol.user.id, team_id: team.id });
    // Joining again is a no-op that returns the membership.
    expect((await carol.client.addToTeam(team.id, carol.user.id)).delete_at).toBe(0);
  });

  it('does not let users join an invite-only team themselves', async () => {
    const err = await expectClientError(() => dave.client.addToTeam(closedTeam.id, dave.user.id));
    expect(err.status_code).toBe(403);
    expect(err.server_error_id).toBe('api.context.permissions.app_error');
  });

  it('lets team members add others; non-members cannot', async () => {
    const team = await newTeam(alice, { type: 'I' });
    const err = await expectClientError(() => dave.client.addToTeam(team.id, carol.user.id));
    expect(err.status_code).toBe(403);
    await alice.client.addToTeam(team.id, bob.user.id);
    const added = await bob.client.addToTeam(team.id, carol.user.id);
    expect(added.user_id).toBe(carol.user.id);
    await carolWs.waitFor('added_to_team', (e) => e.data.team_id === team.id);
  });

  it('validates the add-member body', async () => {
    const mismatch = await expectClientError(() =>
      call(alice.client, `${alice.client.getTeamMembersRoute(openTeam.id)}`, {
        method: 'post',
        body: JSON.stringify({ team_id: closedTeam.id, user_id: dave.user.id }),
      }),
    );
    expect(mismatch.status_code).toBe(400);
    const badUser = await expectClientError(() => alice.client.addToTeam(openTeam.id, 'nope'));
    expect(badUser.status_code).toBe(400);
    const unknownUser = await expectClientError(() => alice.client.addToTeam(openTeam.id, 'b'.repeat(26)));
    expect(unknownUser.status_code).toBe(404);
  });

  it('adds members in a batch, at most 256, gracefully on request', async () => {
    const team = await newTeam(alice, { type: 'I' });
    const members = await alice.client.addUsersToTeam(team.id, [carol.user.id, dave.user.id]);
    expect(members.map((m) => m.user_id).sort()).toEqual([carol.user.id, dave.user.id].sort());
    const graceful = await alice.client.addUsersToTeamGracefully(team.id, [bob.user.id, 'c'.repeat(26)]);
    expect(graceful).toHaveLength(2);
    expect(graceful.find((r) => r.user_id === bob.user.id)!.member.user_id).toBe(bob.user.id);
    expect((graceful.find((r) => r.user_id === 'c'.repeat(26))!.error as any).id).toBe('app.user.missing_account.const');
    const tooMany = Array.from({ length: 257 }, () => 'd'.repeat(26));
    expect((await expectClientError(() => alice.client.addUsersToTeam(team.id, tooMany))).status_code).toBe(400);
    expect((await expectClientError(() => alice.client.addUsersToTeam(team.id, []))).status_code).toBe(400);
    expect((await expectClientError(() => dave.client.addUsersToTeam(closedTeam.id, [bob.user.id]))).status_code).toBe(403);
  });

  it('lists members, gets one, gets several by id; outsiders get 403', async () => {
    const team = await newTeam(alice, { type: 'I' });
    await alice.client.addToTeam(team.id, bob.user.id);
    const list = await alice.client.getTeamMembers(team.id, 0, 60);
    expect(list.map((m) => m.user_id).sort()).toEqual([alice.user.id, bob.user.id].sort());
    expect((await bob.client.getTeamMember(team.id, alice.user.id)).roles).toBe('team_user team_admin');
    const byIds = await bob.client.getTeamMembersByIds(team.id, [alice.user.id, dave.user.id]);
    expect(byIds.map((m) => m.user_id)).toEqual([alice.user.id]);
    expect((await expectClientError(() => dave.client.getTeamMembers(team.id, 0, 60))).status_code).toBe(403);
    expect((await expectClientError(() => dave.client.getTeamMember(team.id, alice.user.id))).status_code).toBe(403);
    const missing = await expectClientError(() => alice.client.getTeamMember(team.id, dave.user.id));
    expect(missing.status_code).toBe(404);
    expect(missing.server_error_id).toBe('app.team.get_member.missing.app_error');
  });

  it('reports team stats to members', async () => {
    const team = await newTeam(alice, { type: 'I' });
    await alice.client.addToTeam(team.id, bob.user.id);
    expect(await bob.client.getTeamStats(team.id)).toEqual({ team_id: team.id, total_member_count: 2, active_member_count: 2 });
    expect((await expectClientError(() => dave.client.getTeamStats(team.id))).status_code).toBe(403);
  });

  it('lists a user’s memberships, including past ones', async () => {
    const team = await newTeam(alice);
    await alice.client.addToTeam(team.id, dave.user.id);
    await dave.client.removeFromTeam(team.id, dave.user.id);
    const mine = await dave.client.getMyTeamMembers();
    const past = mine.find((m) => m.team_id === team.id)!;
    expect(past.delete_at).toBeGreaterThan(0);
    expect((await expectClientError(() => dave.client.getTeamMembersForUser(alice.user.id))).status_code).toBe(403);
    expect((await admin.client.getTeamMembersForUser(dave.user.id)).length).toBe(mine.length);
  });

  it('lets a member leave: leave_team to the team and to the user, and the team’s channels are left', async () => {
    const team = await newTeam(alice);
    await alice.client.addToTeam(team.id, bob.user.id);
    const townSquare = await alice.client.getChannelByName(team.id, 'town-square');
    await bob.client.removeFromTeam(team.id, bob.user.id);
    const toTeam = await aliceWs.waitFor('leave_team', (e) => e.data.team_id === team.id);
    expect(toTeam.data).toEqual({ team_id: team.id, user_id: bob.user.id });
    expect(toTeam.broadcast.team_id).toBe(team.id);
    await bobWs.waitFor('leave_team', (e) => e.data.team_id === team.id);
    const members = await alice.client.getChannelMembers(townSquare.id);
    expect(members.map((m) => m.user_id)).not.toContain(bob.user.id);
    expect((await alice.client.getTeamMember(team.id, bob.user.id)).delete_at).toBeGreaterThan(0);
    // Gone from the team, bob no longer hears its events.
    await alice.client.patchTeam({ id: team.id, description: 'after bob left' } as Team);
    await aliceWs.waitFor('update_team', (e) => JSON.parse(e.data.team).description === 'after bob left');
    await bobWs.expectNone('update_team', (e) => JSON.parse(e.data.team).id === team.id, 200);
    // Leaving twice is an error.
    const again = await expectClientError(() => bob.client.removeFromTeam(team.id, bob.user.id));
    expect(again.status_code).toBe(400);
    expect(again.server_error_id).toBe('api.team.remove_user_from_team.missing.app_error');
  });

  it('needs remove_user_from_team to remove someone else', async () => {
    const team = await newTeam(alice);
    await alice.client.addToTeam(team.id, bob.user.id);
    await alice.client.addToTeam(team.id, carol.user.id);
    const err = await expectClientError(() => bob.client.removeFromTeam(team.id, carol.user.id));
    expect(err.status_code).toBe(403);
    await alice.client.removeFromTeam(team.id, carol.user.id);
    await carolWs.waitFor('leave_team', (e) => e.data.team_id === team.id);
  });

  it('lets a rejoining user back in', async () => {
    const team = await newTeam(alice, { allow_open_invite: true });
    await dave.client.addToTeam(team.id, dave.user.id);
    await dave.client.removeFromTeam(team.id, dave.user.id);
    const back = await dave.client.addToTeam(team.id, dave.user.id);
    expect(back.delete_at).toBe(0);
    expect((await dave.client.getMyChannels(team.id)).map((c) => c.name)).toContain('town-square');
  });

  it('updates member roles with manage_team_roles and sends memberrole_updated', async () => {
    const team = await newTeam(alice);
    await alice.client.addToTeam(team.id, bob.user.id);
    const denied = await expectClientError(() => bob.client.updateTeamMemberRoles(team.id, bob.user.id, 'team_user team_admin' as any));
    expect(denied.status_code).toBe(403);
    await alice.client.updateTeamMemberRoles(team.id, bob.user.id, 'team_user team_admin' as any);
    const event = await bobWs.waitFor('memberrole_updated', (e) => JSON.parse(e.data.member).team_id === team.id);
    expect(JSON.parse(event.data.member)).toMatchObject({ user_id: bob.user.id, roles: 'team_user team_admin', scheme_admin: true });
    expect((await bob.client.getTeamMember(team.id, bob.user.id)).roles).toBe('team_user team_admin');
    // Now a team admin, bob may manage the team.
    await bob.client.patchTeam({ id: team.id, description: 'by bob' } as Team);
    const bad = await expectClientError(() => alice.client.updateTeamMemberRoles(team.id, bob.user.id, 'system_admin' as any));
    expect(bad.status_code).toBe(400);
    expect(bad.server_error_id).toBe('api.channel.update_team_member_roles.scheme_role.app_error');
    const unknown = await expectClientError(() => alice.client.updateTeamMemberRoles(team.id, bob.user.id, 'made_up_role' as any));
    expect(unknown.status_code).toBe(400);
  });
});

describe('invites', () => {
  it('joins a team by invite id, even an invite-only one', async () => {
    const team = await newTeam(alice, { type: 'I' });
    const member = await dave.client.joinTeam(team.invite_id);
    expect(member).toMatchObject({ team_id: team.id, user_id: dave.user.id });
    const missing = await expectClientError(() => dave.client.joinTeam('z'.repeat(26)));
    expect(missing.status_code).toBe(404);
    const noParam = await expectClientError(() => call(dave.client, `${dave.client.getTeamsRoute()}/members/invite`, { method: 'post' }));
    expect(noParam.server_error_id).toBe('api.team.add_user_to_team.missing_parameter.app_error');
  });

  it('describes open teams by invite id without a session', async () => {
    const info = await server.client().getTeamInviteInfo(openTeam.invite_id);
    expect(info).toEqual({ display_name: expect.any(String), description: expect.any(String), name: openTeam.name, id: openTeam.id });
    const closed = await expectClientError(() => server.client().getTeamInviteInfo(closedTeam.invite_id));
    expect(closed.status_code).toBe(403);
    expect(closed.server_error_id).toBe('api.team.get_invite_info.not_open_team');
  });

  it('adds a user who signs up with ?iid= to the team', async () => {
    const team = await newTeam(alice, { type: 'I' });
    const username = `iid${Date.now().toString(36)}`;
    const user = await server.client().createUser({ username, email: `${username}@example.com`, password: 'Passw0rd!iid' } as any, '', team.invite_id);
    const member = await alice.client.getTeamMember(team.id, user.id);
    expect(member.delete_at).toBe(0);
  });
});

describe('unread counts', () => {
  it('reports per-team unread counts for oneself only', async () => {
    const unreads = await alice.client.getMyTeamUnreads();
    const entry = unreads.find((u) => u.team_id === openTeam.id)!;
    expect(entry).toMatchObject({ team_id: openTeam.id, msg_count: 0, mention_count: 0, mention_count_root: 0, msg_count_root: 0 });
    const one = await call(alice.client, unreadUrl(alice.client, openTeam.id), { method: 'get' });
    expect(one).toMatchObject({ team_id: openTeam.id, msg_count: 0, mention_count: 0 });
    const other = await expectClientError(() => call(bob.client, `${bob.client.getUserRoute(alice.user.id)}/teams/unread`, { method: 'get' }));
    expect(other.status_code).toBe(403);
    const notMember = await expectClientError(() => call(dave.client, unreadUrl(dave.client, closedTeam.id), { method: 'get' }));
    expect(notMember.status_code).toBe(403);
  });
});

describe('MaxUsersPerTeam', () => {
  it('refuses members beyond the limit', async () => {
    const small = await startServer({ MM_TEAMSETTINGS_MAXUSERSPERTEAM: '2' });
    try {
      const owner = await small.newUser();
      const [u1, u2] = [await small.newUser(), await small.newUser()];
      const team = await owner.client.createTeam({ name: uniqueName('small'), display_name: 'Small', type: 'O' } as Team);
      await owner.client.addToTeam(team.id, u1.user.id);
      const err = await expectClientError(() => owner.client.addToTeam(team.id, u2.user.id));
      expect(err.status_code).toBe(400);
      expect(err.server_error_id).toBe('app.team.join_user_to_team.save_member.max_accounts.app_error');
    } finally {
      await small.stop();
    }
  });
});
