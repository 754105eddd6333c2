import { describe, expect, it } from 'vitest';
import { notificationText, shouldNotify } from './notifications';

const post = { authorId: 'bob', postType: '', channelType: 'O', mentions: [] as string[] };
const me = { userId: 'me', desktop: 'mention', status: 'online', tabHidden: true };

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

describe('notificationText', () => {
  it('names the channel and the sender, and cuts long messages', () => {
    expect(notificationText('Town Square', '@bob', 'hi')).toEqual({ title: 'Town Square', body: '@bob: hi' });
    expect(notificationText('', '', 'x'.repeat(300)).body).toHaveLength(200);
  });
});
