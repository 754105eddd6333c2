import type { Channel, ChannelMembership } from '@mattermost/types/channels';
import { describe, expect, it } from 'vitest';
import { channelRead, initialUnreads, memberUpdated, postCounted, receivedChannelMembers, unreadOf } from './unreads';

const channels = {
  c1: { id: 'c1', total_msg_count: 10, total_msg_count_root: 6 },
  c2: { id: 'c2', total_msg_count: 3, total_msg_count_root: 3 },
} as unknown as Record<string, Channel>;
const member = (channel_id: string, extra: Partial<ChannelMembership> = {}) =>
  ({ channel_id, msg_count: 0, msg_count_root: 0, mention_count: 0, mention_count_root: 0, notify_props: {}, ...extra }) as ChannelMembership;

const loaded = receivedChannelMembers(initialUnreads, 't1', channels, [
  member('c1', { msg_count: 8, msg_count_root: 6, mention_count: 1, mention_count_root: 0 }),
  member('c2', { msg_count: 3, msg_count_root: 3, notify_props: { mark_unread: 'mention' } }),
  member('unknown'),
]);

describe('unreads', () => {
  it('compares the channel totals with what the member read, roots only with collapsed threads', () => {
    expect(loaded.teams).toEqual({ t1: true });
    expect(loaded.byChannel.unknown).toBeUndefined();
    expect(unreadOf(loaded.byChannel.c1, false)).toEqual({ unread: true, mentions: 1, muted: false });
    // The two unread posts and the mention were replies: nothing in the channel with CRT.
    expect(unreadOf(loaded.byChannel.c1, true)).toEqual({ unread: false, mentions: 0, muted: false });
    expect(unreadOf(undefined, false)).toEqual({ unread: false, mentions: 0, muted: false });
  });

  it('counts new posts: others’ as unread (and mentions when they name the reader); the reader’s own reads the channel', () => {
    let state = postCounted(loaded, 'c2', { root: true, mine: true, mentionsMe: false });
    expect(state.byChannel.c2).toMatchObject({ total: 4, read: 4, totalRoot: 4, readRoot: 4 });
    state = postCounted(state, 'c1', { root: true, mine: false, mentionsMe: true });
    expect(unreadOf(state.byChannel.c1, true)).toEqual({ unread: true, mentions: 1, muted: false });
    state = postCounted(state, 'c1', { root: false, mine: false, mentionsMe: true });
    expect(state.byChannel.c1).toMatchObject({ mentions: 3, mentionsRoot: 1, total: 12, totalRoot: 7 });
    state = postCounted(state, 'c1', { root: false, mine: true, mentionsMe: false });
    expect(unreadOf(state.byChannel.c1, false)).toEqual({ unread: false, mentions: 0, muted: false });
    expect(state.byChannel.c1).toMatchObject({ total: 13, read: 13, totalRoot: 7, readRoot: 7 });
    expect(postCounted(state, 'nope', { root: true, mine: false, mentionsMe: false })).toBe(state);
  });

  it('shows a muted channel’s mentions but never as unread', () => {
    const state = postCounted(loaded, 'c2', { root: true, mine: false, mentionsMe: true });
    expect(unreadOf(state.byChannel.c2, false)).toEqual({ unread: false, mentions: 1, muted: true });
    const unmuted = memberUpdated(state, { channel_id: 'c2', notify_props: { mark_unread: 'all' } });
    expect(unreadOf(unmuted.byChannel.c2, false)).toEqual({ unread: true, mentions: 1, muted: false });
    expect(memberUpdated(unmuted, { channel_id: 'c2', notify_props: { mark_unread: 'all' } })).toBe(unmuted);
  });

  it('clears a viewed channel', () => {
    const state = channelRead(loaded, 'c1');
    expect(unreadOf(state.byChannel.c1, false)).toEqual({ unread: false, mentions: 0, muted: false });
    expect(channelRead(state, 'c1')).toBe(state);
    expect(channelRead(state, 'unknown')).toBe(state);
  });
});
