import { describe, expect, it } from 'vitest';
import { findMentions, MentionMember, stripCode } from './mentions.js';

function member(userId: string, username: string, extra: Partial<MentionMember> = {}): MentionMember {
  return { userId, username, firstName: '', userNotifyProps: { channel: 'true' }, channelNotifyProps: {}, online: false, ...extra };
}

const alice = member('a', 'alice');
const bob = member('b', 'bob.smith');
const carol = member('c', 'carol', { online: true });
const members = [alice, bob, carol];
const opts = { posterId: 'a', allowChannelMentions: true };

const ids = (message: string, list = members, o = opts) => findMentions(message, list, o).userIds.sort();

describe('findMentions', () => {
  it('finds @username, case-insensitively, with trailing punctuation', () => {
    expect(ids('hi @Carol, and @bob.smith.')).toEqual(['b', 'c']);
  });

  it('matches dotted usernames exactly and not their prefixes', () => {
    expect(ids('@bob is not @bob.smith? maybe')).toEqual(['b']);
    expect(ids('@bob alone')).toEqual([]);
  });

  it("reuses a list's keywords for every post, and a reloaded list (a new array) brings its own", () => {
    expect(ids('@carol and @bob.smith')).toEqual(['b', 'c']);
    expect(ids('@carol again')).toEqual(['c']);
    const reloaded = [alice, bob, member('c', 'caroline', { online: true })];
    expect(ids('@carol and @caroline', reloaded)).toEqual(['c']);
    expect(ids('@carol', reloaded)).toEqual([]);
    expect(ids('@carol')).toEqual(['c']);
  });

  it('never mentions the poster', () => {
    expect(ids('@alice talking to myself')).toEqual([]);
  });

  it('ignores mentions inside code', () => {
    expect(ids('`@carol` and\n```\n@bob.smith\n```')).toEqual([]);
    expect(stripCode('a `b` c')).toBe('a   c');
  });

  it('@channel and @all reach every member who accepts channel mentions', () => {
    const muted = member('d', 'dave', { channelNotifyProps: { ignore_channel_mentions: 'on' } });
    const optedOut = member('e', 'erin', { userNotifyProps: { channel: 'false' } });
    const forced = member('f', 'fay', { userNotifyProps: { channel: 'false' }, channelNotifyProps: { ignore_channel_mentions: 'off' } });
    const list = [...members, muted, optedOut, forced];
    expect(ids('heads up @channel', list)).toEqual(['b', 'c', 'f']);
    const all = findMentions('@all!', list, opts);
    expect(all.allMentioned).toBe(true);
    expect(all.userIds.sort()).toEqual(['b', 'c', 'f']);
  });

  it('@here reaches online members only', () => {
    const result = findMentions('@here standup', members, opts);
    expect(result.hereMentioned).toBe(true);
    expect(result.userIds).toEqual(['c']);
  });

  it('channel-wide mentions are flagged but reach nobody when not allowed', () => {
    const result = findMentions('@channel', members, { posterId: 'a', allowChannelMentions: false });
    expect(result.channelMentioned).toBe(true);
    expect(result.userIds).toEqual([]);
  });

  it('uses custom mention keys and opted-in first names', () => {
    const dan = member('d', 'dan', { firstName: 'Daniel', userNotifyProps: { mention_keys: 'Deploy, oncall', first_name: 'true' } });
    expect(ids('who is ONCALL today?', [alice, dan])).toEqual(['d']);
    expect(ids('ask Daniel', [alice, dan])).toEqual(['d']);
    // first names are case-sensitive, as in Mattermost
    expect(ids('ask daniel', [alice, dan])).toEqual([]);
    expect(ids('deploying', [alice, dan])).toEqual([]);
  });

  it('does not mention users who are not members', () => {
    expect(ids('@zed hello')).toEqual([]);
  });
});
