import { describe, expect, it } from 'vitest';
import {
  buildClearPush,
  buildFullPush,
  buildIdLoadedPush,
  buildPostPush,
  buildSessionExpiredPush,
  buildTestPush,
  buildUpdateBadgePush,
  PushBuildSettings,
  PushPostInput,
  pushText,
  PushTextInput,
} from './push-message.js';
import { PushContents, toWire } from './push-notification.js';

const ids = { post: 'p'.repeat(26), root: 'r'.repeat(26), sender: 's'.repeat(26), channel: 'c'.repeat(26), team: 't'.repeat(26) };

function input(
  over: Partial<PushPostInput> & { message?: string; props?: Record<string, unknown>; file_ids?: string[]; root_id?: string; type?: string } = {},
): PushPostInput {
  const { message = 'hello **world**', props = {}, file_ids = [], root_id = '', type = 'O', ...rest } = over;
  return {
    post: { id: ids.post, user_id: ids.sender, channel_id: ids.channel, root_id, message, props, file_ids },
    channel: { id: ids.channel, team_id: type === 'D' || type === 'G' ? '' : ids.team, type: type as 'O' },
    senderName: 'alice',
    channelName: 'Town Square',
    explicitMention: false,
    channelWideMention: false,
    replyToThreadType: '',
    collapsedThreads: false,
    ...rest,
  };
}

const settings = (contents: PushContents, over: Partial<PushBuildSettings> = {}): PushBuildSettings => ({
  contents,
  usernameOverride: false,
  iconOverride: false,
  ...over,
});

describe('buildFullPush (full, generic, generic_no_channel)', () => {
  it('full: "sender: text" with the Markdown stripped, and every id of the post', () => {
    const msg = buildFullPush(input(), settings('full'));
    expect(toWire(msg)).toEqual({
      ack_id: '',
      platform: '',
      server_id: '',
      device_id: '',
      post_id: ids.post,
      category: 'CAN_REPLY',
      version: 'v2',
      type: 'message',
      team_id: ids.team,
      channel_id: ids.channel,
      channel_name: 'Town Square',
      sender_id: ids.sender,
      sender_name: 'alice',
      message: 'alice: hello world',
      is_crt_enabled: false,
      is_id_loaded: false,
      signature: '',
    });
  });

  it('full in a DM: the text alone; channel name kept', () => {
    const msg = buildFullPush(input({ type: 'D', channelName: '@alice' }), settings('full'));
    expect(msg.message).toBe('hello world');
    expect(msg.channel_name).toBe('@alice');
    expect(toWire(msg).team_id).toBeUndefined();
  });

  it('full in a DM thread followed with collapsed threads: "sender: text", titled as a DM reply', () => {
    const msg = buildFullPush(input({ type: 'D', root_id: ids.root, replyToThreadType: 'CRT', collapsedThreads: true }), settings('full'));
    expect(msg.message).toBe('alice: hello world');
    expect(msg.channel_name).toBe('Reply in Direct Message');
    expect(msg.is_crt_enabled).toBe(true);
    expect(msg.root_id).toBe(ids.root);
  });

  it('full removes <mention> tags', () => {
    expect(buildFullPush(input({ message: 'hi <mention>@bob</mention>' }), settings('full')).message).toBe('alice: hi @bob');
  });

  it('generic keeps the channel name, generic_no_channel drops it (except for DMs)', () => {
    expect(buildFullPush(input(), settings('generic')).channel_name).toBe('Town Square');
    expect(toWire(buildFullPush(input(), settings('generic_no_channel'))).channel_name).toBeUndefined();
    expect(buildFullPush(input({ type: 'D', channelName: '@alice' }), settings('generic_no_channel')).channel_name).toBe('@alice');
  });

  it('a reply with collapsed threads is titled "Reply in <channel>", not with generic_no_channel', () => {
    const reply = input({ root_id: ids.root, collapsedThreads: true });
    expect(buildFullPush(reply, settings('generic')).channel_name).toBe('Reply in Town Square');
    expect(toWire(buildFullPush(reply, settings('generic_no_channel'))).channel_name).toBeUndefined();
    // Without collapsed threads a reply keeps the channel's name.
    expect(buildFullPush(input({ root_id: ids.root }), settings('full')).channel_name).toBe('Town Square');
  });

  it('a webhook may rename the sender and change the icon only when the settings allow it; from_webhook always passes', () => {
    const props = { override_username: 'hookbot', override_icon_url: 'https://example.com/i.png', from_webhook: 'true' };
    const off = buildFullPush(input({ props }), settings('full'));
    expect(off.sender_name).toBe('alice');
    expect(off.override_username).toBeUndefined();
    expect(off.override_icon_url).toBeUndefined();
    expect(off.from_webhook).toBe('true');
    const on = buildFullPush(input({ props }), settings('full', { usernameOverride: true, iconOverride: true }));
    expect(on).toMatchObject({ sender_name: 'hookbot', override_username: 'hookbot', override_icon_url: 'https://example.com/i.png' });
    expect(on.message).toBe('hookbot: hello world');
  });

  it('attachments add their fallback text on new lines', () => {
    const props = { attachments: [{ fallback: 'Build #12 failed' }, { text: 'no fallback' }, { fallback: 'second' }] };
    expect(buildFullPush(input({ message: 'CI', props }), settings('full')).message).toBe('alice: CI\nBuild #12 failed\nsecond');
  });

  it('a post of files only says a file was attached, in every mode', () => {
    const files = input({ message: '', file_ids: ['f'.repeat(26)] });
    for (const contents of ['full', 'generic', 'generic_no_channel'] as const) {
      expect(buildFullPush(files, settings(contents)).message).toBe('alice attached a file.');
    }
    expect(buildFullPush({ ...files, channel: { ...files.channel, type: 'D' } }, settings('full')).message).toBe('attached a file.');
  });
});

describe('pushText: the generic texts by reason', () => {
  const base: PushTextInput = {
    contents: 'generic',
    text: 'secret',
    hasFiles: false,
    senderName: 'alice',
    channelType: 'O',
    explicitMention: false,
    channelWideMention: false,
    replyToThreadType: '',
  };
  const cases: Array<[string, Partial<PushTextInput>, string]> = [
    ['a DM', { channelType: 'D' }, 'sent you a message.'],
    ['a DM thread followed (CRT)', { channelType: 'D', replyToThreadType: 'CRT' }, 'alice replied to a thread.'],
    [
      'a DM thread followed (CRT), no channel',
      { channelType: 'D', replyToThreadType: 'CRT', contents: 'generic_no_channel' },
      "alice replied to a thread you're following.",
    ],
    [
      'a followed thread (CRT) wins over mentions',
      { replyToThreadType: 'CRT', explicitMention: true, channelWideMention: true },
      "alice replied to a thread you're following.",
    ],
    ['@channel / @all / @here', { channelWideMention: true, explicitMention: true }, 'alice notified the channel.'],
    ['an explicit mention', { explicitMention: true }, 'alice mentioned you.'],
    ['a reply to one\u2019s post (comments: root)', { replyToThreadType: 'root' }, 'alice commented on your post.'],
    ['a reply in a thread one took part in (comments: any)', { replyToThreadType: 'any' }, 'alice commented on a thread you participated in.'],
    ['a followed thread, push at all', { replyToThreadType: 'all' }, "alice replied to a thread you're following."],
    ['anything else (push at all)', {}, 'alice posted a message.'],
    ['a group message', { channelType: 'G' }, 'alice posted a message.'],
  ];
  it.each(cases)('%s', (_name, over, expected) => {
    expect(pushText({ ...base, ...over })).toBe(expected);
    // generic_no_channel has the same texts (the channel name is what it hides).
    if (over.contents === undefined && !(over.channelType === 'D' && over.replyToThreadType === 'CRT')) {
      expect(pushText({ ...base, ...over, contents: 'generic_no_channel' })).toBe(expected);
    }
  });

  it('full ignores the reason', () => {
    expect(pushText({ ...base, contents: 'full', explicitMention: true, replyToThreadType: 'root' })).toBe('alice: secret');
  });
});

describe('id_loaded', () => {
  it('carries only ids, a generic text and is_id_loaded', () => {
    const msg = buildPostPush(input({ root_id: ids.root, collapsedThreads: true, message: 'secret' }), settings('id_loaded'));
    expect(toWire(msg)).toEqual({
      ack_id: '',
      platform: '',
      server_id: '',
      device_id: '',
      post_id: ids.post,
      channel_id: ids.channel,
      root_id: ids.root,
      team_id: ids.team,
      category: 'CAN_REPLY',
      version: 'v2',
      type: 'message',
      sender_id: ids.sender,
      message: "You've received a new message.",
      is_crt_enabled: true,
      is_id_loaded: true,
      signature: '',
    });
    expect(JSON.stringify(toWire(buildIdLoadedPush(input({ message: 'secret' }))))).not.toContain('secret');
  });
});

describe('the other messages', () => {
  it('clear: channel, root, badge (left out at 0, as Go does), cont_ava', () => {
    expect(toWire(buildClearPush(ids.channel, '', 3, false))).toMatchObject({ type: 'clear', version: 'v2', channel_id: ids.channel, badge: 3, cont_ava: 1 });
    const cleared = toWire(buildClearPush(ids.channel, ids.root, 0, true));
    expect(cleared).toMatchObject({ root_id: ids.root, is_crt_enabled: true });
    expect('badge' in cleared).toBe(false);
  });

  it('update_badge is silent', () => {
    expect(toWire(buildUpdateBadgePush(5))).toMatchObject({ type: 'update_badge', sound: 'none', badge: 5, cont_ava: 1, version: 'v2' });
  });

  it('session expired names the site and the mobile session length', () => {
    expect(buildSessionExpiredPush('Chat', 720).message).toBe(
      'Session Expired: Please log in to continue receiving notifications. Sessions for Chat are configured by your System Administrator to expire every 720 hour(s).',
    );
  });

  it('test: version "2" and badge -1', () => {
    expect(toWire(buildTestPush())).toMatchObject({ type: 'test', version: '2', badge: -1 });
  });
});
