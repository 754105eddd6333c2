/**
 * One AndroidPushSettings entry: pushes through FCM's HTTP v1 API
 * (POST {FCMServerURL}/v1/projects/{project_id}/messages:send) with an OAuth access token of the
 * Firebase project's service account.
 */
import { fcmServerUrl, type AndroidPushSettings } from '../config.js';
import { redactToken } from '../log.js';
import { fail, ok, remove, type PushNotification, type PushResponse, type PushTarget, type TargetDeps } from '../push-notification.js';
import { parseRetryAfter, SEND_RETRY, withRetry } from '../retry.js';
import { GoogleAccessToken, readServiceAccount } from './access-token.js';
import { buildFcmMessage } from './fcm-message.js';
import { fcmOutcome, type FcmOutcome } from './fcm-response.js';

export class FcmTarget implements PushTarget {
  readonly platform = 'android';
  readonly type: string;
  private readonly sendUrl: string;

  /** Throws when the settings cannot push (no service file, an unreadable one). */
  static fromSettings(settings: AndroidPushSettings, deps: TargetDeps): FcmTarget {
    if (!settings.ServiceFileLocation) throw new Error(`AndroidPushSettings ${settings.Type}: ServiceFileLocation is required`);
    const account = readServiceAccount(settings.ServiceFileLocation);
    return new FcmTarget(settings, account.projectId, new GoogleAccessToken(account), deps);
  }

  constructor(
    settings: AndroidPushSettings,
    projectId: string,
    private readonly accessToken: GoogleAccessToken,
    private readonly deps: TargetDeps,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.type = settings.Type;
    this.sendUrl = `${fcmServerUrl(settings)}/v1/projects/${encodeURIComponent(projectId)}/messages:send`;
  }

  async send(msg: PushNotification, _appVersion: number): Promise<PushResponse> {
    const { log, metrics } = this.deps;
    const pushType = msg.type ?? '';
    const body = JSON.stringify(buildFcmMessage(msg));
    metrics?.sending('android', pushType);
    log.info('sending android push notification', { device: this.type, type: pushType, ack_id: msg.ack_id });

    let outcome: FcmOutcome;
    try {
      outcome = await withRetry<FcmOutcome>(
        async (signal, attempt) => {
          let answer = await this.post(body, signal).catch((err: unknown) => {
            log.warn('android push attempt failed', { type: this.type, did: redactToken(msg.device_id ?? ''), attempt, err });
            throw err;
          });
          let result = fcmOutcome(answer.status, answer.body);
          if (result.kind === 'renew-token') {
            // Once per send: FCM refused a token we thought valid (revoked, or clocks apart).
            this.accessToken.invalidate();
            answer = await this.post(body, signal);
            result = fcmOutcome(answer.status, answer.body);
          }
          if (result.kind === 'retry') log.warn('FCM asked to try again later', { type: this.type, reason: result.reason, attempt });
          return result.kind === 'retry' ? { retry: result, retryAfterMs: parseRetryAfter(answer.retryAfter) } : { done: result };
        },
        { ...SEND_RETRY, ...this.deps.retry },
      );
    } catch (err) {
      log.error('failed to send FCM push', { sid: msg.server_id, did: redactToken(msg.device_id ?? ''), type: this.type, err });
      metrics?.failed('android', pushType, 'unknown transport error');
      return fail(`could not reach FCM: ${(err as Error).message}`);
    }

    if (outcome.kind === 'ok') {
      metrics?.sent('android', pushType, !!msg.ack_id);
      return ok();
    }
    if (outcome.kind === 'remove') {
      log.info('FCM refused the registration token: answering REMOVE', { reason: outcome.reason, type: this.type, did: redactToken(msg.device_id ?? '') });
      // Mattermost's proxy labels both removal reasons UNREGISTERED.
      metrics?.removed('android', pushType, 'UNREGISTERED');
      return remove();
    }
    log.error('FCM refused the push', { reason: outcome.reason, type: this.type, did: redactToken(msg.device_id ?? '') });
    metrics?.failed('android', pushType, outcome.reason);
    return fail(`FCM refused the push: ${outcome.reason}${'message' in outcome ? ` (${outcome.message})` : ''}`);
  }

  async close(): Promise<void> {
    // fetch's pooled connections close themselves when idle.
  }

  private async post(body: string, signal: AbortSignal): Promise<{ status: number; body: string; retryAfter: string | null }> {
    const token = await this.accessToken.get(signal);
    const started = performance.now();
    try {
      const res = await this.fetchImpl(this.sendUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
        signal,
      });
      return { status: res.status, body: await res.text(), retryAfter: res.headers.get('retry-after') };
    } finally {
      this.deps.metrics?.providerResponded('android', (performance.now() - started) / 1000);
    }
  }
}
