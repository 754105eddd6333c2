import { describe, expect, it } from 'vitest';
import { directChannelName } from '../../channels/channel.model.js';
import { CommandsTestbed } from '../in-memory-commands.js';
import { groupmsg, msg, parseGroupMessage } from './message-commands.js';

function setup() {
  const bed = new CommandsTestbed();
  const teamId = bed.namedTeam('alpha');
  const users = Array.from({ length: 9 }, () => bed.user());
  for (const u of users) bed.joinTeam(teamId, u.user.id);
  const open = bed.channel(teamId, 'O', 'open');
  bed.joinChannel(open, users[0].user.id);
  const ctx = (who: { session: any }) => bed.context(who.session, open.id, teamId);
  return { bed, teamId, users, open, ctx };
}

describe('/msg', () => {
  it('makes the direct channel, posts the message there, and goes to it', async () => {
    const { bed, users, ctx } = setup();
    const [me, you] = users;
    const response = await msg.execute(ctx(me), `@${you.user.username} hi there`);
    const name = directChannelName(me.user.id, you.user.id);
    expect(response).toMatchObject({ response_type: 'ephemeral', text: '', goto_location: `http://chat.test/alpha/channels/${name}` });
    const dm = await bed.channels.byName('', name, false);
    expect(bed.posted.at(-1)!.input).toMatchObject({ channel_id: dm!.id, message: 'hi there' });
    await msg.execute(ctx(me), `${you.user.username}`);
    expect(bed.posted).toHaveLength(1);
  });

  it('does not message oneself or an unknown user, nor without create_direct_channel', async () => {
    const { bed, teamId, users, ctx } = setup();
    expect((await msg.execute(ctx(users[0]), `@${users[0].user.username} hi`))!.text).toBe('Unable to find the user.');
    expect((await msg.execute(ctx(users[0]), '@ghost hi'))!.text).toBe('Unable to find the user.');
    const limited = bed.user('system_user_access_token');
    bed.joinTeam(teamId, limited.user.id);
    const response = await msg.execute(bed.context(limited.session, '', ''), `@${users[1].user.username} hi`);
    expect(response!.text).toBe("You don't have the appropriate permissions to direct message this user.");
  });
});

describe('/groupmsg', () => {
  it('parses comma-separated names and the message after them', () => {
    expect(parseGroupMessage('@a, @b,c hello there, friends')).toEqual({ usernames: ['a', 'b', 'c'], text: 'hello there, friends' });
    expect(parseGroupMessage('@a,@b')).toEqual({ usernames: ['a', 'b'], text: '' });
  });

  it('makes the group channel, posts, and goes to it; one other user is /msg', async () => {
    const { bed, users, ctx } = setup();
    const [me, a, b] = users;
    const response = await groupmsg.execute(ctx(me), `@${a.user.username},@${b.user.username} hello`);
    const group = [...bed.channels.rows.values()].find((c) => c.type === 'G')!;
    expect(response!.goto_location).toBe(`http://chat.test/alpha/channels/${group.name}`);
    expect(bed.posted.at(-1)!.input).toMatchObject({ channel_id: group.id, message: 'hello' });
    const single = await groupmsg.execute(ctx(me), `@${a.user.username} yo`);
    expect(single!.goto_location).toBe(`http://chat.test/alpha/channels/${directChannelName(me.user.id, a.user.id)}`);
  });

  it('names unknown users and keeps to 2–7 others', async () => {
    const { users, ctx } = setup();
    const [me, ...others] = users;
    expect((await groupmsg.execute(ctx(me), '@ghost hi'))!.text).toBe('Unable to find the user: @ghost');
    expect((await groupmsg.execute(ctx(me), `@${me.user.username}`))!.text).toBe('Group messages are limited to a minimum of 2 users.');
    const eight = others.map((u) => `@${u.user.username}`).join(',');
    expect((await groupmsg.execute(ctx(me), eight))!.text).toBe('Group messages are limited to a maximum of 7 users.');
  });
});
