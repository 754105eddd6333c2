import { describe, expect, it } from 'vitest';
import { notificationChannelName, postDeletedEvent, postedEvent, postEditedEvent } from './post-events.js';
import { testPostRow } from './post.fixtures.js';
import { toPostView } from './post.model.js';

const post = toPostView(testPostRow('p', 1, { message: 'hi' }));
const channel = { id: 'c', type: 'O' as const, name: 'town-square', display_name: 'Town Square', team_id: 't' };

describe('postedEvent', () => {
  it('carries the post and mentions as JSON strings, broadcast to the channel', () => {
    const event = postedEvent(post, { channel, senderUsername: 'alice', memberUsernames: [], mentionedUserIds: ['b'], setOnline: true });
    expect(event.event).toBe('posted');
    expect(event.broadcast.channel_id).toBe('c');
    expect(event.data).toEqual({
      channel_display_name: 'Town Square',
      channel_name: 'town-square',
      channel_type: 'O',
      post: JSON.stringify(post),
      sender_name: '@alice',
      set_online: true,
      team_id: 't',
      mentions: '["b"]',
    });
  });

  it('leaves mentions out when nobody is mentioned', () => {
    const event = postedEvent(post, { channel, senderUsername: 'alice', memberUsernames: [], mentionedUserIds: [], setOnline: false });
    expect('mentions' in event.data).toBe(false);
    expect(event.data.set_online).toBe(false);
  });
});

describe('notificationChannelName', () => {
  it('is the sender for DMs, the sorted members for GMs, the display name otherwise', () => {
    expect(notificationChannelName({ channel: { ...channel, type: 'D' }, senderUsername: 'alice', memberUsernames: [] })).toBe('@alice');
    expect(notificationChannelName({ channel: { ...channel, type: 'G' }, senderUsername: 'c', memberUsernames: ['c', 'a', 'b'] })).toBe('a, b, c');
    expect(notificationChannelName({ channel, senderUsername: 'alice', memberUsernames: [] })).toBe('Town Square');
  });
});

describe('edit and delete events', () => {
  it('carry the post as a JSON string', () => {
    expect(postEditedEvent(post)).toMatchObject({ event: 'post_edited', data: { post: JSON.stringify(post) }, broadcast: { channel_id: 'c' } });
    expect(postDeletedEvent(post)).toMatchObject({ event: 'post_deleted', data: { post: JSON.stringify(post) }, broadcast: { channel_id: 'c' } });
  });
});
