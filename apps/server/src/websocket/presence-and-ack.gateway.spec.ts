import { describe, expect, it } from 'vitest';
import { newId } from '#common';
import { ConfigService, defaultConfig } from '#config';
import { WebConnection } from '#realtime';
import { NotificationAckGateway } from './notification-ack.gateway.js';
import { NotificationMetrics } from './notification-metrics.js';
import { PresenceGateway } from './presence.gateway.js';

function ackSetup() {
  const config = structuredClone(defaultConfig);
  const metrics = new NotificationMetrics();
  const gateway = new NotificationAckGateway({ get: () => config } as unknown as ConfigService, metrics);
  return { config, metrics, gateway };
}

describe('posted_notify_ack', () => {
  it('counts an ack, and the status with its reason (success needs none)', () => {
    const { metrics, gateway } = ackSetup();
    gateway.postedNotifyAck({ post_id: newId(), user_agent: 'test', status: 'not_sent', reason: 'too_many_users_in_channel' });
    gateway.postedNotifyAck({ post_id: newId(), status: 'success' });
    gateway.postedNotifyAck({ post_id: newId(), status: 'error' }); // no reason: only the ack counts
    gateway.postedNotifyAck({ post_id: newId() });
    const counts = metrics.counts();
    expect(counts.find((c) => c.name === 'ack')).toMatchObject({ labels: { type: 'websocket', platform: 'no_platform' }, value: 4 });
    expect(counts.find((c) => c.name === 'not_sent')).toMatchObject({ labels: { reason: 'too_many_users_in_channel' }, value: 1 });
    expect(counts.find((c) => c.name === 'success')?.value).toBe(1);
    expect(counts.some((c) => c.name === 'error')).toBe(false);
  });

  it('refuses fields of the wrong type, and counts nothing while notification metrics are off', () => {
    const { config, metrics, gateway } = ackSetup();
    expect(() => gateway.postedNotifyAck({ post_id: 'not-an-id' })).toThrow(expect.objectContaining({ id: 'api.websocket_handler.invalid_param.app_error' }));
    expect(() => gateway.postedNotifyAck({ status: 5 })).toThrow(expect.objectContaining({ message: 'Invalid status parameter.' }));
    config.MetricsSettings.EnableNotificationMetrics = false;
    gateway.postedNotifyAck({ post_id: newId(), status: 'success' });
    expect(metrics.counts()).toEqual([]);
  });
});

describe('presence', () => {
  const connection = () => new WebConnection(newId(), { userId: newId(), sessionId: newId(), sessionExpiresAt: 0, roles: 'system_user' }, 8);

  it('keeps the channel, team and thread the client reports, each change leaving the others', () => {
    const gateway = new PresenceGateway();
    const conn = connection();
    const [channel, team, thread] = [newId(), newId(), newId()];
    gateway.presence(conn, { channel_id: channel });
    gateway.presence(conn, { team_id: team });
    gateway.presence(conn, { thread_channel_id: thread, is_thread_view: false });
    // The threads view was never reported: unset, not ''.
    expect(conn.presence).toStrictEqual({ channelId: channel, teamId: team, rhsThreadChannelId: thread });
    gateway.presence(conn, { thread_channel_id: thread, is_thread_view: true });
    gateway.presence(conn, { channel_id: '' });
    expect(conn.presence).toStrictEqual({ channelId: '', teamId: team, rhsThreadChannelId: thread, threadViewThreadChannelId: thread });
  });

  it('refuses a value that is neither an id nor empty, and changes nothing', () => {
    const gateway = new PresenceGateway();
    const conn = connection();
    expect(() => gateway.presence(conn, { channel_id: 'town square' })).toThrow(expect.objectContaining({ message: 'Invalid channel_id parameter.' }));
    expect(() => gateway.presence(conn, { team_id: 42 })).toThrow();
    expect(conn.presence).toStrictEqual({});
  });
});
