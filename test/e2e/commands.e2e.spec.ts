import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import { eventually, expectClientError, sleep, type WsEventMessage } from '#testing';
import { PERMISSION, startChannelSuite, stopChannelSuite, type ChannelSuite } from './fixtures.js';

let s: ChannelSuite;

beforeAll(async () => {
  s = await startChannelSuite({
    team: { name: 'cmdteam', display_name: 'Command Team' },
    pub: { name: 'cmd-pub', display_name: 'Cmd Pub' },
    priv: { name: 'cmd-priv', display_name: 'Cmd Priv' },
  });
});
afterAll(() => stopChannelSuite(s));

const bobSocket = () => s.sockets[0];
const daveSocket = () => s.sockets[1];

const run = (c: Client4, command: string, channelId: string, extra: Record<string, string> = {}) =>
  c.executeCommand(command, { channel_id: channelId, team_id: s.team.id, ...extra });

/** A predicate for events that arrive after this point. */
function fresh(): (e: WsEventMessage) => boolean {
  const marks = new Map(s.sockets.map((sock) => [sock, sock.events.length]));
  return (e) => s.sockets.some((sock) => sock.events.indexOf(e) >= (marks.get(sock) ?? 0));
}

const ephemeralText = (text: string, after: (e: WsEventMessage) => boolean) => (e: WsEventMessage) => after(e) && JSON.parse(e.data.post).message === text;
const postedMessage = (e: WsEventMessage): Post => JSON.parse(e.data.post);
const myPreferences = async () => (await s.bob.client.getMyPreferences()) as unknown as Array<{ category: string; name: string; value: string }>;

describe('POST /posts/ephemeral', () => {
  it('sends a post to one user only, as system_ephemeral, and never stores it', async () => {
    const after = fresh();
    const sent = await s.admin.client.createPostEphemeral(s.bob.user.id, { channel_id: s.pub.id, message: 'only bob', type: 'custom_x' } as unknown as Post);
    expect(sent).toMatchObject({ channel_id: s.pub.id, message: 'only bob', type: 'system_ephemeral', user_id: s.admin.user.id });
    expect(sent.id).toHaveLength(26);
    const event = await bobSocket().waitFor('ephemeral_message', ephemeralText('only bob', after));
    expect(event.broadcast.user_id).toBe(s.bob.user.id);
    expect(postedMessage(event)).toMatchObject({ id: sent.id, type: 'system_ephemeral' });
    await daveSocket().expectNone('ephemeral_message', after);
    const err = await expectClientError(() => s.bob.client.getPost(sent.id));
    expect(err.status_code).toBe(404);
  });

  it('needs create_post_ephemeral (system admins) and names a missing user_id or post first', async () => {
    const denied = await expectClientError(() => s.alice.client.createPostEphemeral(s.bob.user.id, { channel_id: s.pub.id, message: 'x' } as Post));
    expect([denied.status_code, denied.server_error_id]).toEqual([403, PERMISSION]);
    const noUser = await expectClientError(() => s.alice.client.createPostEphemeral('', { channel_id: s.pub.id, message: 'x' } as Post));
    expect([noUser.status_code, noUser.message]).toEqual([400, 'Invalid or missing user_id in request body.']);
    const noPost = await expectClientError(() => s.admin.client.createPostEphemeral(s.bob.user.id, undefined as unknown as Post));
    expect([noPost.status_code, noPost.message]).toEqual([400, 'Invalid or missing post in request body.']);
  });
});

describe('status commands', () => {
  it.each([
    ['/away', 'away', 'You are now away'],
    ['/dnd', 'dnd', 'Do Not Disturb is enabled. You will not receive desktop or mobile push notifications until Do Not Disturb is turned off.'],
    ['/offline', 'offline', 'You are now offline'],
    ['/online', 'online', 'You are now online'],
  ])('%s sets the status and answers the user alone', async (command, status, text) => {
    const after = fresh();
    const response = await run(s.bob.client, command, s.pub.id);
    expect(response).toMatchObject({ response_type: 'ephemeral', text, goto_location: '', extra_responses: null, skip_slack_parsing: false });
    await bobSocket().waitFor('ephemeral_message', ephemeralText(text, after));
    expect((await s.bob.client.getStatus(s.bob.user.id)).status).toBe(status);
  });

  it('/status sets and clears the custom status', async () => {
    const response = await run(s.bob.client, '/status :coffee: on a break', s.pub.id);
    expect(response.text).toContain(':coffee: on a break');
    const me = await s.bob.client.getMe();
    expect(JSON.parse(me.props.customStatus)).toMatchObject({ emoji: 'coffee', text: 'on a break' });
    expect((await run(s.bob.client, '/status clear', s.pub.id)).text).toBe('Your status was cleared.');
    expect((await s.bob.client.getMe()).props.customStatus).toBe('');
  });
});

describe('text commands', () => {
  it('/echo posts the message after the delay', async () => {
    const after = fresh();
    const response = await run(s.bob.client, '/echo "echoed twice" 1', s.pub.id);
    expect(response).toMatchObject({ response_type: '', text: '' });
    const started = Date.now();
    const event = await bobSocket().waitFor('posted', (e) => after(e) && postedMessage(e).message === 'echoed twice', 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(postedMessage(event).user_id).toBe(s.bob.user.id);
    expect((await run(s.bob.client, '/echo too late 10001', s.pub.id)).text).toBe('Delays must be under 10000 seconds.');
    expect((await run(s.bob.client, '/echo', s.pub.id)).text).toBe('A message must be provided with the /echo command.');
  });

  it('/code, /me and /shrug post in the channel', async () => {
    const after = fresh();
    expect(await run(s.bob.client, '/code a = 1\nb = 2', s.pub.id)).toMatchObject({
      response_type: 'in_channel',
      text: '    a = 1\n    b = 2',
      skip_slack_parsing: true,
    });
    await bobSocket().waitFor('posted', (e) => after(e) && postedMessage(e).message === '    a = 1\n    b = 2');
    await run(s.bob.client, '/me waves', s.pub.id);
    const me = await bobSocket().waitFor('posted', (e) => after(e) && postedMessage(e).message === '*waves*');
    expect(postedMessage(me).type).toBe('me');
    await run(s.bob.client, '/shrug oh well', s.pub.id);
    await bobSocket().waitFor('posted', (e) => after(e) && postedMessage(e).message === 'oh well ¯\\\\\\_(ツ)\\_/¯');
  });

  it('/help, /search, /settings answer ephemerally; /logout sends to the login page', async () => {
    expect((await run(s.bob.client, '/help', s.pub.id)).text).toContain('https://mattermost.com/pl/help/');
    expect(await run(s.bob.client, '/search foo', s.pub.id)).toMatchObject({
      response_type: 'ephemeral',
      text: 'The search command is not supported on your device.',
    });
    expect((await run(s.bob.client, '/settings', s.pub.id)).text).toBe('The settings command is not supported on your device.');
    expect(await run(s.bob.client, '/logout', s.pub.id)).toMatchObject({ goto_location: '/login', text: '' });
  });

  it('/collapse and /expand set display_settings/collapse_previews', async () => {
    expect((await run(s.bob.client, '/collapse', s.pub.id)).text).toBe('Image links now collapse by default');
    expect((await myPreferences()).find((p) => p.category === 'display_settings' && p.name === 'collapse_previews')?.value).toBe('true');
    expect((await run(s.bob.client, '/expand', s.pub.id)).text).toBe('Image links now expand by default');
    expect((await myPreferences()).find((p) => p.name === 'collapse_previews')?.value).toBe('false');
  });
});

describe('channel commands', () => {
  it('/header, /purpose and /rename change the channel', async () => {
    await run(s.bob.client, '/header the new header', s.pub.id);
    await run(s.bob.client, '/purpose the new purpose', s.pub.id);
    await run(s.bob.client, '/rename Renamed Pub', s.pub.id);
    expect(await s.bob.client.getChannel(s.pub.id)).toMatchObject({ header: 'the new header', purpose: 'the new purpose', display_name: 'Renamed Pub' });
    expect((await run(s.bob.client, '/header', s.pub.id)).text).toBe('Text must be provided with the /header command.');
    expect((await run(s.bob.client, '/purpose x', s.dm.id)).text).toBe(
      'Unable to set purpose for direct message channels. Use /header to set the header instead.',
    );
    await run(s.bob.client, '/header dm header', s.dm.id);
    expect((await s.bob.client.getChannel(s.dm.id)).header).toBe('dm header');
  });

  it('refuses commands in a channel the caller is not in (create_post), e.g. /header', async () => {
    const err = await expectClientError(() => run(s.dave.client, '/header taken over', s.priv.id));
    expect([err.status_code, err.server_error_id]).toEqual([403, PERMISSION]);
    expect((await s.alice.client.getChannel(s.priv.id)).header).toBe('');
  });

  it('/join a public channel, not a private one; /leave goes back to Town Square', async () => {
    const townSquare = await s.dave.client.getChannelByName(s.team.id, 'town-square');
    const joined = await run(s.dave.client, `/join ~${s.pub.name}`, townSquare.id);
    expect(joined.goto_location).toMatch(new RegExp(`/${s.team.name}/channels/${s.pub.name}$`));
    expect((await s.dave.client.getChannelMember(s.pub.id, s.dave.user.id)).user_id).toBe(s.dave.user.id);
    const denied = await run(s.dave.client, `/join ${s.priv.name}`, townSquare.id);
    expect(denied).toMatchObject({ response_type: 'ephemeral', text: 'An error occurred while joining the channel.' });
    expect((await run(s.dave.client, '/join nowhere', townSquare.id)).text).toBe('An error occurred while listing channels.');
    const left = await run(s.dave.client, '/leave', s.pub.id);
    expect(left.goto_location).toMatch(new RegExp(`/${s.team.name}/channels/town-square$`));
    expect((await expectClientError(() => s.bob.client.getChannelMember(s.pub.id, s.dave.user.id))).status_code).toBe(404);
    expect((await run(s.dave.client, '/leave', townSquare.id)).text).toBe('You cannot leave the default channel town-square.');
  });

  it('/mute toggles mark_unread', async () => {
    expect((await run(s.bob.client, '/mute', s.pub.id)).text).toBe('You will not receive notifications for Renamed Pub until channel mute is turned off.');
    expect((await s.bob.client.getChannelMember(s.pub.id, s.bob.user.id)).notify_props.mark_unread).toBe('mention');
    expect((await run(s.bob.client, `/mute ~${s.pub.name}`, s.priv.id)).text).toBe('Renamed Pub is no longer muted.');
    expect((await run(s.bob.client, '/mute', s.dm.id)).text).toBe('You will not receive notifications for this channel until channel mute is turned off.');
  });
});

describe('member commands', () => {
  it('/invite adds users to channels and explains who could not be added', async () => {
    const added = await run(s.alice.client, `/invite @${s.dave.user.username} ~${s.priv.name}`, s.pub.id);
    expect(added.text).toBe(`@${s.dave.user.username} added to ${s.priv.name} channel.`);
    expect((await s.alice.client.getChannelMember(s.priv.id, s.dave.user.id)).user_id).toBe(s.dave.user.id);
    const again = await run(s.alice.client, `/invite @${s.dave.user.username}`, s.priv.id);
    expect(again.text).toBe(`@${s.dave.user.username} is already in the channel.`);
    const outsider = await run(s.alice.client, `/invite @${s.carol.user.username}`, s.pub.id);
    expect(outsider.text).toBe(`You can add @${s.carol.user.username} to this channel once they are members of the **Command Team** team.`);
    expect((await run(s.alice.client, '/invite @nobody-here', s.pub.id)).text).toContain("We couldn't find the user nobody-here.");
    expect((await run(s.alice.client, `/invite @${s.dave.user.username}`, s.dm.id)).text).toBe("You can't add someone to a direct message channel.");
  });

  it('/kick and /remove take a member out; not in a direct message', async () => {
    await run(s.alice.client, `/kick @${s.dave.user.username}`, s.priv.id);
    expect((await expectClientError(() => s.alice.client.getChannelMember(s.priv.id, s.dave.user.id))).status_code).toBe(404);
    expect((await run(s.alice.client, `/remove @${s.dave.user.username}`, s.priv.id)).text).toBe(`${s.dave.user.username} is not a member of this channel.`);
    expect((await run(s.bob.client, `/kick @${s.alice.user.username}`, s.dm.id)).text).toBe("You can't remove someone from a direct message channel.");
    const denied = await expectClientError(() => run(s.dave.client, `/kick @${s.bob.user.username}`, s.priv.id));
    expect([denied.status_code, denied.server_error_id]).toEqual([403, PERMISSION]);
  });
});

describe('message commands', () => {
  it('/msg makes the direct channel, posts, and goes there', async () => {
    const response = await run(s.bob.client, `/msg @${s.dave.user.username} hello dave`, s.pub.id);
    const dmName = [s.bob.user.id, s.dave.user.id].sort().join('__');
    expect(response).toMatchObject({ response_type: 'ephemeral', text: '' });
    expect(response.goto_location).toMatch(new RegExp(`/${s.team.name}/channels/${dmName}$`));
    const dm = await s.bob.client.createDirectChannel([s.bob.user.id, s.dave.user.id]);
    await eventually(async () => {
      const posts = await s.bob.client.getPosts(dm.id);
      expect(Object.values(posts.posts).map((p) => p.message)).toContain('hello dave');
    }, 5000);
    expect((await run(s.bob.client, '/msg @nobody-here hi', s.pub.id)).text).toBe('Unable to find the user.');
  });

  it('/groupmsg makes the group channel, posts, and goes there', async () => {
    const response = await run(s.bob.client, `/groupmsg @${s.dave.user.username},@${s.alice.user.username} hello all`, s.pub.id);
    const channels = await s.bob.client.getMyChannels(s.team.id);
    const group = channels.find((c: Channel) => c.type === 'G');
    expect(group).toBeDefined();
    expect(response.goto_location).toMatch(new RegExp(`/channels/${group!.name}$`));
    await eventually(async () => {
      const posts = await s.bob.client.getPosts(group!.id);
      expect(Object.values(posts.posts).map((p) => p.message)).toContain('hello all');
    }, 5000);
    expect((await run(s.bob.client, '/groupmsg @ghost1,@ghost2', s.pub.id)).text).toBe('Unable to find the users: @ghost1, @ghost2');
  });
});

describe('execute errors', () => {
  it('answers an unknown trigger with 404 and a malformed command with 400', async () => {
    const unknown = await expectClientError(() => run(s.bob.client, '/nosuchcommand x', s.pub.id));
    expect([unknown.status_code, unknown.server_error_id]).toEqual([404, 'api.command.execute_command.not_found.app_error']);
    const bad = await expectClientError(() => run(s.bob.client, 'echo', s.pub.id));
    expect([bad.status_code, bad.server_error_id]).toEqual([400, 'api.command.execute_command.start.app_error']);
    const noChannel = await expectClientError(() => s.bob.client.executeCommand('/echo x', { channel_id: 'nope' }));
    expect(noChannel.status_code).toBe(400);
  });

  it('with EnableCommands off answers every command with 501, built-ins too', async () => {
    await s.admin.client.patchConfig({ ServiceSettings: { EnableCommands: false } } as any);
    try {
      const err = await expectClientError(() => run(s.bob.client, '/away', s.pub.id));
      expect([err.status_code, err.server_error_id]).toEqual([501, 'api.command.disabled.app_error']);
    } finally {
      await s.admin.client.patchConfig({ ServiceSettings: { EnableCommands: true } } as any);
    }
  });
});

describe('command lists and autocomplete', () => {
  it('suggests triggers and arguments', async () => {
    const triggers = await s.bob.client.getCommandAutocompleteSuggestionsList('/ec', s.team.id, { channel_id: s.pub.id } as any);
    expect(triggers).toEqual([
      { Complete: 'echo', Suggestion: 'echo', Hint: "'message' [delay in seconds]", Description: 'Echo back text from your account', IconData: '' },
    ]);
    const rename = await s.bob.client.getCommandAutocompleteSuggestionsList('/rename ', s.team.id, { channel_id: s.pub.id } as any);
    expect(rename).toEqual([{ Complete: 'rename ', Suggestion: '', Hint: '[text]', Description: '[text]', IconData: '' }]);
    expect(await s.bob.client.getCommandAutocompleteSuggestionsList('/zzz', s.team.id, {} as any)).toEqual([]);
    const empty = await expectClientError(() => s.bob.client.getCommandAutocompleteSuggestionsList('', s.team.id, {} as any));
    expect(empty.status_code).toBe(400);
    const outsider = await expectClientError(() => s.carol.client.getCommandAutocompleteSuggestionsList('/ec', s.team.id, {} as any));
    expect([outsider.status_code, outsider.server_error_id]).toEqual([403, PERMISSION]);
  });

  it('lists the built-ins, sanitised, for team members', async () => {
    const list = await s.bob.client.getCommandsList(s.team.id);
    const triggers = list.map((c) => c.trigger);
    for (const t of ['away', 'code', 'echo', 'groupmsg', 'header', 'invite', 'join', 'kick', 'leave', 'me', 'msg', 'mute', 'status'])
      expect(triggers).toContain(t);
    expect(list.find((c) => c.trigger === 'echo')).toMatchObject({ id: '', token: '', url: '', auto_complete: true, display_name: 'echo' });
    expect((await s.bob.client.getAutocompleteCommandsList(s.team.id)).map((c) => c.trigger)).toEqual(triggers);
    const outsider = await expectClientError(() => s.carol.client.getCommandsList(s.team.id));
    expect(outsider.status_code).toBe(403);
    expect((await expectClientError(() => s.carol.client.getAutocompleteCommandsList(s.team.id))).status_code).toBe(403);
  });

  it('lists custom commands only for those who manage them (none yet)', async () => {
    expect(await s.admin.client.getCustomTeamCommands(s.team.id)).toEqual([]);
    const denied = await expectClientError(() => s.bob.client.getCustomTeamCommands(s.team.id));
    expect([denied.status_code, denied.server_error_id]).toEqual([403, PERMISSION]);
  });

  it('needs a session', async () => {
    await sleep(0);
    const anon = s.server.client();
    expect((await expectClientError(() => anon.getCommandsList(s.team.id))).status_code).toBe(401);
  });
});
