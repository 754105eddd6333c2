import { describe, expect, it } from 'vitest';
import { WsEvents } from '#realtime';
import { ChannelsTestbed } from './in-memory-channels.js';
import { localSession } from '../local-mode/local-session.js';

const DENIED = { statusCode: 403, id: 'api.context.permissions.app_error' };

/** A team with an admin, a member in a public and a private channel, a member in neither, and an outsider. */
function setup() {
  const bed = new ChannelsTestbed();
  const teamId = bed.team();
  const [teamAdmin, member, bystander, outsider, guest] = [bed.user(), bed.user(), bed.user(), bed.user(), bed.user('system_guest')];
  bed.joinTeam(teamId, teamAdmin.user.id, 'admin');
  bed.joinTeam(teamId, member.user.id);
  bed.joinTeam(teamId, bystander.user.id);
  bed.joinTeam(teamId, guest.user.id, 'guest');
  const open = bed.channel(teamId, 'O');
  const closed = bed.channel(teamId, 'P');
  bed.joinChannel(open, member.user.id);
  bed.joinChannel(closed, member.user.id);
  return { bed, teamId, teamAdmin, member, bystander, outsider, guest, open, closed, channels: bed.channelsService, members: bed.membersService };
}

const newChannel = (teamId: string, type: string) => ({ team_id: teamId, name: `c-${type.toLowerCase()}-${Date.now()}`, display_name: 'New', type });

describe('ChannelsService permissions', () => {
  it('lets team members create open and private channels, and nobody outside the team', async () => {
    const { bed, teamId, member, outsider, guest } = setup();
    const created = await bed.channelsService.create(member.session, newChannel(teamId, 'O'));
    expect(created.creator_id).toBe(member.user.id);
    expect(bed.events.map((e) => e.event)).toContain(WsEvents.ChannelCreated);
    await expect(bed.channelsService.create(member.session, newChannel(teamId, 'P'))).resolves.toMatchObject({ type: 'P' });
    await expect(bed.channelsService.create(outsider.session, newChannel(teamId, 'O'))).rejects.toMatchObject(DENIED);
    await expect(bed.channelsService.create(outsider.session, newChannel(teamId, 'P'))).rejects.toMatchObject(DENIED);
    await expect(bed.channelsService.create(guest.session, newChannel(teamId, 'O'))).rejects.toMatchObject(DENIED);
  });

  it('creates channels for a local-mode caller (mmctl --local) with no creator and no member, as localCreateChannel', async () => {
    const { bed, teamId } = setup();
    const before = bed.events.length;
    const created = await bed.channelsService.create(localSession(), newChannel(teamId, 'P'));
    expect(created).toMatchObject({ type: 'P', creator_id: '' });
    expect([...bed.channelMembers.rows.values()].filter((m) => m.channel_id === created.id)).toHaveLength(0);
    expect(bed.events.slice(before).map((e) => e.event)).not.toContain(WsEvents.ChannelCreated);
  });

  it('refuses direct and group types after the permission check', async () => {
    const { teamId, member, channels } = setup();
    await expect(channels.create(member.session, newChannel(teamId, 'D'))).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.channel.create_channel.direct_channel.app_error',
    });
  });

  it('creates direct channels with create_direct_channel, others’ only with manage_system', async () => {
    const { bed, member, bystander, outsider } = setup();
    const admin = bed.user('system_user system_admin');
    await expect(bed.channelsService.createDirect(member.session, [member.user.id, bystander.user.id])).resolves.toMatchObject({ type: 'D' });
    await expect(bed.channelsService.createDirect(member.session, [bystander.user.id, outsider.user.id])).rejects.toMatchObject(DENIED);
    await expect(bed.channelsService.createDirect(admin.session, [bystander.user.id, outsider.user.id])).resolves.toMatchObject({ type: 'D' });
  });

  it('refuses direct and group messages to accounts without create_direct_channel / create_group_channel', async () => {
    const { bed, member, bystander, outsider } = setup();
    const noChannels = bed.user('system_user_access_token');
    await expect(bed.channelsService.createDirect(noChannels.session, [noChannels.user.id, member.user.id])).rejects.toMatchObject(DENIED);
    const group = [noChannels.user.id, member.user.id, bystander.user.id].sort();
    await expect(bed.channelsService.createGroup(noChannels.session, group)).rejects.toMatchObject(DENIED);
    await expect(bed.channelsService.createGroup(outsider.session, [member.user.id, bystander.user.id, outsider.user.id].sort())).resolves.toMatchObject({
      type: 'G',
    });
    expect(bed.events.filter((e) => e.event === WsEvents.GroupAdded)).toHaveLength(3);
  });

  it('shows private channels to their members only; a missing channel is a 404 first', async () => {
    const { channels, member, bystander, closed, open } = setup();
    await expect(channels.getVisible(member.session, closed.id)).resolves.toMatchObject({ id: closed.id });
    await expect(channels.getVisible(bystander.session, open.id)).resolves.toMatchObject({ id: open.id });
    await expect(channels.getVisible(bystander.session, closed.id)).rejects.toMatchObject(DENIED);
    await expect(channels.getVisible(bystander.session, 'x'.repeat(26))).rejects.toMatchObject({ statusCode: 404 });
  });

  it('finds public channels by name for the team only; hides private ones from non-members (404) but not from team admins', async () => {
    const { channels, teamId, teamAdmin, bystander, outsider, open, closed } = setup();
    await expect(channels.getVisibleByName(bystander.session, teamId, open.name, false)).resolves.toMatchObject({ id: open.id });
    await expect(channels.getVisibleByName(outsider.session, teamId, open.name, false)).rejects.toMatchObject(DENIED);
    await expect(channels.getVisibleByName(teamAdmin.session, teamId, closed.name, false)).resolves.toMatchObject({ id: closed.id });
    await expect(channels.getVisibleByName(bystander.session, teamId, closed.name, false)).rejects.toMatchObject({
      statusCode: 404,
      id: 'app.channel.get_by_name.missing.app_error',
    });
  });

  // Mattermost's default team_admin role holds no manage_*_channel_properties (model/role.go): a team
  // admin outside the channel is refused like any team member.
  it('lets channel members change a channel’s properties, not other team members nor team admins outside it', async () => {
    const { channels, member, teamAdmin, bystander, open, closed } = setup();
    await expect(channels.patch(member.session, open.id, { header: 'by a member' })).resolves.toMatchObject({ header: 'by a member' });
    await expect(channels.update(teamAdmin.session, closed.id, { display_name: 'Renamed' }, undefined)).rejects.toMatchObject(DENIED);
    await expect(channels.patch(bystander.session, open.id, { header: 'x' })).rejects.toMatchObject(DENIED);
    await expect(channels.update(bystander.session, closed.id, { display_name: 'x' }, undefined)).rejects.toMatchObject(DENIED);
  });

  it('refuses an empty patch before the permission check, and a type change after it', async () => {
    const { channels, member, bystander, open } = setup();
    await expect(channels.patch(bystander.session, open.id, {})).rejects.toMatchObject({ id: 'api.channel.patch_update_channel.no_changes.app_error' });
    await expect(channels.update(bystander.session, open.id, {}, 'P')).rejects.toMatchObject(DENIED);
    await expect(channels.update(member.session, open.id, {}, 'P')).rejects.toMatchObject({ id: 'api.channel.update_channel.typechange.app_error' });
  });

  it('lets only the members of a direct message change its header', async () => {
    const { bed, member, bystander } = setup();
    const dm = await bed.channelsService.createDirect(member.session, [member.user.id, bystander.user.id]);
    const third = bed.user();
    await expect(bed.channelsService.patch(member.session, dm.id, { header: 'ours' })).resolves.toMatchObject({ header: 'ours' });
    await expect(bed.channelsService.patch(third.session, dm.id, { header: 'mine' })).rejects.toMatchObject({
      statusCode: 403,
      id: 'api.channel.patch_update_channel.forbidden.app_error',
    });
  });

  it('lets channel members archive a channel, not other team members; direct messages cannot be deleted', async () => {
    const { bed, channels, member, bystander, open, closed } = setup();
    await expect(channels.delete(bystander.session, open.id, false)).rejects.toMatchObject(DENIED);
    await expect(channels.delete(bystander.session, closed.id, false)).rejects.toMatchObject(DENIED);
    expect(bed.webhooks.deletedFor).toEqual([]);
    await channels.delete(member.session, open.id, false);
    expect(bed.channels.rows.get(open.id)!.delete_at).toBeGreaterThan(0);
    // Its incoming and outgoing webhooks go with it (Mattermost's DeleteChannel).
    expect(bed.webhooks.deletedFor).toEqual([open.id]);
    const dm = await channels.createDirect(member.session, [member.user.id, bystander.user.id]);
    await expect(channels.delete(member.session, dm.id, false)).rejects.toMatchObject({ statusCode: 400, id: 'api.channel.delete_channel.type.invalid' });
  });

  it('deletes permanently only after the permission check, and only with EnableAPIChannelDeletion', async () => {
    const { bed, channels, member, bystander, open } = setup();
    await expect(channels.delete(bystander.session, open.id, true)).rejects.toMatchObject(DENIED);
    await expect(channels.delete(member.session, open.id, true)).rejects.toMatchObject({ statusCode: 401 });
    bed.config.ServiceSettings.EnableAPIChannelDeletion = true;
    await channels.delete(member.session, open.id, true);
    expect(bed.channels.rows.has(open.id)).toBe(false);
    expect(bed.posts.deleted).toEqual([{ channelId: open.id }]);
    expect(bed.webhooks.deletedFor).toEqual([open.id]);
  });

  it('restores an archived channel for team admins (manage_team), not for its members', async () => {
    const { channels, member, teamAdmin, open } = setup();
    await channels.delete(member.session, open.id, false);
    await expect(channels.restore(member.session, open.id)).rejects.toMatchObject(DENIED);
    await expect(channels.restore(teamAdmin.session, open.id)).resolves.toMatchObject({ delete_at: 0 });
  });

  it('converts channels between public and private for team admins only', async () => {
    const { channels, member, teamAdmin, open, closed } = setup();
    await expect(channels.setPrivacy(member.session, open.id, 'P')).rejects.toMatchObject(DENIED);
    await expect(channels.setPrivacy(member.session, closed.id, 'O')).rejects.toMatchObject(DENIED);
    await expect(channels.setPrivacy(teamAdmin.session, open.id, 'P')).resolves.toMatchObject({ type: 'P' });
    await expect(channels.setPrivacy(teamAdmin.session, closed.id, 'O')).resolves.toMatchObject({ type: 'O' });
  });

  it('shows channel stats to members only', async () => {
    const { channels, member, bystander, closed } = setup();
    await expect(channels.stats(member.session, closed.id, true)).resolves.toMatchObject({ channel_id: closed.id, files_count: -1 });
    await expect(channels.stats(bystander.session, closed.id, false)).rejects.toMatchObject(DENIED);
  });
});

describe('ChannelMembersService permissions', () => {
  it('lets team members join a public channel themselves, and channel members add others', async () => {
    const { bed, members, member, bystander, teamAdmin, open } = setup();
    const [joined] = await members.add(bystander.session, open.id, [bystander.user.id]);
    expect(joined.user_id).toBe(bystander.user.id);
    expect(bed.events.filter((e) => e.event === WsEvents.UserAdded)).toHaveLength(2);
    await expect(members.add(member.session, open.id, [teamAdmin.user.id])).resolves.toHaveLength(1);
  });

  it('refuses adding others to a public channel without manage_public_channel_members', async () => {
    const { bed, members, bystander, teamAdmin, open } = setup();
    await expect(members.add(bystander.session, open.id, [teamAdmin.user.id])).rejects.toMatchObject(DENIED);
    expect(bed.channelMembers.rows.size).toBe(2);
  });

  it('refuses anyone but channel members and team admins for a private channel', async () => {
    const { members, member, bystander, teamAdmin, closed } = setup();
    await expect(members.add(bystander.session, closed.id, [bystander.user.id])).rejects.toMatchObject(DENIED);
    await expect(members.add(member.session, closed.id, [bystander.user.id])).resolves.toHaveLength(1);
    await expect(members.add(teamAdmin.session, closed.id, [teamAdmin.user.id])).resolves.toHaveLength(1);
  });

  it('refuses outsiders of the team even when the caller may add them', async () => {
    const { members, member, outsider, open } = setup();
    await expect(members.add(member.session, open.id, [outsider.user.id])).rejects.toMatchObject({
      statusCode: 404,
      id: 'app.team.get_member.missing.app_error',
    });
  });

  it('lets members leave, and removes others only with the manage-members permission', async () => {
    const { bed, members, member, bystander, open, closed } = setup();
    bed.joinChannel(open, bystander.user.id);
    await expect(members.remove(bystander.session, closed.id, member.user.id)).rejects.toMatchObject(DENIED);
    await members.remove(bystander.session, open.id, bystander.user.id);
    bed.joinChannel(open, bystander.user.id);
    await members.remove(member.session, open.id, bystander.user.id);
    expect(await bed.channelMembers.get(open.id, bystander.user.id)).toBeUndefined();
    expect(bed.events.filter((e) => e.event === WsEvents.UserRemoved)).toHaveLength(4);
  });

  it('changes member roles with manage_channel_roles (channel and team admins), not as a plain member', async () => {
    const { bed, members, member, bystander, teamAdmin, open } = setup();
    bed.joinChannel(open, bystander.user.id, true);
    await expect(members.updateRoles(member.session, open.id, member.user.id, 'channel_user channel_admin')).rejects.toMatchObject(DENIED);
    await expect(
      members.updateSchemeRoles(member.session, open.id, member.user.id, { scheme_user: true, scheme_admin: true, scheme_guest: false }),
    ).rejects.toMatchObject(DENIED);
    await expect(members.updateRoles(bystander.session, open.id, member.user.id, 'channel_user channel_admin')).resolves.toMatchObject({ scheme_admin: true });
    await expect(
      members.updateSchemeRoles(teamAdmin.session, open.id, member.user.id, { scheme_user: true, scheme_admin: false, scheme_guest: false }),
    ).resolves.toMatchObject({ scheme_admin: false });
  });

  it('changes notify props of one’s own membership only', async () => {
    const { bed, members, member, open } = setup();
    const other = bed.user();
    bed.joinChannel(open, other.user.id);
    await expect(members.updateNotifyProps(member.session, open.id, member.user.id, { mark_unread: 'mention' })).resolves.toMatchObject({
      notify_props: { mark_unread: 'mention' },
    });
    await expect(members.updateNotifyProps(member.session, open.id, other.user.id, { mark_unread: 'mention' })).rejects.toMatchObject(DENIED);
  });

  it('lists members of a channel for those who may read it', async () => {
    const { members, member, bystander, closed } = setup();
    await expect(members.list(member.session, closed.id, 0, 60)).resolves.toHaveLength(1);
    await expect(members.list(bystander.session, closed.id, 0, 60)).rejects.toMatchObject(DENIED);
    await expect(members.getMember(bystander.session, closed.id, member.user.id)).rejects.toMatchObject(DENIED);
  });
});

describe('ChannelMembersService.timezones', () => {
  it("lists each member's preferred timezone once, to members only", async () => {
    const { bed, member, bystander, closed } = setup();
    const [other, unset] = [bed.user(), bed.user()];
    for (const u of [other, unset]) bed.joinChannel(closed, u.user.id);
    bed.users.timezones.set(member.user.id, { useAutomaticTimezone: 'true', automaticTimezone: 'Europe/Paris', manualTimezone: 'Asia/Tokyo' });
    bed.users.timezones.set(other.user.id, { useAutomaticTimezone: 'false', automaticTimezone: 'Europe/Paris', manualTimezone: 'America/Lima' });
    bed.users.timezones.set(unset.user.id, { useAutomaticTimezone: 'true', automaticTimezone: '', manualTimezone: '' });
    const zones = await bed.membersService.timezones(member.session, closed.id);
    expect(zones.sort()).toEqual(['America/Lima', 'Europe/Paris']);
    await expect(bed.membersService.timezones(bystander.session, closed.id)).rejects.toMatchObject(DENIED);
  });

  it('never repeats a timezone several members share', async () => {
    const { bed, member, closed } = setup();
    const other = bed.user();
    bed.joinChannel(closed, other.user.id);
    for (const u of [member, other]) bed.users.timezones.set(u.user.id, { useAutomaticTimezone: 'true', automaticTimezone: 'UTC', manualTimezone: '' });
    expect(await bed.membersService.timezones(member.session, closed.id)).toEqual(['UTC']);
  });
});
