import { Injectable, Logger } from '@nestjs/common';
import { KeyObject, sign } from 'node:crypto';
import { newId } from '#common';
import { ConfigService } from '#config';
import { SessionsRepository } from '../auth/sessions.repository.js';
import { SessionsService } from '../auth/sessions.service.js';
import type { Session } from '../common/session.js';
import { ServerIdentity } from '../system/server-identity.js';
import { PushMetrics } from './push-metrics.js';
import { PushNotification, PushNotificationAck, splitDeviceId } from './push-notification.js';
import { PushOutcome, PushProxyClient } from './push-proxy-client.js';

/** A session a push goes to. */
export type DeviceSession = Pick<Session, 'id' | 'user_id' | 'device_id'>;

/**
 * Sends messages to the push proxy for the sessions that registered a device, as Mattermost's
 * sendPushNotificationToAllSessions and sendToPushProxy: a copy per session with the session's
 * platform and token, a new ack id, the server's id and an ES256 signature over both; a REMOVE
 * answer takes the device off its session. Every outcome is counted (PushMetrics); nothing
 * throws to the caller.
 */
/** Failures to reach the proxy are logged at most this often (a dead proxy fails every push). */
const FAILURE_LOG_INTERVAL_MS = 10_000;

@Injectable()
export class PushSender {
  private readonly log = new Logger('push');
  private failuresSinceLog = 0;
  private lastFailureLog = 0;

  constructor(
    private readonly config: ConfigService,
    private readonly sessionsRepo: SessionsRepository,
    private readonly sessions: SessionsService,
    private readonly identity: ServerIdentity,
    private readonly metrics: PushMetrics,
    private readonly client: PushProxyClient,
  ) {}

  /** canSendPushNotifications: SendPushNotifications, and a push proxy to send to. */
  enabled(): boolean {
    const email = this.config.get().EmailSettings;
    return email.SendPushNotifications && email.PushNotificationServer.trim() !== '';
  }

  /** The user's sessions with a device that have not expired (getMobileAppSessions + IsExpired). */
  devicesOf(userId: string): Promise<DeviceSession[]> {
    return this.sessionsRepo.withDevices([userId], Date.now());
  }

  /** The same for several users at once (one query), by user. */
  async devicesOfMany(userIds: string[]): Promise<Map<string, DeviceSession[]>> {
    const byUser = new Map<string, DeviceSession[]>();
    for (const d of await this.sessionsRepo.withDevices(userIds, Date.now())) {
      const list = byUser.get(d.user_id);
      if (list) list.push(d);
      else byUser.set(d.user_id, [d]);
    }
    return byUser;
  }

  /** Sends `msg` to each device but the session `skipSessionId` (the one that caused it), signed. */
  async sendToDevices(msg: PushNotification, devices: DeviceSession[], skipSessionId = ''): Promise<void> {
    await Promise.all(devices.filter((d) => d.id !== skipSessionId).map((d) => this.sendToDevice(msg, d, { signed: true })));
  }

  /**
   * Sends one copy of `msg` to one session's device; the proxy's answer, or undefined when there
   * was none (counted as failed). Unsigned for the expired-session message, as Mattermost's
   * NotifySessionsExpired sends it.
   */
  async sendToDevice(msg: PushNotification, device: DeviceSession, opts: { signed: boolean }): Promise<PushOutcome | undefined> {
    const { platform, deviceId } = splitDeviceId(device.device_id);
    const copy: PushNotification = { ...msg, platform, device_id: deviceId, ack_id: newId(), server_id: this.identity.diagnosticId };
    if (opts.signed) copy.signature = this.signature(copy.ack_id, deviceId);
    const outcome = await this.post(copy);
    if (outcome?.status === 'REMOVE') {
      this.metrics.count('removed');
      this.log.log(`the push proxy removed the device of session ${device.id} (user ${device.user_id})`);
      await this.sessions.forgetDevice(device).catch((err: unknown) => this.log.error(`forgetting the device of session ${device.id}: ${String(err)}`));
    } else if (outcome?.status === 'FAIL') {
      this.metrics.count('failed');
      this.log.warn(`the push proxy failed a ${copy.type} push to user ${device.user_id}: ${outcome.error}`);
    } else if (outcome) {
      this.metrics.count('sent');
    } else {
      this.metrics.count('failed');
    }
    return outcome;
  }

  /**
   * SendTestPushNotification: "true" when the proxy took a test push for this device id, "false"
   * when pushes are off or the proxy says the device is gone, "unknown" otherwise.
   */
  async sendTest(deviceId: string, msg: PushNotification): Promise<'true' | 'false' | 'unknown'> {
    if (!this.enabled()) return 'false';
    const { platform, deviceId: token } = splitDeviceId(deviceId);
    const outcome = await this.post({ ...msg, platform, device_id: token, server_id: this.identity.diagnosticId });
    if (!outcome || outcome.status === 'FAIL') return 'unknown';
    return outcome.status === 'REMOVE' ? 'false' : 'true';
  }

  /** SendAckToPushProxy: relays an app's ack (the proxy's delivery metrics); false when it did not get there. */
  async relayAck(ack: PushNotificationAck): Promise<boolean> {
    if (!this.enabled()) return false;
    try {
      await this.client.sendAck(this.server(), ack);
      return true;
    } catch (err) {
      this.failed(`relaying the ack ${ack.id}: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  private async post(msg: PushNotification): Promise<PushOutcome | undefined> {
    try {
      return await this.client.sendPush(this.server(), msg);
    } catch (err) {
      this.failed(`a ${msg.type} push: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  /** Logs a proxy that could not be reached: the first failure, then a count at most every 10 s. */
  private failed(what: string): void {
    this.failuresSinceLog++;
    const now = Date.now();
    if (now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) return;
    const more = this.failuresSinceLog > 1 ? ` (${this.failuresSinceLog - 1} more failed since the last report)` : '';
    this.log.warn(`the push proxy could not be reached: ${what}${more}`);
    this.failuresSinceLog = 0;
    this.lastFailureLog = now;
  }

  private server(): string {
    return this.config.get().EmailSettings.PushNotificationServer.trim();
  }

  /** The JWT the apps verify (Mattermost's pushJWTClaims): ES256 over {ack_id, device_id}, with the server's key. */
  private signature(ackId: string, deviceId: string): string {
    return signPushJwt(this.identity.signingKey, ackId, deviceId);
  }
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** An ES256 JWT with only the two claims (no registered claims), as golang-jwt writes it for Mattermost. */
export function signPushJwt(key: KeyObject, ackId: string, deviceId: string): string {
  const input = `${base64url(JSON.stringify({ alg: 'ES256', typ: 'JWT' }))}.${base64url(JSON.stringify({ ack_id: ackId, device_id: deviceId }))}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${base64url(signature)}`;
}
