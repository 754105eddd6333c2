import { describe, expect, it } from 'vitest';
import { CommandsTestbed } from '../in-memory-commands.js';
import { header, join, leave, mute, purpose, rename } from './channel-commands.js';

/** A team with a public and a private channel: member in both, a guest in the public one, a teammate in neither. */
function setup() {
  const bed = new CommandsTestbed();
  const teamId = bed.namedTeam('alpha');
  const [member, guest, teammate] = [bed.user(), bed.user('system_guest'), bed.user()];
  bed.joinTeam(teamId, member.user.id);
  bed.joinTeam(teamId, guest.user.id, 'guest');
  bed.joinTeam(teamId, teammate.user.id);
  const townSquare = bed.channel(teamId, 'O', 'town-square');
  const open = bed.channel(teamId, 'O', 'open');
  const closed = bed.channel(teamId, 'P', 'closed');
  for (const c of [townSquare, open, closed]) bed.joinChannel(c, member.user.id);
  bed.joinChannel(townSquare, guest.user.id);
  bed.joinChannel(open, guest.user.id);
  bed.joinChannel(townSquare, teammate.user.id);
  const ctx = (who: { session: any }, channelId: string) => bed.context(who.session, channelId, teamId);
  return { bed, teamId, member, guest, teammate, townSquare, open, closed, ctx };
}

describe('/header, /purpose, /rename', () => {
  it('change the channel with the permission to manage its properties', async () => {
    const { bed, member, open, ctx } = setup();
    expect(await header.execute(ctx(member, open.id), 'a header')).toMatchObject({ text: '', response_type: '' });
    await purpose.execute(ctx(member, open.id), 'a purpose');
    await rename.execute(ctx(member, open.id), 'Renamed');
    expect(bed.channels.rows.get(open.id)).toMatchObject({ header: 'a header', purpose: 'a purpose', display_name: 'Renamed' });
    expect(bed.events.filter((e) => e.event === 'channel_updated')).toHaveLength(3);
  });

  it('refuse someone without manage_public_channel_properties (a guest) with Mattermost’s texts', async () => {
    const { bed, guest, open, ctx } = setup();
    expect((await header.execute(ctx(guest, open.id), 'x'))!.text).toBe("You don't have the appropriate permissions to edit the channel header.");
    expect((await purpose.execute(ctx(guest, open.id), 'x'))!.text).toBe("You don't have the appropriate permissions to edit the channel purpose.");
    expect((await rename.execute(ctx(guest, open.id), 'x'))!.text).toBe("You don't have the appropriate permissions to rename the channel.");
    expect(bed.channels.rows.get(open.id)!.header).toBe('');
  });

  it('check the text: present, and within the limits', async () => {
    const { member, open, ctx } = setup();
    expect((await header.execute(ctx(member, open.id), ''))!.text).toBe('Text must be provided with the /header command.');
    expect((await header.execute(ctx(member, open.id), 'h'.repeat(1025)))!.text).toContain('limited to 1024 characters');
    expect((await purpose.execute(ctx(member, open.id), 'p'.repeat(251)))!.text).toContain('limited to 250 characters');
    expect((await rename.execute(ctx(member, open.id), 'é'.repeat(33)))!.text).toBe('Channel name must be 64 or fewer characters.');
  });

  it('in a direct message: header for members, no purpose, no rename', async () => {
    const { bed, member, teammate, ctx } = setup();
    const dm = await bed.channelsService.createDirect(member.session, [member.user.id, teammate.user.id]);
    expect((await header.execute(ctx(member, dm.id), 'dm header'))!.text).toBe('');
    expect(bed.channels.rows.get(dm.id)!.header).toBe('dm header');
    expect((await purpose.execute(ctx(member, dm.id), 'x'))!.text).toContain('Unable to set purpose for direct message channels');
    expect((await rename.execute(ctx(member, dm.id), 'x'))!.text).toBe('Unable to rename direct message channels.');
  });
});

describe('/join and /leave', () => {
  it('join a public channel by name or handle, and go there', async () => {
    const { bed, teammate, townSquare, open, ctx } = setup();
    const response = await join.execute(ctx(teammate, townSquare.id), '~open');
    expect(response!.goto_location).toBe('http://chat.test/alpha/channels/open');
    expect(await bed.channelMembers.get(open.id, teammate.user.id)).toBeDefined();
  });

  it('do not join a private channel without read_channel, nor a missing or archived one', async () => {
    const { bed, teamId, teammate, townSquare, closed, ctx } = setup();
    expect((await join.execute(ctx(teammate, townSquare.id), 'closed'))!.text).toBe('An error occurred while joining the channel.');
    expect(await bed.channelMembers.get(closed.id, teammate.user.id)).toBeUndefined();
    expect((await join.execute(ctx(teammate, townSquare.id), 'nowhere'))!.text).toBe('An error occurred while listing channels.');
    const archived = bed.channel(teamId, 'O', 'archived');
    archived.delete_at = 5;
    bed.channels.rows.set(archived.id, archived);
    expect((await join.execute(ctx(teammate, townSquare.id), 'archived'))!.text).toBe('An error occurred while joining the channel.');
  });

  it('leave the channel for Town Square, but not Town Square itself', async () => {
    const { bed, member, open, townSquare, ctx } = setup();
    expect((await leave.execute(ctx(member, open.id), ''))!.goto_location).toBe('http://chat.test/alpha/channels/town-square');
    expect(await bed.channelMembers.get(open.id, member.user.id)).toBeUndefined();
    expect((await leave.execute(ctx(member, townSquare.id), ''))!.text).toBe('You cannot leave the default channel town-square.');
  });

  it('send a guest to their first channel after leaving', async () => {
    const { guest, open, ctx } = setup();
    const response = await leave.execute(ctx(guest, open.id), '');
    expect(response!.goto_location).toBe('http://chat.test/alpha/channels/town-square');
  });
});

describe('/mute', () => {
  it('toggles mark_unread on the current or named channel', async () => {
    const { bed, member, open, closed, ctx } = setup();
    expect((await mute.execute(ctx(member, open.id), ''))!.text).toBe('You will not receive notifications for open until channel mute is turned off.');
    expect((await bed.channelMembers.get(open.id, member.user.id))!.notify_props.mark_unread).toBe('mention');
    expect((await mute.execute(ctx(member, closed.id), '~open'))!.text).toBe('open is no longer muted.');
    expect((await bed.channelMembers.get(open.id, member.user.id))!.notify_props.mark_unread).toBe('all');
  });

  it('names a channel it cannot find or the user is not in', async () => {
    const { teammate, townSquare, ctx } = setup();
    expect((await mute.execute(ctx(teammate, townSquare.id), '~ghost'))!.text).toContain('Could not find the channel ghost.');
    expect((await mute.execute(ctx(teammate, townSquare.id), '~closed'))!.text).toBe('You are not a member of the channel closed.');
  });
});
