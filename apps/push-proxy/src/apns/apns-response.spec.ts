import { describe, expect, it } from 'vitest';
import { apnsOutcome, apnsReason } from './apns-response.js';

describe('APNs answers', () => {
  it.each([
    [200, undefined, 'ok'],
    [400, 'BadDeviceToken', 'remove'],
    [400, 'MissingDeviceToken', 'remove'],
    [400, 'DeviceTokenNotForTopic', 'remove'],
    [410, 'Unregistered', 'remove'],
    [410, 'ExpiredToken', 'remove'],
    [403, 'ExpiredProviderToken', 'renew-token'],
    [403, 'InvalidProviderToken', 'fail'],
    [400, 'BadTopic', 'fail'],
    [400, 'TopicDisallowed', 'fail'],
    [413, 'PayloadTooLarge', 'fail'],
    [429, 'TooManyRequests', 'retry'],
    [429, 'TooManyProviderTokenUpdates', 'retry'],
    [500, 'InternalServerError', 'retry'],
    [503, 'ServiceUnavailable', 'retry'],
    [503, 'Shutdown', 'retry'],
    [502, undefined, 'retry'],
  ])('%i %s → %s', (status, reason, kind) => {
    expect(apnsOutcome(status, reason).kind).toBe(kind);
  });

  it('names the status when there is no reason', () => {
    expect(apnsOutcome(404, undefined)).toEqual({ kind: 'fail', reason: 'HTTP 404' });
  });

  it("reads the reason of Apple's error bodies", () => {
    expect(apnsReason('{"reason":"Unregistered","timestamp":1700000000000}')).toBe('Unregistered');
    expect(apnsReason('')).toBeUndefined();
    expect(apnsReason('<html>')).toBeUndefined();
    expect(apnsReason('{"reason":3}')).toBeUndefined();
  });
});
