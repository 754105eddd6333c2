import { describe, expect, it } from 'vitest';
import type { PushNotification } from '../push-notification.js';
import { buildApnsRequest } from './apns-payload.js';

const base: PushNotification = {
  ack_id: 'ack1',
  platform: 'apple_rn',
  server_id: 'server1',
  device_id: 'token',
  post_id: 'post1',
  category: 'CAN_REPLY',
  message: 'alice: hello',
  badge: 4,
  team_id: 'team1',
  channel_id: 'chan1',
  channel_name: 'Town Square',
  type: 'message',
  sender_id: 'alice1',
  sender_name: 'alice',
  version: 'v2',
};

describe('APNs request', () => {
  it('a v2 message: the channel as title, the text as body, sound, category, mutable and content-available, the ids as custom keys', () => {
    const { headers, payload } = buildApnsRequest(base, 2, 'com.mattermost.react.native');
    expect(headers).toEqual({ 'apns-topic': 'com.mattermost.react.native', 'apns-push-type': 'alert', 'apns-priority': '10' });
    expect(payload).toEqual({
      aps: {
        alert: { title: 'Town Square', body: 'alice: hello' },
        badge: 4,
        sound: 'default',
        category: 'CAN_REPLY',
        'mutable-content': 1,
        'content-available': 1,
        'thread-id': 'chan1',
      },
      version: 'v2',
      channel_name: 'Town Square',
      type: 'message',
      sub_type: '',
      server_id: 'server1',
      ack_id: 'ack1',
      is_crt_enabled: false,
      channel_id: 'chan1',
      signature: 'NO_SIGNATURE',
      team_id: 'team1',
      sender_id: 'alice1',
      sender_name: 'alice',
      post_id: 'post1',
    });
  });

  it('an older app gets the text alone as the alert; a session push does not wake the app', () => {
    expect(buildApnsRequest({ ...base, version: undefined }, 1, 't').payload.aps.alert).toBe('alice: hello');
    const session = buildApnsRequest({ ...base, type: 'session', message: 'Session expired' }, 2, 't').payload;
    expect(session.aps['content-available']).toBeUndefined();
    expect(session.aps.alert).toEqual({ title: 'Town Square', body: 'Session expired' });
  });

  it('groups by thread when collapsed threads are on, and passes the reply ids and overrides on', () => {
    const { payload } = buildApnsRequest(
      {
        ...base,
        is_crt_enabled: true,
        root_id: 'root1',
        override_username: 'bot',
        override_icon_url: 'https://x/i.png',
        from_webhook: 'true',
        signature: 'sig',
      },
      2,
      't',
    );
    expect(payload.aps['thread-id']).toBe('root1');
    expect(payload).toMatchObject({
      is_crt_enabled: true,
      root_id: 'root1',
      override_username: 'bot',
      override_icon_url: 'https://x/i.png',
      from_webhook: 'true',
      signature: 'sig',
    });
  });

  it('id_loaded: the generic text as the body and id_loaded for the app to fetch the post', () => {
    const { payload } = buildApnsRequest(
      { ...base, is_id_loaded: true, message: 'You have a new message', channel_name: undefined, sender_name: undefined },
      2,
      't',
    );
    expect(payload.aps).toMatchObject({
      alert: { body: 'You have a new message' },
      sound: 'default',
      'mutable-content': 1,
      'content-available': 1,
      category: 'CAN_REPLY',
    });
    expect(payload).toMatchObject({ id_loaded: true, version: 'v2', post_id: 'post1' });
    expect(payload.channel_name).toBeUndefined();
  });

  it('clear: content-available and the badge (1 for newer apps when the count is 0, as Mattermost does)', () => {
    const clear = { ...base, type: 'clear', badge: 0, message: undefined, category: undefined };
    expect(buildApnsRequest(clear, 2, 't').payload.aps).toEqual({ badge: 1, 'content-available': 1, 'thread-id': 'chan1' });
    expect(buildApnsRequest(clear, 1, 't').payload.aps.badge).toBe(0);
    expect(buildApnsRequest({ ...clear, badge: 3 }, 2, 't').payload.aps.badge).toBe(3);
    // A badge is something the user sees: still an alert push at priority 10.
    expect(buildApnsRequest(clear, 2, 't').headers).toMatchObject({ 'apns-push-type': 'alert', 'apns-priority': '10' });
  });

  it('a push that shows nothing (badge -1) goes as a background push at priority 5, as Apple requires', () => {
    const { headers, payload } = buildApnsRequest({ ...base, type: 'update_badge', badge: -1 }, 2, 't');
    expect(payload.aps).toEqual({ 'thread-id': 'chan1' });
    expect(headers).toMatchObject({ 'apns-push-type': 'background', 'apns-priority': '5' });
    expect(buildApnsRequest({ ...base, type: 'update_badge', badge: 7 }, 2, 't').payload.aps.badge).toBe(7);
    expect(buildApnsRequest({ ...base, type: 'test', badge: -1 }, 2, 't')).toMatchObject({
      headers: { 'apns-push-type': 'background', 'apns-priority': '5' },
      payload: { aps: { 'content-available': 1 } },
    });
  });
});
