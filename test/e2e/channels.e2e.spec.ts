import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import { expectClientError, NewUser, startServer, TestServer, TestSocket } from '#testing';

let server: TestServer;
let admin: NewUser;
let alice: NewUser; // team admin of `team`
let bob: NewUser; // team member
let carol: NewUser; // team member
let dave: NewUser; // not in the team
let aliceWs: TestSocket;
let bobWs: TestSocket;
let carolWs: TestSocket;
let daveWs: TestSocket;
let team: Team;

let seq = 0;
const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++seq}`;

/** Client4's own request method, for the few routes it has no named method for. */
function call<T = any>(client: NewUser['client'], url: string, options: { method: string; body?: string }): Promise<T> {
  return (client as unknown as { doFetch(url: string, options: object): Promise<T> }).doFetch(url, options);
}

function newChannel(owner: NewUser, extra: Partial<Channel> = {}): Promise<Channel> {
  const name = uniqueName('chan');
  return owner.client.createChannel({ team_id: team.id, name, display_name: `Channel ${name}`, type: 'O', ...extra } as Channel);
}

beforeAll(async () => {
  server = await startServer();
  admin = await server.newUser();
  [alice, bob, carol, dave] = await Promise.all([server.newUser(), server.newUser(), server.newUser(), server.newUser()]);
  team = await alice.client.createTeam({ name: uniqueName('team'), display_name: 'Channels team', type: 'O' } as Team);
  await alice.client.addUsersToTeam(team.id, [bob.user.id, carol.user.id]);
  [aliceWs, bobWs, carolWs, daveWs] = await Promise.all([alice, bob, carol, dave].map((u) => server.socket(u.client)));
});
afterAll(async () => {
  for (const ws of [aliceWs, bobWs, carolWs, daveWs]) ws?.close();
  await server?.stop();
});

describe('creating channels', () => {
  it('creates a public channel with the creator as channel admin and tells the creator', async () => {
    const channel = await newChannel(alice, { purpose: 'testing', header: 'hello' });
    expect(channel).toMatchObject({
      type: 'O',
      team_id: team.id,
      creator_id: alice.user.id,
      purpose: 'testing',
      header: 'hello',
      delete_at: 0,
      total_msg_count: 0,
    });
    const member = await alice.client.getMyChannelMember(channel.id);
    expect(member).toMatchObject({ roles: 'channel_user channel_admin', scheme_admin: true, scheme_user: true, msg_count: 0, mention_count: 0 });
    expect(member.notify_props).toEqual({
      desktop: 'default',
      email: 'default',
      mark_unread: 'all',
      push: 'default',
      ignore_channel_mentions: 'default',
      channel_auto_follow_threads: 'off',
    });
    const event = await aliceWs.waitFor('channel_created', (e) => e.data.channel_id === channel.id);
    expect(event.data).toEqual({ channel_id: channel.id, team_id: team.id });
    await bobWs.expectNone('channel_created', (e) => e.data.channel_id === channel.id, 200);
  });

  it('lets team members create private channels; outsiders cannot create any', async () => {
    const priv = await newChannel(bob, { type: 'P' });
    expect(priv.type).toBe('P');
    const err = await expectClientError(() => newChannel(dave));
    expect(err.status_code).toBe(403);
    expect(err.server_error_id).toBe('api.context.permissions.app_error');
  });

  it('validates the channel', async () => {
    const bad = (c: Partial<Channel>) =>
      expectClientError(() => alice.client.createChannel({ team_id: team.id, display_name: 'X', type: 'O', ...c } as Channel));
    expect((await bad({ name: 'Upper' })).server_error_id).toBe('model.channel.is_valid.1_or_more.app_error');
    expect((await bad({ name: '' })).server_error_id).toBe('model.channel.is_valid.1_or_more.app_error');
    expect((await bad({ name: 'x'.repeat(65) })).server_error_id).toBe('model.channel.is_valid.1_or_more.app_error');
    expect((await bad({ name: `${'a'.repeat(26)}__${'b'.repeat(26)}` })).server_error_id).toBe('model.channel.is_valid.name.app_error');
    expect((await bad({ name: 'dm-type', type: 'D' })).server_error_id).toBe('api.channel.create_channel.direct_channel.app_error');
    const noDisplay = await bad({ name: uniqueName('c'), display_name: '' });
    expect(noDisplay.status_code).toBe(400);
    expect(noDisplay.server_error_id).toBe('api.context.invalid_body_param.app_error');
    const noTeam = await bad({ name: uniqueName('c'), team_id: '' });
    expect(noTeam.server_error_id).toBe('api.context.invalid_body_param.app_error');
    const dup = await bad({ name: 'town-square' });
    expect(dup.status_code).toBe(400);
    expect(dup.server_error_id).toBe('store.sql_channel.save_channel.exists.app_error');
  });
});

describe('direct and group messages', () => {
  it('creates a DM once, named by the sorted ids, and tells both users', async () => {
    const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
    const expectedName = [alice.user.id, bob.user.id].sort().join('__');
    expect(dm).toMatchObject({ type: 'D', team_id: '', name: expectedName });
    for (const ws of [aliceWs, bobWs]) {
      const event = await ws.waitFor('direct_added', (e) => e.broadcast.channel_id === dm.id);
      expect(event.data.teammate_id).toBe(bob.user.id);
    }
    await carolWs.expectNone('direct_added', (e) => e.broadcast.channel_id === dm.id, 200);
    const again = await bob.client.createDirectChannel([bob.user.id, alice.user.id]);
    expect(again.id).toBe(dm.id);
    expect(bobWs.count('direct_added', (e) => e.broadcast.channel_id === dm.id)).toBe(1);
  });

  it('allows a DM with oneself, and refuses other people’s DMs and unknown users', async () => {
    const self = await carol.client.createDirectChannel([carol.user.id]);
    expect(self.name).toBe(`${carol.user.id}__${carol.user.id}`);
    const others = await expectClientError(() => carol.client.createDirectChannel([alice.user.id, bob.user.id]));
    expect(others.status_code).toBe(403);
    const unknown = await expectClientError(() => carol.client.createDirectChannel([carol.user.id, 'z'.repeat(26)]));
    expect(unknown.server_error_id).toBe('api.channel.create_direct_channel.invalid_user.app_error');
    const tooMany = await expectClientError(() => carol.client.createDirectChannel([carol.user.id, alice.user.id, bob.user.id]));
    expect(tooMany.status_code).toBe(400);
  });

  it('keeps DMs private to their two members', async () => {
    const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
    expect((await expectClientError(() => carol.client.getChannel(dm.id))).status_code).toBe(403);
    expect((await expectClientError(() => carol.client.getChannelMembers(dm.id))).status_code).toBe(403);
    expect((await bob.client.getChannelMembers(dm.id)).map((m) => m.user_id).sort()).toEqual([alice.user.id, bob.user.id].sort());
    // DM events reach the two members only.
    await alice.client.patchChannel(dm.id, { header: 'our dm' });
    await bobWs.waitFor('channel_updated', (e) => e.broadcast.channel_id === dm.id && JSON.parse(e.data.channel).header === 'our dm');
    await carolWs.expectNone('channel_updated', (e) => e.broadcast.channel_id === dm.id, 200);
  });

  it('does not let DMs be left, joined, renamed or archived', async () => {
    const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
    expect((await expectClientError(() => bob.client.removeFromChannel(bob.user.id, dm.id))).server_error_id).toBe(
      'api.channel.remove_channel_member.type.app_error',
    );
    expect((await expectClientError(() => alice.client.addToChannel(carol.user.id, dm.id))).server_error_id).toBe(
      'api.channel.add_user_to_channel.type.app_error',
    );
    expect((await expectClientError(() => alice.client.patchChannel(dm.id, { display_name: 'x' }))).server_error_id).toBe(
      'api.channel.patch_update_channel.update_direct_or_group_messages_not_allowed.app_error',
    );
    expect((await expectClientError(() => alice.client.deleteChannel(dm.id))).server_error_id).toBe('api.channel.delete_channel.type.invalid');
    expect((await expectClientError(() => carol.client.patchChannel(dm.id, { header: 'x' }))).status_code).toBe(403);
  });

  it('creates a group message named by the sha1 of the sorted ids and tells each member', async () => {
    const gm = await alice.client.createGroupChannel([bob.user.id, carol.user.id]);
    const ids = [alice.user.id, bob.user.id, carol.user.id].sort();
    expect(gm).toMatchObject({ type: 'G', team_id: '', name: createHash('sha1').update(ids.join('')).digest('hex') });
    expect(gm.display_name).toBe([alice.user.username, bob.user.username, carol.user.username].sort().join(', '));
    for (const ws of [aliceWs, bobWs, carolWs]) {
      const event = await ws.waitFor('group_added', (e) => e.broadcast.channel_id === gm.id);
      expect(JSON.parse(event.data.teammate_ids).sort()).toEqual(ids);
    }
    await daveWs.expectNone('group_added', (e) => e.broadcast.channel_id === gm.id, 200);
    expect((await carol.client.createGroupChannel([alice.user.id, bob.user.id])).id).toBe(gm.id);
    expect((await expectClientError(() => dave.client.getChannel(gm.id))).status_code).toBe(403);
    const found = await alice.client.searchGroupChannels(bob.user.username);
    expect(found.map((c) => c.id)).toContain(gm.id);
  });

  it('needs 3 to 8 existing users for a group message', async () => {
    const small = await expectClientError(() => alice.client.createGroupChannel([bob.user.id]));
    expect(small.server_error_id).toBe('api.channel.create_group.bad_size.app_error');
    const big = await expectClientError(() => alice.client.createGroupChannel(Array.from({ length: 8 }, (_, i) => `${'k'.repeat(25)}${i}`)));
    expect(big.server_error_id).toBe('api.channel.create_group.bad_size.app_error');
    const unknown = await expectClientError(() => alice.client.createGroupChannel([bob.user.id, 'q'.repeat(26)]));
    expect(unknown.server_error_id).toBe('api.channel.create_group.bad_user.app_error');
  });
});

describe('reading channels', () => {
  let publicChannel: Channel;
  let privateChannel: Channel; // bob's, alice (team admin) is not a member
  let closedTeamId = ''; // a team bob is not in
  beforeAll(async () => {
    publicChannel = await newChannel(alice);
    privateChannel = await newChannel(bob, { type: 'P' });
    closedTeamId = (await admin.client.createTeam({ name: uniqueName('other'), display_name: 'Other', type: 'I' } as Team)).id;
  });

  it('shows public channels to the team and private ones to their members', async () => {
    expect((await carol.client.getChannel(publicChannel.id)).id).toBe(publicChannel.id);
    expect((await expectClientError(() => dave.client.getChannel(publicChannel.id))).status_code).toBe(403);
    expect((await bob.client.getChannel(privateChannel.id)).type).toBe('P');
    const err = await expectClientError(() => carol.client.getChannel(privateChannel.id));
    expect(err.status_code).toBe(403);
    expect(err.server_error_id).toBe('api.context.permissions.app_error');
    const missing = await expectClientError(() => carol.client.getChannel('m'.repeat(26)));
    expect(missing.status_code).toBe(404);
    expect(missing.server_error_id).toBe('app.channel.get.existing.app_error');
    expect((await expectClientError(() => carol.client.getChannel('bad-id'))).status_code).toBe(400);
  });

  it('finds channels by name; private ones are 404 to non-members but visible to team admins', async () => {
    expect((await carol.client.getChannelByName(team.id, publicChannel.name)).id).toBe(publicChannel.id);
    expect((await carol.client.getChannelByNameAndTeamName(team.name, publicChannel.name)).id).toBe(publicChannel.id);
    const hidden = await expectClientError(() => carol.client.getChannelByName(team.id, privateChannel.name));
    expect(hidden.status_code).toBe(404);
    expect(hidden.server_error_id).toBe('app.channel.get_by_name.missing.app_error');
    expect((await alice.client.getChannelByName(team.id, privateChannel.name)).id).toBe(privateChannel.id);
    expect((await expectClientError(() => dave.client.getChannelByName(team.id, publicChannel.name))).status_code).toBe(403);
    const noTeam = await expectClientError(() => carol.client.getChannelByNameAndTeamName('no-such-team', 'town-square'));
    expect(noTeam.server_error_id).toBe('app.team.get_by_name.missing.app_error');
    expect((await expectClientError(() => carol.client.getChannelByName(team.id, 'Bad Name'))).status_code).toBe(400);
  });

  it('lists a team’s public channels, private ones for admins, and by ids', async () => {
    const list = await carol.client.getChannels(team.id, 0, 200);
    expect(list.map((c) => c.id)).toContain(publicChannel.id);
    expect(list.map((c) => c.id)).not.toContain(privateChannel.id);
    expect((await expectClientError(() => dave.client.getChannels(team.id))).status_code).toBe(403);

    const privUrl = `${admin.client.getTeamRoute(team.id)}/channels/private`;
    expect((await call<Channel[]>(admin.client, privUrl, { method: 'get' })).map((c) => c.id)).toContain(privateChannel.id);
    expect((await expectClientError(() => call(alice.client, privUrl, { method: 'get' }))).status_code).toBe(403);

    const idsUrl = `${carol.client.getTeamRoute(team.id)}/channels/ids`;
    const byIds = await call<Channel[]>(carol.client, idsUrl, { method: 'post', body: JSON.stringify([publicChannel.id, privateChannel.id]) });
    expect(byIds.map((c) => c.id)).toEqual([publicChannel.id]);
    expect((await expectClientError(() => call(dave.client, idsUrl, { method: 'post', body: JSON.stringify([publicChannel.id]) }))).status_code).toBe(403);
  });

  it('lists the user’s channels in a team (with DMs), across teams, and their memberships', async () => {
    const dm = await bob.client.createDirectChannel([bob.user.id, carol.user.id]);
    const mine = await bob.client.getMyChannels(team.id);
    expect(mine.map((c) => c.id)).toEqual(expect.arrayContaining([privateChannel.id, dm.id]));
    expect(mine.map((c) => c.name)).toContain('town-square');
    const all = await bob.client.getAllTeamsChannels();
    expect(all.map((c) => c.id)).toEqual(expect.arrayContaining([privateChannel.id, dm.id]));
    const members = await bob.client.getMyChannelMembers(team.id);
    expect(members.map((m) => m.channel_id)).toEqual(expect.arrayContaining([privateChannel.id, dm.id]));
    const everywhere = (await bob.client.getAllChannelsMembers('me', 0, 200)) as any[];
    expect(everywhere.find((m) => m.channel_id === privateChannel.id)).toMatchObject({ team_name: team.name, team_display_name: team.display_name });
    expect(everywhere.find((m) => m.channel_id === dm.id)).toMatchObject({ team_name: '' });
    expect((await expectClientError(() => bob.client.getMyChannels(closedTeamId))).status_code).toBe(403);
    const others = await expectClientError(() => call(bob.client, `${bob.client.getUserRoute(alice.user.id)}/teams/${team.id}/channels`, { method: 'get' }));
    expect(others.status_code).toBe(403);
  });

  it('searches and autocompletes channels', async () => {
    const term = publicChannel.name.slice(0, 12);
    expect((await carol.client.searchChannels(team.id, term)).map((c) => c.id)).toContain(publicChannel.id);
    expect((await carol.client.searchChannels(team.id, privateChannel.name)).map((c) => c.id)).not.toContain(privateChannel.id);
    expect((await carol.client.autocompleteChannels(team.id, term)).map((c) => c.id)).toContain(publicChannel.id);
    expect((await bob.client.autocompleteChannels(team.id, privateChannel.name)).map((c) => c.id)).toContain(privateChannel.id);
    expect((await carol.client.autocompleteChannels(team.id, privateChannel.name)).map((c) => c.id)).not.toContain(privateChannel.id);
    expect((await bob.client.autocompleteChannelsForSearch(team.id, privateChannel.name)).map((c) => c.id)).toContain(privateChannel.id);
    expect((await expectClientError(() => dave.client.autocompleteChannels(team.id, term))).status_code).toBe(403);
    const notMember = await expectClientError(() => dave.client.searchChannels(team.id, term));
    expect(notMember.status_code).toBe(404);
  });

  it('reports channel stats to those who can read the channel', async () => {
    const stats = await bob.client.getChannelStats(privateChannel.id, true);
    expect(stats).toEqual({ channel_id: privateChannel.id, member_count: 1, guest_count: 0, pinnedpost_count: 0, files_count: 0 });
    expect((await bob.client.getChannelStats(privateChannel.id)).files_count).toBe(-1);
    expect((await expectClientError(() => carol.client.getChannelStats(privateChannel.id))).status_code).toBe(403);
  });
});

describe('changing channels', () => {
  it('patches a channel and tells its members, not others, with channel_updated', async () => {
    const channel = await newChannel(alice);
    await bob.client.addToChannel(bob.user.id, channel.id);
    const patched = await alice.client.patchChannel(channel.id, { header: 'new header', display_name: 'Renamed' });
    expect(patched).toMatchObject({ header: 'new header', display_name: 'Renamed', name: channel.name });
    const event = await bobWs.waitFor('channel_updated', (e) => e.broadcast.channel_id === channel.id);
    expect(JSON.parse(event.data.channel)).toMatchObject({ id: channel.id, header: 'new header', display_name: 'Renamed' });
    await carolWs.expectNone('channel_updated', (e) => e.broadcast.channel_id === channel.id, 200);
    const empty = await expectClientError(() => alice.client.patchChannel(channel.id, {}));
    expect(empty.server_error_id).toBe('api.channel.patch_update_channel.no_changes.app_error');
    const invalid = await expectClientError(() => alice.client.patchChannel(channel.id, { name: 'Bad Name' }));
    expect(invalid.server_error_id).toBe('model.channel.is_valid.1_or_more.app_error');
  });

  it('needs the properties permission: non-members of a public channel and outsiders are refused', async () => {
    const channel = await newChannel(alice);
    expect((await expectClientError(() => carol.client.patchChannel(channel.id, { header: 'x' }))).status_code).toBe(403);
    const priv = await newChannel(alice, { type: 'P' });
    expect((await expectClientError(() => carol.client.patchChannel(priv.id, { header: 'x' }))).status_code).toBe(403);
  });

  it('updates with PUT; the id must match and the type cannot change', async () => {
    const channel = await newChannel(alice);
    const updated = await alice.client.updateChannel({ ...channel, purpose: 'put purpose', header: '' });
    expect(updated.purpose).toBe('put purpose');
    const mismatch = await expectClientError(() =>
      call(alice.client, alice.client.getChannelRoute(channel.id), { method: 'put', body: JSON.stringify({ ...channel, id: 'x'.repeat(26) }) }),
    );
    expect(mismatch.status_code).toBe(400);
    const typeChange = await expectClientError(() => alice.client.updateChannel({ ...channel, type: 'P' }));
    expect(typeChange.server_error_id).toBe('api.channel.update_channel.typechange.app_error');
    const dup = await expectClientError(() => alice.client.patchChannel(channel.id, { name: 'off-topic' }));
    expect(dup.server_error_id).toBe('store.sql_channel.save_channel.exists.app_error');
  });

  it('keeps Town Square’s name, membership and publicity', async () => {
    const townSquare = await alice.client.getChannelByName(team.id, 'town-square');
    expect((await expectClientError(() => alice.client.patchChannel(townSquare.id, { name: 'renamed' }))).server_error_id).toBe(
      'api.channel.update_channel.tried.app_error',
    );
    const leave = await expectClientError(() => bob.client.removeFromChannel(bob.user.id, townSquare.id));
    expect(leave.status_code).toBe(400);
    expect(leave.server_error_id).toBe('api.channel.remove.default.app_error');
    const archive = await expectClientError(() => alice.client.deleteChannel(townSquare.id));
    expect(archive.status_code).toBe(400);
    expect(archive.server_error_id).toBe('api.channel.delete_channel.cannot.app_error');
    const priv = await expectClientError(() => alice.client.updateChannelPrivacy(townSquare.id, 'P'));
    expect(priv.server_error_id).toBe('api.channel.update_channel_privacy.default_channel_error');
  });

  it('converts between public and private with the convert permissions (team admins)', async () => {
    const channel = await newChannel(bob);
    const denied = await expectClientError(() => bob.client.updateChannelPrivacy(channel.id, 'P'));
    expect(denied.status_code).toBe(403);
    const converted = await alice.client.updateChannelPrivacy(channel.id, 'P');
    expect(converted.type).toBe('P');
    const event = await carolWs.waitFor('channel_converted', (e) => e.data.channel_id === channel.id);
    expect(event.broadcast.team_id).toBe(team.id);
    await bobWs.waitFor('channel_updated', (e) => e.broadcast.channel_id === channel.id && JSON.parse(e.data.channel).type === 'P');
    expect((await alice.client.updateChannelPrivacy(channel.id, 'O')).type).toBe('O');
    expect((await expectClientError(() => alice.client.updateChannelPrivacy(channel.id, 'X'))).status_code).toBe(400);
  });

  it('archives (channel_deleted to the team for public channels) and restores (team admins)', async () => {
    const channel = await newChannel(bob);
    await bob.client.deleteChannel(channel.id);
    const deleted = await carolWs.waitFor('channel_deleted', (e) => e.data.channel_id === channel.id);
    expect(deleted.data.delete_at).toBeGreaterThan(0);
    expect(deleted.broadcast.team_id).toBe(team.id);
    await daveWs.expectNone('channel_deleted', (e) => e.data.channel_id === channel.id, 200);
    expect((await bob.client.getChannel(channel.id)).delete_at).toBeGreaterThan(0);
    expect((await carol.client.getArchivedChannels(team.id)).map((c) => c.id)).toContain(channel.id);
    expect((await expectClientError(() => bob.client.deleteChannel(channel.id))).server_error_id).toBe('api.channel.delete_channel.deleted.app_error');
    expect((await expectClientError(() => bob.client.patchChannel(channel.id, { header: 'x' }))).server_error_id).toBe(
      'api.channel.update_channel.deleted.app_error',
    );

    expect((await expectClientError(() => bob.client.unarchiveChannel(channel.id))).status_code).toBe(403);
    const restored = await alice.client.unarchiveChannel(channel.id);
    expect(restored.delete_at).toBe(0);
    await carolWs.waitFor('channel_restored', (e) => e.data.channel_id === channel.id);
    expect((await expectClientError(() => alice.client.unarchiveChannel(channel.id))).server_error_id).toBe('api.channel.restore_channel.restored.app_error');
  });

  it('sends channel_deleted for a private channel to its members only', async () => {
    const priv = await newChannel(bob, { type: 'P' });
    await bob.client.deleteChannel(priv.id);
    await bobWs.waitFor('channel_deleted', (e) => e.data.channel_id === priv.id);
    await carolWs.expectNone('channel_deleted', (e) => e.data.channel_id === priv.id, 200);
    const alicePrivate = await newChannel(alice, { type: 'P' });
    expect((await expectClientError(() => carol.client.deleteChannel(alicePrivate.id))).status_code).toBe(403);
  });

  it('refuses permanent deletion unless EnableAPIChannelDeletion', async () => {
    const channel = await newChannel(alice);
    const url = `${alice.client.getChannelRoute(channel.id)}?permanent=true`;
    const err = await expectClientError(() => call(alice.client, url, { method: 'delete' }));
    expect(err.status_code).toBe(401);
    expect(err.server_error_id).toBe('api.user.delete_channel.not_enabled.app_error');
    const forAdmin = await expectClientError(() => call(admin.client, url, { method: 'delete' }));
    expect(forAdmin.server_error_id).toBe('api.user.delete_channel.not_enabled.for_admin.app_error');
  });
});

describe('channel members', () => {
  it('lets team members join public channels: user_added to the channel and to the new member', async () => {
    const channel = await newChannel(alice);
    const member = await bob.client.addToChannel(bob.user.id, channel.id);
    expect(member).toMatchObject({ channel_id: channel.id, user_id: bob.user.id, roles: 'channel_user', scheme_admin: false });
    const toChannel = await aliceWs.waitFor('user_added', (e) => e.broadcast.channel_id === channel.id && e.data.user_id === bob.user.id);
    expect(toChannel.data).toEqual({ user_id: bob.user.id, team_id: team.id });
    await bobWs.waitFor('user_added', (e) => e.broadcast.channel_id === channel.id && e.data.user_id === bob.user.id);
    await carolWs.expectNone('user_added', (e) => e.broadcast.channel_id === channel.id, 200);
    // Now a member, bob receives the channel's events.
    await alice.client.patchChannel(channel.id, { purpose: 'after bob joined' });
    await bobWs.waitFor('channel_updated', (e) => e.broadcast.channel_id === channel.id && JSON.parse(e.data.channel).purpose === 'after bob joined');
    // Joining again returns the membership.
    expect((await bob.client.addToChannel(bob.user.id, channel.id)).user_id).toBe(bob.user.id);
  });

  it('refuses joins from outside the team and adds by non-members', async () => {
    const channel = await newChannel(alice);
    const outsider = await expectClientError(() => dave.client.addToChannel(dave.user.id, channel.id));
    expect(outsider.status_code).toBe(403);
    const nonMember = await expectClientError(() => carol.client.addToChannel(bob.user.id, channel.id));
    expect(nonMember.status_code).toBe(403);
    const notInTeam = await expectClientError(() => alice.client.addToChannel(dave.user.id, channel.id));
    expect(notInTeam.status_code).toBe(404);
    expect(notInTeam.server_error_id).toBe('app.team.get_member.missing.app_error');
    const badBody = await expectClientError(() => alice.client.addToChannel('nope', channel.id));
    expect(badBody.status_code).toBe(400);
  });

  it('adds to private channels only with manage_private_channel_members, and several at once', async () => {
    const priv = await newChannel(alice, { type: 'P' });
    const selfJoin = await expectClientError(() => bob.client.addToChannel(bob.user.id, priv.id));
    expect(selfJoin.status_code).toBe(403);
    const added = await alice.client.addToChannels([bob.user.id, carol.user.id], priv.id);
    expect(Array.isArray(added)).toBe(true);
    expect(added.map((m) => m.user_id).sort()).toEqual([bob.user.id, carol.user.id].sort());
    await carolWs.waitFor('user_added', (e) => e.broadcast.channel_id === priv.id && e.data.user_id === carol.user.id);
    await daveWs.expectNone('user_added', (e) => e.broadcast.channel_id === priv.id, 200);
  });

  it('lists members, gets one, gets several by id; non-members of private channels get 403', async () => {
    const priv = await newChannel(alice, { type: 'P' });
    await alice.client.addToChannel(bob.user.id, priv.id);
    const members = await bob.client.getChannelMembers(priv.id);
    expect(members.map((m) => m.user_id).sort()).toEqual([alice.user.id, bob.user.id].sort());
    expect((await bob.client.getChannelMember(priv.id, alice.user.id)).roles).toBe('channel_user channel_admin');
    const byIds = await bob.client.getChannelMembersByIds(priv.id, [alice.user.id, carol.user.id]);
    expect(byIds.map((m) => m.user_id)).toEqual([alice.user.id]);
    expect((await expectClientError(() => carol.client.getChannelMembers(priv.id))).status_code).toBe(403);
    expect((await expectClientError(() => carol.client.getChannelMember(priv.id, alice.user.id))).status_code).toBe(403);
    expect((await expectClientError(() => carol.client.getChannelMembersByIds(priv.id, [alice.user.id]))).status_code).toBe(403);
    const missing = await expectClientError(() => bob.client.getChannelMember(priv.id, carol.user.id));
    expect(missing.status_code).toBe(404);
    expect(missing.server_error_id).toBe('app.channel.get_member.missing.app_error');
  });

  it('removes members: user_removed to the channel and to the removed user, who stops getting its events', async () => {
    const priv = await newChannel(alice, { type: 'P' });
    await alice.client.addToChannels([bob.user.id, carol.user.id], priv.id);
    await alice.client.removeFromChannel(carol.user.id, priv.id);
    const toChannel = await bobWs.waitFor('user_removed', (e) => e.broadcast.channel_id === priv.id && e.data.user_id === carol.user.id);
    expect(toChannel.data).toEqual({ user_id: carol.user.id, remover_id: alice.user.id });
    const toUser = await carolWs.waitFor('user_removed', (e) => e.data.channel_id === priv.id);
    expect(toUser.data).toEqual({ channel_id: priv.id, remover_id: alice.user.id });
    expect(toUser.broadcast.user_id).toBe(carol.user.id);
    await alice.client.patchChannel(priv.id, { header: 'carol is gone' });
    await bobWs.waitFor('channel_updated', (e) => e.broadcast.channel_id === priv.id && JSON.parse(e.data.channel).header === 'carol is gone');
    await carolWs.expectNone('channel_updated', (e) => e.broadcast.channel_id === priv.id, 200);
    expect((await expectClientError(() => carol.client.getChannel(priv.id))).status_code).toBe(403);
  });

  it('lets members leave; removing others needs the manage-members permission', async () => {
    const channel = await newChannel(alice);
    await bob.client.addToChannel(bob.user.id, channel.id);
    expect((await expectClientError(() => carol.client.removeFromChannel(bob.user.id, channel.id))).status_code).toBe(403);
    await bob.client.removeFromChannel(bob.user.id, channel.id);
    await aliceWs.waitFor('user_removed', (e) => e.broadcast.channel_id === channel.id && e.data.user_id === bob.user.id && e.data.remover_id === bob.user.id);
    const again = await expectClientError(() => bob.client.removeFromChannel(bob.user.id, channel.id));
    expect(again.status_code).toBe(404);
    expect((await expectClientError(() => alice.client.removeFromChannel('u'.repeat(26), channel.id))).status_code).toBe(404);
  });

  it('changes member roles with manage_channel_roles and sends channel_member_updated', async () => {
    const channel = await newChannel(alice);
    await bob.client.addToChannel(bob.user.id, channel.id);
    const denied = await expectClientError(() => bob.client.updateChannelMemberRoles(channel.id, bob.user.id, 'channel_user channel_admin'));
    expect(denied.status_code).toBe(403);
    await alice.client.updateChannelMemberRoles(channel.id, bob.user.id, 'channel_user channel_admin');
    const event = await bobWs.waitFor('channel_member_updated', (e) => JSON.parse(e.data.channelMember).channel_id === channel.id);
    expect(JSON.parse(event.data.channelMember)).toMatchObject({ user_id: bob.user.id, roles: 'channel_user channel_admin', scheme_admin: true });
    expect(event.broadcast.user_id).toBe(bob.user.id);
    const bad = await expectClientError(() => alice.client.updateChannelMemberRoles(channel.id, bob.user.id, 'team_admin'));
    expect(bad.server_error_id).toBe('api.channel.update_channel_member_roles.scheme_role.app_error');
    const noBase = await expectClientError(() => alice.client.updateChannelMemberRoles(channel.id, bob.user.id, 'channel_admin'));
    expect(noBase.server_error_id).toBe('api.channel.update_channel_member_roles.unset_user_scheme.app_error');
  });

  it('updates one’s own notify props (and only one’s own)', async () => {
    const channel = await newChannel(alice);
    await bob.client.addToChannel(bob.user.id, channel.id);
    await bob.client.updateChannelNotifyProps({ channel_id: channel.id, user_id: bob.user.id, mark_unread: 'mention', desktop: 'all' });
    const event = await bobWs.waitFor('channel_member_updated', (e) => JSON.parse(e.data.channelMember).notify_props.mark_unread === 'mention');
    expect(JSON.parse(event.data.channelMember).notify_props).toMatchObject({ mark_unread: 'mention', desktop: 'all', push: 'default' });
    expect((await bob.client.getMyChannelMember(channel.id)).notify_props.mark_unread).toBe('mention');
    const others = await expectClientError(() => bob.client.updateChannelNotifyProps({ channel_id: channel.id, user_id: alice.user.id, desktop: 'all' }));
    expect(others.status_code).toBe(403);
    const invalid = await expectClientError(() =>
      bob.client.updateChannelNotifyProps({ channel_id: channel.id, user_id: bob.user.id, desktop: 'loud' as any }),
    );
    expect(invalid.status_code).toBe(400);
    expect(invalid.server_error_id).toBe('model.channel_member.is_valid.notify_level.app_error');
  });

  it('removes a user who leaves the team from the team’s channels', async () => {
    const priv = await newChannel(alice, { type: 'P' });
    const otherUser = await server.newUser();
    await alice.client.addToTeam(team.id, otherUser.user.id);
    await alice.client.addToChannel(otherUser.user.id, priv.id);
    await otherUser.client.removeFromTeam(team.id, otherUser.user.id);
    const members = await alice.client.getChannelMembers(priv.id);
    expect(members.map((m) => m.user_id)).not.toContain(otherUser.user.id);
    // Leaving the team keeps direct messages.
    const dm = await otherUser.client.createDirectChannel([otherUser.user.id, alice.user.id]);
    expect((await otherUser.client.getAllTeamsChannels()).map((c) => c.id)).toContain(dm.id);
  });
});

describe('read state', () => {
  it('views a channel: last_viewed_at_times, channel_viewed and multiple_channels_viewed to the viewer', async () => {
    const channel = await newChannel(alice);
    await bob.client.addToChannel(bob.user.id, channel.id);
    const res = (await bob.client.viewMyChannel(channel.id)) as unknown as { status: string; last_viewed_at_times: Record<string, number> };
    expect(res.status).toBe('OK');
    // Read up to the channel's last post (bob's add-to-channel message), as Mattermost answers.
    expect(res.last_viewed_at_times[channel.id]).toBe((await bob.client.getChannel(channel.id)).last_post_at);
    const viewed = await bobWs.waitFor('channel_viewed', (e) => e.data.channel_id === channel.id);
    expect(viewed.broadcast.user_id).toBe(bob.user.id);
    const multiple = await bobWs.waitFor('multiple_channels_viewed', (e) => e.data.channel_times[channel.id] !== undefined);
    expect(multiple.data.channel_times[channel.id]).toBe(res.last_viewed_at_times[channel.id]);
    await aliceWs.expectNone('channel_viewed', (e) => e.data.channel_id === channel.id, 200);
    const member = await bob.client.getMyChannelMember(channel.id);
    expect(member.last_viewed_at).toBe(res.last_viewed_at_times[channel.id]);
    expect(member).toMatchObject({ msg_count: 0, mention_count: 0 });
  });

  it('ignores channels the viewer is not in, and refuses other users and bad ids', async () => {
    const priv = await newChannel(alice, { type: 'P' });
    const res = (await carol.client.viewMyChannel(priv.id)) as unknown as { last_viewed_at_times: Record<string, number> };
    expect(res.last_viewed_at_times).toEqual({});
    const viewUrl = (client: NewUser['client'], userId: string) => `${client.getChannelsRoute()}/members/${userId}/view`;
    const other = await expectClientError(() =>
      call(carol.client, viewUrl(carol.client, alice.user.id), { method: 'post', body: JSON.stringify({ channel_id: priv.id }) }),
    );
    expect(other.status_code).toBe(403);
    const bad = await expectClientError(() => call(carol.client, viewUrl(carol.client, 'me'), { method: 'post', body: JSON.stringify({ channel_id: 'bad' }) }));
    expect(bad.status_code).toBe(400);
  });

  it('counts unread messages and mentions from posts, per channel and per team, until viewed', async () => {
    const channel = await newChannel(alice);
    await carol.client.addToChannel(carol.user.id, channel.id);
    await carol.client.viewMyChannel(channel.id);
    await alice.client.createPost({ channel_id: channel.id, message: 'first' } as any);
    await alice.client.createPost({ channel_id: channel.id, message: `hey @${carol.user.username}` } as any);
    const url = `${carol.client.getUserRoute('me')}/channels/${channel.id}/unread`;
    expect(await call(carol.client, url, { method: 'get' })).toMatchObject({ channel_id: channel.id, msg_count: 2, mention_count: 1, msg_count_root: 2 });
    const teamUnread = (await carol.client.getMyTeamUnreads()).find((u) => u.team_id === team.id)!;
    expect(teamUnread.msg_count).toBeGreaterThanOrEqual(2);
    expect(teamUnread.mention_count).toBeGreaterThanOrEqual(1);

    await carol.client.viewMyChannel(channel.id);
    expect(await call(carol.client, url, { method: 'get' })).toMatchObject({ msg_count: 0, mention_count: 0 });
    const member = await carol.client.getMyChannelMember(channel.id);
    expect(member).toMatchObject({ msg_count: 2, mention_count: 0 });

    // Muting to mentions hides the message count but keeps mentions.
    await carol.client.updateChannelNotifyProps({ channel_id: channel.id, user_id: carol.user.id, mark_unread: 'mention' });
    await alice.client.createPost({ channel_id: channel.id, message: 'third' } as any);
    expect(await call(carol.client, url, { method: 'get' })).toMatchObject({ msg_count: 0, mention_count: 0 });
  });

  it('reports a channel’s unread counts to its members', async () => {
    const priv = await newChannel(alice, { type: 'P' });
    const url = (client: NewUser['client'], userId: string) => `${client.getUserRoute(userId)}/channels/${priv.id}/unread`;
    const unread = await call(alice.client, url(alice.client, 'me'), { method: 'get' });
    expect(unread).toMatchObject({
      team_id: team.id,
      channel_id: priv.id,
      msg_count: 0,
      mention_count: 0,
      mention_count_root: 0,
      urgent_mention_count: 0,
      msg_count_root: 0,
    });
    expect(typeof unread.last_viewed_at).toBe('number');
    expect((await expectClientError(() => call(carol.client, url(carol.client, 'me'), { method: 'get' }))).status_code).toBe(403);
    expect((await expectClientError(() => call(carol.client, url(carol.client, alice.user.id), { method: 'get' }))).status_code).toBe(403);
  });
});

describe('MaxChannelsPerTeam', () => {
  it('refuses channels beyond the limit (archived ones count)', async () => {
    const small = await startServer({ MM_TEAMSETTINGS_MAXCHANNELSPERTEAM: '3' });
    try {
      const owner = await small.newUser();
      const t = await owner.client.createTeam({ name: uniqueName('small'), display_name: 'Small', type: 'O' } as Team);
      await owner.client.createChannel({ team_id: t.id, name: 'third', display_name: 'Third', type: 'O' } as Channel);
      const err = await expectClientError(() => owner.client.createChannel({ team_id: t.id, name: 'fourth', display_name: 'Fourth', type: 'O' } as Channel));
      expect(err.status_code).toBe(400);
      expect(err.server_error_id).toBe('api.channel.create_channel.max_channel_limit.app_error');
    } finally {
      await small.stop();
    }
  });
});
