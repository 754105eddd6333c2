import { describe, expect, it } from 'vitest';
import { emptyPush, isValidDeviceId, splitDeviceId, toWire } from './push-notification.js';

describe('device ids', () => {
  it.each(['apple:abc', 'android:abc', 'apple_rn:abc', 'android_rn:abc', 'apple_voip_rn:abc', 'apple_rn-v2:abc', 'android_rn-v2:a:b'])('accepts %s', (id) => {
    expect(isValidDeviceId(id)).toBe(true);
  });

  it.each([
    ['no platform', 'abc'],
    ['an unknown platform', 'windows:abc'],
    ['an empty token', 'apple:'],
    ['a blank token', 'apple:  '],
    ['a token with spaces', 'apple:a b'],
    ['NUL', 'apple:a\u0000'],
    ['another suffix', 'apple-v3:abc'],
    ['too long', `apple:${'a'.repeat(600)}`],
    ['not a string', 42],
    ['nothing', undefined],
  ])('refuses %s', (_name, id) => {
    expect(isValidDeviceId(id)).toBe(false);
  });

  it('splits at the first colon, as SetDeviceIdAndPlatform', () => {
    expect(splitDeviceId('android_rn-v2:tok:en')).toEqual({ platform: 'android_rn-v2', deviceId: 'tok:en' });
    expect(splitDeviceId('nocolon')).toEqual({ platform: '', deviceId: '' });
  });
});

describe('toWire', () => {
  it('writes the fields Go always writes, and the others only when set', () => {
    expect(toWire(emptyPush({ badge: 0, message: '', type: 'clear', channel_id: 'c' }))).toEqual({
      ack_id: '',
      platform: '',
      server_id: '',
      device_id: '',
      post_id: '',
      type: 'clear',
      channel_id: 'c',
      is_crt_enabled: false,
      is_id_loaded: false,
      signature: '',
    });
  });
});
