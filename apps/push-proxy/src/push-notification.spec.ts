import { describe, expect, it } from 'vitest';
import { parseAck, parsePushNotification, splitPlatform, truncateUtf8, withinLimits } from './push-notification.js';

describe('PushNotification', () => {
  it('parses a JSON object and refuses anything else, or a field of the wrong type, naming it', () => {
    expect(parsePushNotification('{"server_id":"s","badge":3,"is_crt_enabled":true,"extra":1}')).toMatchObject({ server_id: 's', badge: 3 });
    expect(parsePushNotification('{"server_id":')).toMatchObject({ error: expect.stringMatching(/^invalid JSON/) });
    for (const body of ['[]', 'null', '"x"', '3']) expect(parsePushNotification(body)).toEqual({ error: 'the body must be a JSON object' });
    expect(parsePushNotification('{"badge":"3"}')).toEqual({ error: 'badge must be an integer' });
    expect(parsePushNotification('{"badge":1.5}')).toEqual({ error: 'badge must be an integer' });
    expect(parsePushNotification('{"device_id":7}')).toEqual({ error: 'device_id must be a string' });
    expect(parsePushNotification('{"is_id_loaded":"true"}')).toEqual({ error: 'is_id_loaded must be true or false' });
    expect(parsePushNotification('{"message":null}')).toEqual({ message: null });
  });

  it('parses acks the same way', () => {
    expect(parseAck('{"id":"a","platform":"apple","type":"message","received_at":1}')).toMatchObject({ id: 'a' });
    expect(parseAck('{"id":1}')).toEqual({ error: 'id must be a string' });
    expect(parseAck('nope')).toMatchObject({ error: expect.stringMatching(/^invalid JSON/) });
  });

  it('splits the app version off the platform', () => {
    expect(splitPlatform('apple')).toEqual({ type: 'apple', appVersion: 1 });
    expect(splitPlatform('apple_rn-v2')).toEqual({ type: 'apple_rn', appVersion: 2 });
    expect(splitPlatform('android_rn-vx')).toEqual({ type: 'android_rn', appVersion: 1, badVersion: 'x' });
  });

  it('cuts the message at 2046 bytes once over 2047 and the channel name at 64, never inside a character', () => {
    expect(withinLimits({ message: 'a'.repeat(2047) }).message).toHaveLength(2047);
    expect(withinLimits({ message: 'a'.repeat(2048) }).message).toHaveLength(2046);
    const emoji = withinLimits({ message: '😀'.repeat(600) }).message!;
    expect(Buffer.byteLength(emoji)).toBe(2044);
    expect(emoji).toBe('😀'.repeat(511));
    expect(withinLimits({ channel_name: 'é'.repeat(40) }).channel_name).toBe('é'.repeat(32));
    const msg = { message: 'x'.repeat(3000) };
    withinLimits(msg);
    expect(msg.message).toHaveLength(3000);
    expect(truncateUtf8('abc', 10)).toBe('abc');
  });
});
