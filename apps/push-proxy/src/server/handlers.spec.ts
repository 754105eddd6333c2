import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { PushMetrics } from '../metrics.js';
import { ok, remove, type PushNotification, type PushResponse, type PushTarget } from '../push-notification.js';
import { Handlers } from './handlers.js';

/** A target recording what it was asked to send and answering `answer`. */
function fakeTarget(type: string, platform: 'apple' | 'android', answer: () => Promise<PushResponse> = async () => ok()) {
  const sent: { msg: PushNotification; appVersion: number }[] = [];
  const target: PushTarget = {
    type,
    platform,
    send: async (msg, appVersion) => {
      sent.push({ msg, appVersion });
      return answer();
    },
    close: async () => {},
  };
  return { target, sent };
}

const push = (over: Partial<PushNotification> = {}) => JSON.stringify({ platform: 'apple_rn', server_id: 's1', device_id: 'd1', type: 'message', ...over });

async function metricValue(metrics: PushMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)!.get();
  return metric.values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

describe('send_push and ack', () => {
  it("hands the notification to its platform's target with the app version, within the size limits", async () => {
    const apple = fakeTarget('apple_rn', 'apple');
    const handlers = new Handlers(new Map([['apple_rn', apple.target]]), silentLogger);
    expect(await handlers.sendPush(push({ platform: 'apple_rn-v2', message: 'm'.repeat(3000), channel_name: 'c'.repeat(100) }))).toEqual({ status: 'OK' });
    expect(apple.sent).toHaveLength(1);
    expect(apple.sent[0].appVersion).toBe(2);
    expect(apple.sent[0].msg).toMatchObject({ platform: 'apple_rn', device_id: 'd1' });
    expect(apple.sent[0].msg.message).toHaveLength(2046);
    expect(apple.sent[0].msg.channel_name).toHaveLength(64);
  });

  it("answers the target's REMOVE as is", async () => {
    const android = fakeTarget('android', 'android', async () => remove());
    expect(await new Handlers(new Map([['android', android.target]]), silentLogger).sendPush(push({ platform: 'android' }))).toEqual({ status: 'REMOVE' });
  });

  it('FAILs bad JSON, a missing server_id or device_id and an unknown platform, counting bad requests', async () => {
    const metrics = new PushMetrics();
    const apple = fakeTarget('apple_rn', 'apple');
    const handlers = new Handlers(new Map([['apple_rn', apple.target]]), silentLogger, metrics);
    expect(await handlers.sendPush('{not json')).toMatchObject({
      status: 'FAIL',
      error: expect.stringMatching(/^failed to read the message body: invalid JSON/),
    });
    expect(await handlers.sendPush(push({ server_id: '' }))).toEqual({ status: 'FAIL', error: 'server_id is missing' });
    expect(await handlers.sendPush(push({ device_id: undefined }))).toEqual({ status: 'FAIL', error: 'device_id is missing (server_id=s1)' });
    expect(await handlers.sendPush(push({ platform: 'windows' }))).toEqual({ status: 'FAIL', error: 'no push target for platform "windows" (server_id=s1)' });
    expect(await handlers.sendPush(push({ platform: undefined }))).toMatchObject({ status: 'FAIL' });
    expect(apple.sent).toHaveLength(0);
    expect(await metricValue(metrics, 'service_bad_request_total')).toBe(5);
  });

  it('FAILs instead of throwing when a target throws', async () => {
    const broken = fakeTarget('apple', 'apple', async () => {
      throw new Error('boom');
    });
    expect(await new Handlers(new Map([['apple', broken.target]]), silentLogger).sendPush(push({ platform: 'apple' }))).toEqual({
      status: 'FAIL',
      error: 'internal error: boom',
    });
  });

  it('counts notifications by app version (1, 2, other)', async () => {
    const metrics = new PushMetrics();
    const handlers = new Handlers(new Map([['apple_rn', fakeTarget('apple_rn', 'apple').target]]), silentLogger, metrics);
    for (const platform of ['apple_rn', 'apple_rn-v2', 'apple_rn-v3', 'apple_rn-v9']) await handlers.sendPush(push({ platform }));
    expect(await metricValue(metrics, 'service_notifications_by_app_version_total', { app_version: '1' })).toBe(1);
    expect(await metricValue(metrics, 'service_notifications_by_app_version_total', { app_version: '2' })).toBe(1);
    expect(await metricValue(metrics, 'service_notifications_by_app_version_total', { platform: 'apple_rn', app_version: 'other' })).toBe(2);
  });

  it('acks need an id, a platform and a type, and count as delivered', async () => {
    const metrics = new PushMetrics();
    const handlers = new Handlers(new Map(), silentLogger, metrics);
    expect(handlers.ack('{"id":"a1","platform":"android","type":"message","received_at":1700000000000}')).toEqual({ status: 'OK' });
    expect(handlers.ack('{"platform":"android","type":"message"}')).toEqual({ status: 'FAIL', error: 'the ack id is missing' });
    expect(handlers.ack('{"id":"a1","type":"message"}')).toEqual({ status: 'FAIL', error: 'the ack platform is missing' });
    expect(handlers.ack('{"id":"a1","platform":"android"}')).toEqual({ status: 'FAIL', error: 'the ack type is missing' });
    expect(handlers.ack('[')).toMatchObject({ status: 'FAIL' });
    expect(await metricValue(metrics, 'service_delivered_total', { platform: 'android', type: 'message', transport: '' })).toBe(1);
    expect(await metricValue(metrics, 'service_bad_request_total')).toBe(4);
  });
});
