import { describe, expect, it } from 'vitest';
import { parseAck } from './push-ack.service.js';
import { hadNotifications } from './push-notifications.service.js';

describe('hadNotifications: does viewing a channel clear it on the other devices (MarkChannelsAsViewed)', () => {
  const channel = { channelId: 'c', mentionsBefore: 0, unreadBefore: 0, memberPush: 'default', userPush: 'mention' };
  it.each([
    ['user at mention, a mention was unread', { mentionsBefore: 1, unreadBefore: 1 }, true],
    ['user at mention, only messages were unread', { unreadBefore: 4 }, false],
    ['user at all, messages were unread', { userPush: 'all', unreadBefore: 1 }, true],
    ['user at all, nothing was unread', { userPush: 'all' }, false],
    ['user at none', { userPush: 'none', mentionsBefore: 3, unreadBefore: 3 }, false],
    ['member at all over the user at mention', { memberPush: 'all', unreadBefore: 2 }, true],
    ['member at mention over the user at all', { memberPush: 'mention', userPush: 'all', unreadBefore: 2 }, false],
    ['member at none over the user at all', { memberPush: 'none', userPush: 'all', mentionsBefore: 2, unreadBefore: 2 }, false],
    ['member prop missing follows the user', { memberPush: '', userPush: 'all', unreadBefore: 1 }, true],
  ])('%s', (_name, over, expected) => {
    expect(hadNotifications({ ...channel, ...over })).toBe(expected);
  });
});

describe('parseAck (model.PushNotificationAck as Go decodes it)', () => {
  it('reads the fields, ignoring unknown ones and filling missing ones with zero values', () => {
    expect(parseAck({ id: 'a', platform: 'ios', type: 'message', post_id: 'p', received_at: 12, is_id_loaded: true, server_id: 'x' })).toEqual({
      id: 'a',
      platform: 'ios',
      type: 'message',
      post_id: 'p',
      received_at: 12,
      is_id_loaded: true,
    });
    expect(parseAck({})).toEqual({ id: '', platform: '', type: '', post_id: '', received_at: 0, is_id_loaded: false });
  });

  it.each([
    ['an array', []],
    ['a string', 'ack'],
    ['null', null],
    ['a numeric id', { id: 5 }],
    ['a string is_id_loaded', { is_id_loaded: 'true' }],
    ['a fractional received_at', { received_at: 1.5 }],
    ['an object post_id', { post_id: {} }],
  ])('refuses %s with 400 api.push_notifications_ack.message.parse.app_error', (_name, body) => {
    expect(() => parseAck(body)).toThrow(expect.objectContaining({ statusCode: 400, id: 'api.push_notifications_ack.message.parse.app_error' }));
  });
});
