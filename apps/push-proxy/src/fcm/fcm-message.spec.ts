import { describe, expect, it } from 'vitest';
import type { PushNotification } from '../push-notification.js';
import { buildFcmMessage } from './fcm-message.js';

const base: PushNotification = {
  ack_id: 'ack1',
  server_id: 'server1',
  device_id: 'fcm-token',
  post_id: 'post1',
  category: 'CAN_REPLY',
  message: 'alice: hello',
  badge: 2,
  team_id: 'team1',
  channel_id: 'chan1',
  channel_name: 'Town Square',
  type: 'message',
  sender_id: 'alice1',
  sender_name: 'alice',
  version: 'v2',
  is_crt_enabled: true,
  root_id: 'root1',
};

describe('FCM message', () => {
  it('is data-only at high priority, every value a string', () => {
    const { message } = buildFcmMessage(base);
    expect(message.token).toBe('fcm-token');
    expect(message.android).toEqual({ priority: 'high' });
    expect(Object.keys(message)).toEqual(['token', 'data', 'android']);
    expect(message.data).toEqual({
      ack_id: 'ack1',
      type: 'message',
      sub_type: '',
      version: 'v2',
      channel_id: 'chan1',
      is_crt_enabled: 'true',
      server_id: 'server1',
      category: 'CAN_REPLY',
      badge: '2',
      root_id: 'root1',
      signature: 'NO_SIGNATURE',
      team_id: 'team1',
      sender_id: 'alice1',
      sender_name: 'alice',
      message: 'alice: hello',
      channel_name: 'Town Square',
      post_id: 'post1',
      override_username: '',
      override_icon_url: '',
      from_webhook: '',
    });
    expect(Object.values(message.data).every((v) => typeof v === 'string')).toBe(true);
  });

  it('id_loaded: the generic text, an anonymous sender and id_loaded', () => {
    const { data } = buildFcmMessage({ ...base, is_id_loaded: true, message: 'You have a new message', signature: 'sig' }).message;
    expect(data).toMatchObject({ id_loaded: 'true', sender_name: 'Someone', message: 'You have a new message', post_id: 'post1', signature: 'sig' });
    expect(data.channel_name).toBeUndefined();
  });

  it('clear and update_badge carry the ids and the badge only; -1 leaves the badge out', () => {
    const { data } = buildFcmMessage({ ...base, type: 'clear', badge: 0 }).message;
    expect(data).toMatchObject({ type: 'clear', badge: '0', channel_id: 'chan1' });
    expect(data.message).toBeUndefined();
    expect(buildFcmMessage({ ...base, type: 'update_badge', badge: -1 }).message.data.badge).toBeUndefined();
  });
});
