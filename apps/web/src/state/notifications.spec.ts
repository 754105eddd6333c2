import { describe, expect, it } from 'vitest';
import { notificationText, shouldNotify } from './notifications';

const post = { authorId: 'bob', postType: '', channelType: 'O', mentions: [] as string[], rootId: '', followers: [] as string[] };
const me = { userId: 'me', desktop: 'mention', status: 'online', tabHidden: true, collapsedThreads: false };

describe('shouldNotify', () => {
  it('notifies of mentions and direct or group messages at the default level', () => {
    expect(shouldNotify({ ...post, mentions: ['me'] }, me)).toBe(true);
    expect(shouldNotify({ ...post, channelType: 'D' }, me)).toBe(true);
    expect(shouldNotify({ ...post, channelType: 'G' }, me)).toBe(true);
    expect(shouldNotify(post, me)).toBe(false);
    expect(shouldNotify(post, { ...me, desktop: '' })).toBe(false);
  });

  it('follows the desktop setting', () => {
    expect(shouldNotify(post, { ...me, desktop: 'all' })).toBe(true);
    expect(shouldNotify({ ...post, channelType: 'D' }, { ...me, desktop: 'none' })).toBe(false);
  });

  it('stays quiet in view, in do not disturb, and for own or system posts', () => {
    const dm = { ...post, channelType: 'D' };
    expect(shouldNotify(dm, { ...me, tabHidden: false })).toBe(false);
    expect(shouldNotify(dm, { ...me, status: 'dnd' })).toBe(false);
    expect(shouldNotify({ ...dm, authorId: 'me' }, me)).toBe(false);
    expect(shouldNotify({ ...dm, postType: 'system_join_channel' }, me)).toBe(false);
  });
});

describe('replies with collapsed threads', () => {
  it('notify the followers the server names, and only them', () => {
    const reply = { ...post, rootId: 'root' };
    const crt = { ...me, collapsedThreads: true };
    expect(shouldNotify({ ...reply, followers: ['me'] }, crt)).toBe(true);
    expect(shouldNotify({ ...reply, mentions: ['me'] }, crt)).toBe(false);
    expect(shouldNotify(reply, { ...crt, desktop: 'all' })).toBe(false);
    // Without collapsed threads a reply is a post like any other.
    expect(shouldNotify({ ...reply, mentions: ['me'] }, me)).toBe(true);
  });
});

describe('notificationText', () => {
  it('names the channel and the sender, and cuts long messages', () => {
    expect(notificationText('Town Square', '@bob', 'hi')).toEqual({ title: 'Town Square', body: '@bob: hi' });
    expect(notificationText('', '', 'x'.repeat(300)).body).toHaveLength(200);
  });
});
