import { describe, expect, it } from 'vitest';
import { CommandsTestbed } from '../in-memory-commands.js';
import { invite, kick, remove } from './member-commands.js';

/** A team with a public and a private channel: admin-made by `owner`, a guest in the public one, others on the team only. */
function setup() {
  const bed = new CommandsTestbed();
  const teamId = bed.namedTeam('alpha');
  const [owner, guest, alice, bob, stranger] = [bed.user(), bed.user('system_guest'), bed.user(), bed.user(), bed.user()];
  for (const u of [owner, alice, bob]) bed.joinTeam(teamId, u.user.id);
  bed.joinTeam(teamId, guest.user.id, 'guest');
  const open = bed.channel(teamId, 'O', 'open');
  const closed = bed.channel(teamId, 'P', 'closed');
  bed.joinChannel(open, owner.user.id);
  bed.joinChannel(closed, owner.user.id);
  bed.joinChannel(open, guest.user.id);
  const ctx = (who: { session: any }, channelId: string) => bed.context(who.session, channelId, teamId);
  return { bed, teamId, owner, guest, alice, bob, stranger, open, closed, ctx };
}

describe('/invite', () => {
  it('adds users to the current channel silently, and to others with a note', async () => {
    const { bed, owner, alice, bob, open, closed, ctx } = setup();
    expect((await invite.execute(ctx(owner, open.id), `@${alice.user.username}`))!.text).toBe('');
    expect(await bed.channelMembers.get(open.id, alice.user.id)).toBeDefined();
    const text = (await invite.execute(ctx(owner, open.id), `@${alice.user.username} @${bob.user.username} ~closed`))!.text;
    expect(text).toBe(`@${alice.user.username}, @${bob.user.username} added to closed channel.`);
  });

  it('explains users already in, not on the team, or unknown', async () => {
    const { owner, guest, stranger, open, ctx } = setup();
    const text = (await invite.execute(ctx(owner, open.id), `@${guest.user.username} @${stranger.user.username}`))!.text.split('\n');
    expect(text).toEqual([
      `@${guest.user.username} is already in the channel.`,
      `You can add @${stranger.user.username} to this channel once they are members of the **ALPHA** team.`,
    ]);
    // As Mattermost: an unknown user without a channel named ends there, with only that said.
    expect((await invite.execute(ctx(owner, open.id), `@${guest.user.username} @ghost`))!.text).toBe(
      "We couldn't find the user ghost. They may have been deactivated by the System Administrator.",
    );
  });

  it('needs the permission to manage the members, and hides private channels from non-members', async () => {
    const { bed, guest, alice, open, ctx } = setup();
    expect((await invite.execute(ctx(guest, open.id), `@${alice.user.username}`))!.text).toBe(
      `You don't have enough permissions to add ${alice.user.username} in open.`,
    );
    expect(await bed.channelMembers.get(open.id, alice.user.id)).toBeUndefined();
    expect((await invite.execute(ctx(alice, open.id), `@${guest.user.username} ~closed`))!.text).toContain('Could not find the channel closed.');
  });

  it('asks for a user, and refuses direct messages', async () => {
    const { bed, owner, alice, open, ctx } = setup();
    expect((await invite.execute(ctx(owner, open.id), ''))!.text).toBe('Missing Username and/or Channel.');
    expect((await invite.execute(ctx(owner, open.id), '~open'))!.text).toBe('Missing Username and/or Channel.');
    const dm = await bed.channelsService.createDirect(owner.session, [owner.user.id, alice.user.id]);
    expect((await invite.execute(ctx(owner, dm.id), `@${alice.user.username}`))!.text).toBe("You can't add someone to a direct message channel.");
  });
});

describe('/kick and /remove', () => {
  it('remove a member with manage_public_channel_members', async () => {
    const { bed, owner, guest, open, ctx } = setup();
    expect((await kick.execute(ctx(owner, open.id), `@${guest.user.username}`))!.text).toBe('');
    expect(await bed.channelMembers.get(open.id, guest.user.id)).toBeUndefined();
    expect(bed.events.map((e) => e.event)).toContain('user_removed');
  });

  it('refuse without the permission (a guest), in direct messages, and for non-members', async () => {
    const { bed, owner, guest, alice, open, ctx } = setup();
    expect((await kick.execute(ctx(guest, open.id), `@${owner.user.username}`))!.text).toBe("You don't have the appropriate permissions to remove the member.");
    expect(await bed.channelMembers.get(open.id, owner.user.id)).toBeDefined();
    expect((await remove.execute(ctx(owner, open.id), `@${alice.user.username}`))!.text).toBe(`${alice.user.username} is not a member of this channel.`);
    expect((await remove.execute(ctx(owner, open.id), '@ghost'))!.text).toContain("We couldn't find the user.");
    expect((await remove.execute(ctx(owner, open.id), ''))!.text).toBe('A message must be provided with the /remove or /kick command.');
    const dm = await bed.channelsService.createDirect(owner.session, [owner.user.id, alice.user.id]);
    expect((await remove.execute(ctx(owner, dm.id), `@${alice.user.username}`))!.text).toBe("You can't remove someone from a direct message channel.");
  });
});
