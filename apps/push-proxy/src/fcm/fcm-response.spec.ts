import { describe, expect, it } from 'vitest';
import { fcmOutcome } from './fcm-response.js';

const googleError = (code: number, status: string, errorCode?: string) =>
  JSON.stringify({
    error: {
      code,
      message: 'm',
      status,
      ...(errorCode ? { details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }] } : {}),
    },
  });

describe('FCM answers', () => {
  it.each([
    [200, '{"name":"projects/p/messages/1"}', 'ok'],
    [404, googleError(404, 'NOT_FOUND', 'UNREGISTERED'), 'remove'],
    [400, googleError(400, 'INVALID_ARGUMENT', 'UNREGISTERED'), 'remove'],
    [403, googleError(403, 'PERMISSION_DENIED', 'SENDER_ID_MISMATCH'), 'remove'],
    [401, googleError(401, 'UNAUTHENTICATED'), 'renew-token'],
    [401, googleError(401, 'UNAUTHENTICATED', 'THIRD_PARTY_AUTH_ERROR'), 'fail'],
    [429, googleError(429, 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED'), 'retry'],
    [503, googleError(503, 'UNAVAILABLE', 'UNAVAILABLE'), 'retry'],
    [500, googleError(500, 'INTERNAL', 'INTERNAL'), 'retry'],
    [502, '<html>bad gateway</html>', 'retry'],
    [400, googleError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT'), 'fail'],
    [404, googleError(404, 'NOT_FOUND'), 'fail'],
  ])('%i %s → %s', (status, body, kind) => {
    expect(fcmOutcome(status, body).kind).toBe(kind);
  });

  it('names the FCM error code, else the Google status, else the HTTP status', () => {
    expect(fcmOutcome(400, googleError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT'))).toEqual({ kind: 'fail', reason: 'INVALID_ARGUMENT', message: 'm' });
    expect(fcmOutcome(403, googleError(403, 'PERMISSION_DENIED'))).toMatchObject({ reason: 'PERMISSION_DENIED' });
    expect(fcmOutcome(418, '')).toMatchObject({ reason: 'HTTP 418' });
  });
});
