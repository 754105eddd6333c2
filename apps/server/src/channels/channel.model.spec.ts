import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  directChannelName,
  directChannelTeammate,
  groupChannelName,
  groupDisplayName,
  isValidChannelName,
  looksLikeDirectOrGroupName,
  mergeNotifyProps,
  validateChannel,
} from './channel.model.js';

const A = 'a'.repeat(26);
const B = 'b'.repeat(26);

describe('channel names', () => {
  it('accepts 1–64 lowercase letters, digits, dashes and underscores starting with a letter or digit', () => {
    for (const ok of ['a', '1', 'town-square', 'off_topic', 'a-b_c-1', 'x'.repeat(64), `${A}__${B}`]) expect(isValidChannelName(ok)).toBe(true);
    for (const bad of ['', 'Upper', 'has space', '-dash', '_under', 'dot.ted', 'é', 'x'.repeat(65)]) expect(isValidChannelName(bad)).toBe(false);
  });

  it('recognises names reserved for direct and group messages', () => {
    expect(looksLikeDirectOrGroupName(`${A}__${B}`)).toBe(true);
    expect(looksLikeDirectOrGroupName('0123456789abcdef0123456789abcdef01234567')).toBe(true);
    expect(looksLikeDirectOrGroupName('short__name')).toBe(false);
    expect(looksLikeDirectOrGroupName('town-square')).toBe(false);
  });

  it('refuses DM/GM-shaped names for open and private channels', () => {
    const channel = { id: '', type: 'O' as const, name: `${A}__${B}`, display_name: 'X', header: '', purpose: '' };
    expect(() => validateChannel(channel)).toThrow(expect.objectContaining({ id: 'model.channel.is_valid.name.app_error' }));
    expect(() => validateChannel({ ...channel, type: 'D' })).not.toThrow();
    expect(() => validateChannel({ ...channel, name: 'Bad' })).toThrow(expect.objectContaining({ id: 'model.channel.is_valid.1_or_more.app_error' }));
    expect(() => validateChannel({ ...channel, name: 'ok', display_name: 'x'.repeat(65) })).toThrow(
      expect.objectContaining({ id: 'model.channel.is_valid.display_name.app_error' }),
    );
    expect(() => validateChannel({ ...channel, name: 'ok', purpose: 'x'.repeat(251) })).toThrow(
      expect.objectContaining({ id: 'model.channel.is_valid.purpose.app_error' }),
    );
  });
});

describe('direct and group message names', () => {
  it('joins the two user ids in ascending order with "__", whatever the argument order', () => {
    expect(directChannelName(A, B)).toBe(`${A}__${B}`);
    expect(directChannelName(B, A)).toBe(`${A}__${B}`);
    expect(directChannelName(A, A)).toBe(`${A}__${A}`);
  });

  it('finds the other member of a DM', () => {
    expect(directChannelTeammate(`${A}__${B}`, A)).toBe(B);
    expect(directChannelTeammate(`${A}__${B}`, B)).toBe(A);
  });

  it('names a group by the sha1 of its sorted member ids', () => {
    const ids = ['c'.repeat(26), A, B];
    const expected = createHash('sha1')
      .update(A + B + 'c'.repeat(26))
      .digest('hex');
    expect(groupChannelName(ids)).toBe(expected);
    expect(groupChannelName([...ids].reverse())).toBe(expected);
    expect(ids[0]).toBe('c'.repeat(26)); // the caller's array is not reordered
  });

  it('shows a group as its sorted usernames, cut to 64 characters', () => {
    expect(groupDisplayName(['carol', 'alice', 'bob'])).toBe('alice, bob, carol');
    expect(groupDisplayName(Array.from({ length: 8 }, (_, i) => `user-with-a-long-name-${i}`))).toHaveLength(64);
  });
});

describe('notify props', () => {
  const defaults = {
    desktop: 'default',
    email: 'default',
    mark_unread: 'all',
    push: 'default',
    ignore_channel_mentions: 'default',
    channel_auto_follow_threads: 'off',
  };

  it('updates the given known props and keeps the others', () => {
    expect(mergeNotifyProps(defaults, { mark_unread: 'mention', unknown: 'x' })).toEqual({ ...defaults, mark_unread: 'mention' });
  });

  it('refuses invalid values with Mattermost’s ids', () => {
    expect(() => mergeNotifyProps(defaults, { desktop: 'loud' })).toThrow(
      expect.objectContaining({ id: 'model.channel_member.is_valid.notify_level.app_error' }),
    );
    expect(() => mergeNotifyProps(defaults, { mark_unread: 'none' })).toThrow(
      expect.objectContaining({ id: 'model.channel_member.is_valid.unread_level.app_error' }),
    );
    expect(() => mergeNotifyProps(defaults, { email: 'all' })).toThrow(expect.objectContaining({ id: 'model.channel_member.is_valid.email_value.app_error' }));
    expect(() => mergeNotifyProps(defaults, { desktop: 3 })).toThrow(expect.objectContaining({ statusCode: 400 }));
  });
});
