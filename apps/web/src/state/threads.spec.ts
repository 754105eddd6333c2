import type { UserThread } from '@mattermost/types/threads';
import { describe, expect, it } from 'vitest';
import {
  collapsedThreadsOn,
  initialThreads,
  receivedUserThreads,
  teamThreads,
  teamThreadsRead,
  threadClosed,
  threadFollowChanged,
  threadOpened,
  threadReadChanged,
  threadUpdated,
  unreadThreadCount,
} from './threads';

const thread = (id: string, last_reply_at: number, extra: Partial<UserThread> = {}): UserThread =>
  ({
    id,
    reply_count: 1,
    last_reply_at,
    last_viewed_at: 0,
    participants: [],
    unread_replies: 0,
    unread_mentions: 0,
    is_following: true,
    post: { channel_id: 'c1', user_id: 'u1', message: 'the root', id },
    ...extra,
  }) as UserThread;

const ids = (state: ReturnType<typeof receivedUserThreads>, team = 't1') => teamThreads(state, team)?.map((t) => t.id);

describe('collapsedThreadsOn', () => {
  it("follows ServiceSettings.CollapsedThreads and the user's preference as Mattermost does", () => {
    expect(collapsedThreadsOn('always_on', 'off')).toBe(true);
    expect(collapsedThreadsOn('default_on', undefined)).toBe(true);
    expect(collapsedThreadsOn('default_on', 'off')).toBe(false);
    expect(collapsedThreadsOn('default_off', undefined)).toBe(false);
    expect(collapsedThreadsOn('default_off', 'on')).toBe(true);
    expect(collapsedThreadsOn('disabled', 'on')).toBe(false);
    expect(collapsedThreadsOn(undefined, 'on')).toBe(false);
  });
});

describe('threads', () => {
  it('opens and closes the panel', () => {
    const open = threadOpened(initialThreads, 'p1');
    expect(open.openRootId).toBe('p1');
    expect(threadOpened(open, 'p1')).toBe(open);
    expect(threadClosed(open).openRootId).toBe('');
    expect(threadClosed(initialThreads)).toBe(initialThreads);
  });

  it("lists a team's followed threads by latest reply, keeping only the user's side of each", () => {
    const state = receivedUserThreads(initialThreads, 't1', [thread('a', 1), thread('b', 3), thread('c', 2, { is_following: false })]);
    expect(ids(state)).toEqual(['b', 'a']);
    expect(state.byId.a!.post).toEqual({ channel_id: 'c1', user_id: 'u1' });
    expect(teamThreads(state, 't2')).toBeUndefined();
  });

  it('moves an updated thread up, adds a new one, drops an unfollowed one', () => {
    let state = receivedUserThreads(initialThreads, 't1', [thread('a', 1), thread('b', 3)]);
    state = threadUpdated(state, 't1', thread('a', 5, { unread_replies: 1 }));
    expect(ids(state)).toEqual(['a', 'b']);
    state = threadUpdated(state, 't1', thread('n', 4));
    expect(ids(state)).toEqual(['a', 'n', 'b']);
    state = threadUpdated(state, 't1', thread('b', 6, { is_following: false }));
    expect(ids(state)).toEqual(['a', 'n']);
    // A team whose list is not loaded only stores the thread.
    expect(threadUpdated(initialThreads, 't9', thread('z', 1)).byId.z).toBeDefined();
  });

  it('counts threads with unread replies, and clears them when read', () => {
    let state = receivedUserThreads(initialThreads, 't1', [thread('a', 1, { unread_replies: 2 }), thread('b', 2, { unread_mentions: 1 }), thread('c', 3)]);
    expect(unreadThreadCount(state, 't1')).toBe(2);
    state = threadReadChanged(state, 'a', { unread_replies: 0, unread_mentions: 0, last_viewed_at: 9 });
    expect(state.byId.a!.last_viewed_at).toBe(9);
    expect(unreadThreadCount(state, 't1')).toBe(1);
    expect(unreadThreadCount(teamThreadsRead(state, 't1', 10), 't1')).toBe(0);
    expect(threadReadChanged(state, 'missing', { unread_replies: 0, unread_mentions: 0, last_viewed_at: 1 })).toBe(state);
  });

  it('takes an unfollowed thread off the list', () => {
    const state = receivedUserThreads(initialThreads, 't1', [thread('a', 1), thread('b', 2)]);
    const after = threadFollowChanged(state, 't1', 'a', false);
    expect(ids(after)).toEqual(['b']);
    expect(after.byId.a!.is_following).toBe(false);
    expect(ids(threadFollowChanged(state, 't1', 'a', true))).toEqual(['b', 'a']);
  });
});
