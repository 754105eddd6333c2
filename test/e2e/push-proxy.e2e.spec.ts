/**
 * The built push proxy (apps/push-proxy) between a Mattermost server's POST /api/v1/send_push
 * and the providers, here #testing's APNs stand-in (HTTP/2 over TLS, provider tokens verified)
 * and FCM stand-in (OAuth service-account flow, HTTP v1 messages): what arrives at Apple and
 * Google, what the proxy answers (OK / REMOVE / FAIL) for the providers' answers, retries, token
 * renewals, a dropped APNs connection, acks and metrics, and a graceful stop with a send in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apnsDeviceToken,
  ApnsServer,
  fcmRegistrationToken,
  FcmServer,
  FCM_SCOPE,
  PushProxyProcess,
  startApnsServer,
  startFcmServer,
  startPushProxy,
  until,
} from '#testing';

let apns: ApnsServer;
let fcm: FcmServer;
let proxy: PushProxyProcess;

beforeAll(async () => {
  apns = await startApnsServer();
  fcm = await startFcmServer();
  proxy = await startPushProxy({ apns, fcm });
});

afterAll(async () => {
  await proxy?.stop();
  await apns?.stop();
  await fcm?.stop();
});

/** A push as a Mattermost server sends it for a new post. */
const message = (platform: string, deviceId: string, over: Record<string, unknown> = {}) => ({
  ack_id: `ack-${deviceId.slice(0, 8)}`,
  platform,
  server_id: 'server-1',
  device_id: deviceId,
  post_id: 'post-1',
  category: 'CAN_REPLY',
  message: 'alice: lunch?',
  badge: 2,
  team_id: 'team-1',
  channel_id: 'channel-1',
  channel_name: 'Town Square',
  type: 'message',
  sender_id: 'alice-id',
  sender_name: 'alice',
  version: 'v2',
  is_crt_enabled: false,
  is_id_loaded: false,
  signature: 'sig-1',
  ...over,
});

const requestsFor = (token: string) => apns.requests.filter((r) => r.token === token);
const fcmRequestsFor = (token: string) => fcm.requests.filter((r) => r.token === token);

describe('push proxy → APNs', () => {
  it('delivers a message with the topic, push type, priority and a provider token APNs verifies', async () => {
    const token = apnsDeviceToken();
    expect(await proxy.sendPush(message('apple', token))).toEqual({ httpStatus: 200, status: 'OK' });
    const [delivery] = apns.acceptedFor(token);
    expect(delivery).toMatchObject({ topic: apns.topics[0], pushType: 'alert', priority: '10' });
    expect(delivery.jwt.header).toMatchObject({ alg: 'ES256', kid: apns.authKey.keyId });
    expect(delivery.jwt.claims.iss).toBe(apns.authKey.teamId);
    expect(Math.abs((delivery.jwt.claims.iat as number) - Date.now() / 1000)).toBeLessThan(300);
    expect(delivery.payload).toMatchObject({
      aps: {
        alert: { title: 'Town Square', body: 'alice: lunch?' },
        badge: 2,
        sound: 'default',
        category: 'CAN_REPLY',
        'mutable-content': 1,
        'thread-id': 'channel-1',
      },
      type: 'message',
      ack_id: `ack-${token.slice(0, 8)}`,
      server_id: 'server-1',
      channel_id: 'channel-1',
      post_id: 'post-1',
      sender_id: 'alice-id',
      signature: 'sig-1',
    });
  });

  it("sends apple_rn-v2 to the React Native app's topic", async () => {
    const token = apnsDeviceToken();
    expect((await proxy.sendPush(message('apple_rn-v2', token, { type: 'clear', badge: 0 }))).status).toBe('OK');
    expect(apns.acceptedFor(token)[0]).toMatchObject({ topic: apns.topics[1], payload: { aps: { badge: 1, 'content-available': 1 }, type: 'clear' } });
  });

  it('answers REMOVE for BadDeviceToken, Unregistered and DeviceTokenNotForTopic, and for a token that is not one', async () => {
    const bad = apnsDeviceToken();
    apns.reply(bad, 'BadDeviceToken');
    expect(await proxy.sendPush(message('apple', bad))).toEqual({ httpStatus: 200, status: 'REMOVE' });
    const gone = apnsDeviceToken();
    apns.unregister(gone);
    expect((await proxy.sendPush(message('apple', gone))).status).toBe('REMOVE');
    expect(requestsFor(gone)[0]).toMatchObject({ status: 410, reason: 'Unregistered' });
    const otherApp = apnsDeviceToken();
    apns.reply(otherApp, 'DeviceTokenNotForTopic');
    expect((await proxy.sendPush(message('apple', otherApp))).status).toBe('REMOVE');
    expect((await proxy.sendPush(message('apple', 'not-a-device-token'))).status).toBe('REMOVE');
    expect(apns.requests.find((r) => r.token === 'not-a-device-token')).toMatchObject({ status: 400, reason: 'BadDeviceToken' });
  });

  it('retries TooManyRequests and answers OK once APNs accepts', async () => {
    const token = apnsDeviceToken();
    apns.reply(token, 'TooManyRequests');
    expect((await proxy.sendPush(message('apple', token))).status).toBe('OK');
    expect(requestsFor(token).map((r) => r.status)).toEqual([429, 200]);
  });

  it('FAILs after three attempts when APNs stays broken', async () => {
    const token = apnsDeviceToken();
    apns.reply(token, 'InternalServerError', 'ServiceUnavailable', 'InternalServerError');
    expect(await proxy.sendPush(message('apple', token))).toEqual({ httpStatus: 200, status: 'FAIL', error: 'APNs refused the push: InternalServerError' });
    expect(requestsFor(token)).toHaveLength(3);
  });

  it('renews the provider token after ExpiredProviderToken and sends again', async () => {
    const token = apnsDeviceToken();
    apns.reply(token, 'ExpiredProviderToken');
    expect((await proxy.sendPush(message('apple', token))).status).toBe('OK');
    const [first, second] = requestsFor(token);
    expect([first.status, second.status]).toEqual([403, 200]);
    expect(second.authorization).not.toBe(first.authorization);
    expect(apns.acceptedFor(token)[0].headers.authorization).toBe(second.authorization);
    // The renewed token is the one the next pushes reuse.
    const next = apnsDeviceToken();
    await proxy.sendPush(message('apple', next));
    expect(requestsFor(next)[0].authorization).toBe(second.authorization);
  });

  it('connects again after APNs closes the connection (GOAWAY), without a retry', async () => {
    apns.goAway();
    const token = apnsDeviceToken();
    expect((await proxy.sendPush(message('apple', token))).status).toBe('OK');
    expect(requestsFor(token).map((r) => r.status)).toEqual([200]);
    expect(proxy.logs).not.toContain('apple push attempt failed');
  });
});

describe('push proxy → FCM', () => {
  it('gets an access token with a signed assertion and delivers a data-only, high-priority message', async () => {
    const token = fcmRegistrationToken();
    expect(await proxy.sendPush(message('android_rn-v2', token))).toEqual({ httpStatus: 200, status: 'OK' });
    const granted = fcm.tokenRequests.find((r) => r.status === 200)!;
    expect(granted.assertion!.header).toMatchObject({ alg: 'RS256', kid: fcm.account.privateKeyId });
    expect(granted.assertion!.claims).toMatchObject({ iss: fcm.account.clientEmail, aud: fcm.tokenUri, scope: FCM_SCOPE });
    const [delivery] = fcm.acceptedFor(token);
    expect(delivery.message.android).toEqual({ priority: 'high' });
    expect(delivery.message.notification).toBeUndefined();
    expect(delivery.message.data).toMatchObject({
      type: 'message',
      message: 'alice: lunch?',
      badge: '2',
      channel_name: 'Town Square',
      sender_name: 'alice',
      ack_id: `ack-${token.slice(0, 8)}`,
      is_crt_enabled: 'false',
      server_id: 'server-1',
    });
  });

  it('answers REMOVE for UNREGISTERED and SENDER_ID_MISMATCH', async () => {
    const gone = fcmRegistrationToken();
    fcm.unregister(gone);
    expect((await proxy.sendPush(message('android', gone))).status).toBe('REMOVE');
    expect(fcmRequestsFor(gone)[0]).toMatchObject({ status: 404, errorCode: 'UNREGISTERED' });
    const other = fcmRegistrationToken();
    fcm.reply(other, 'SENDER_ID_MISMATCH');
    expect((await proxy.sendPush(message('android', other))).status).toBe('REMOVE');
  });

  it('waits for Retry-After on QUOTA_EXCEEDED and answers OK once FCM accepts', async () => {
    const token = fcmRegistrationToken();
    fcm.reply(token, { error: 'QUOTA_EXCEEDED', retryAfterSec: 1 }, 'UNAVAILABLE');
    expect((await proxy.sendPush(message('android', token))).status).toBe('OK');
    expect(fcmRequestsFor(token).map((r) => r.status)).toEqual([429, 503, 200]);
  });

  it('FAILs on INVALID_ARGUMENT without retrying', async () => {
    const token = fcmRegistrationToken();
    fcm.reply(token, 'INVALID_ARGUMENT');
    expect(await proxy.sendPush(message('android', token))).toMatchObject({ status: 'FAIL', error: expect.stringContaining('INVALID_ARGUMENT') });
    expect(fcmRequestsFor(token)).toHaveLength(1);
  });

  it('gets a new access token when FCM refuses the current one', async () => {
    fcm.revokeAccessTokens();
    const grantsBefore = fcm.tokenRequests.length;
    const token = fcmRegistrationToken();
    expect((await proxy.sendPush(message('android', token))).status).toBe('OK');
    expect(fcmRequestsFor(token).map((r) => r.status)).toEqual([401, 200]);
    expect(fcm.tokenRequests.length).toBe(grantsBefore + 1);
    expect(fcm.acceptedFor(token)[0].accessToken).not.toBe(fcmRequestsFor(token)[0].authorization?.slice('Bearer '.length));
  });
});

describe('push proxy API', () => {
  it('FAILs bad JSON, missing ids and unknown platforms without calling a provider', async () => {
    const apnsBefore = apns.requests.length;
    const fcmBefore = fcm.requests.length;
    expect(await proxy.sendPush('{"platform": "apple",')).toMatchObject({ httpStatus: 200, status: 'FAIL', error: expect.stringContaining('invalid JSON') });
    expect(await proxy.sendPush({ platform: 'apple', device_id: 'x' })).toEqual({ httpStatus: 200, status: 'FAIL', error: 'server_id is missing' });
    expect(await proxy.sendPush({ platform: 'apple', server_id: 's' })).toMatchObject({
      status: 'FAIL',
      error: expect.stringContaining('device_id is missing'),
    });
    expect(await proxy.sendPush(message('windows_phone', 'x'))).toMatchObject({ status: 'FAIL', error: expect.stringContaining('windows_phone') });
    expect(await proxy.sendPush({ ...message('apple', apnsDeviceToken()), badge: 'two' })).toMatchObject({
      status: 'FAIL',
      error: expect.stringContaining('badge'),
    });
    expect([apns.requests.length, fcm.requests.length]).toEqual([apnsBefore, fcmBefore]);
    expect(proxy.running).toBe(true);
  });

  it('records acks', async () => {
    expect(await proxy.ack({ id: 'ack-1', platform: 'android', type: 'message', received_at: Date.now(), post_id: 'post-1' })).toEqual({
      httpStatus: 200,
      status: 'OK',
    });
    expect(await proxy.ack({ platform: 'android', type: 'message' })).toMatchObject({ status: 'FAIL' });
  });

  it("counts sends, removals, failures, acks and provider latency under Mattermost's metric names", async () => {
    const text = await proxy.metrics();
    const value = (line: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${line} `))
          ?.slice(line.length + 1) ?? NaN,
      );
    expect(value('service_success_total{platform="apple",type="message",transport=""}')).toBeGreaterThanOrEqual(4);
    expect(value('service_success_with_ack_total{platform="android",type="message",transport=""}')).toBeGreaterThanOrEqual(1);
    expect(value('service_removal_total{platform="apple",transport="",reason="BadDeviceToken"}')).toBe(2);
    expect(value('service_removal_total{platform="apple",transport="",reason="Unregistered"}')).toBe(1);
    expect(value('service_removal_total{platform="android",transport="",reason="UNREGISTERED"}')).toBe(2);
    expect(value('service_failure_with_reason_total{platform="apple",type="message",transport="",reason="InternalServerError"}')).toBe(1);
    expect(value('service_failure_with_reason_total{platform="android",type="message",transport="",reason="INVALID_ARGUMENT"}')).toBe(1);
    expect(value('service_delivered_total{platform="android",type="message",transport=""}')).toBe(1);
    expect(value('service_bad_request_total')).toBeGreaterThanOrEqual(6);
    expect(value('service_notifications_by_app_version_total{platform="apple_rn",app_version="2"}')).toBe(1);
    expect(value('service_apns_request_duration_seconds_count')).toBeGreaterThan(0);
    expect(value('service_fcm_request_duration_seconds_count')).toBeGreaterThan(0);
    expect(value('service_notification_duration_seconds_count{platform="apple"}')).toBeGreaterThan(0);
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});

describe('push proxy process', () => {
  it('on SIGTERM stops accepting, finishes the send in flight and exits 0', async () => {
    const own = await startPushProxy({ apns, fcm });
    try {
      const token = apnsDeviceToken();
      const release = apns.hold(token);
      const inFlight = own.sendPush(message('apple', token));
      await until(() => requestsFor(token).length > 0, 10_000, 'the push to reach APNs');
      own.signal('SIGTERM');
      await until(
        () =>
          fetch(`${own.url}/version`).then(
            () => false,
            () => true,
          ),
        10_000,
        'the proxy to stop accepting connections',
      );
      expect(own.running).toBe(true);
      release();
      expect(await inFlight).toEqual({ httpStatus: 200, status: 'OK' });
      expect(await own.exited()).toBe(0);
      expect(apns.acceptedFor(token)).toHaveLength(1);
      expect(own.logs).toContain('push proxy stopped');
    } finally {
      await own.stop();
    }
  });

  it('leaves out a platform whose credentials are missing, and FAILs its pushes', async () => {
    const own = await startPushProxy({ apns, fcm, config: { AndroidPushSettings: [{ Type: 'android', ServiceFileLocation: '/nonexistent/service.json' }] } });
    try {
      expect(await own.sendPush(message('android', fcmRegistrationToken()))).toMatchObject({
        status: 'FAIL',
        error: expect.stringContaining('no push target'),
      });
      expect((await own.sendPush(message('apple', apnsDeviceToken()))).status).toBe('OK');
      expect(own.logs).toContain('push target not configured');
    } finally {
      await own.stop();
    }
  });
});
