/**
 * One ApplePushSettings entry: pushes to APNs over one HTTP/2 connection per setting (reused for
 * every push, opened again after APNs sends GOAWAY or the connection drops), authenticated with
 * the provider token.
 */
import { ClientHttp2Session, ClientHttp2Stream, connect, constants } from 'node:http2';
import { appleServerUrl, type ApplePushSettings } from '../config.js';
import { redactToken } from '../log.js';
import { fail, ok, remove, type PushNotification, type PushResponse, type PushTarget, type TargetDeps } from '../push-notification.js';
import { SEND_RETRY, withRetry } from '../retry.js';
import { buildApnsRequest } from './apns-payload.js';
import { apnsOutcome, apnsReason, type ApnsOutcome } from './apns-response.js';
import { ApnsProviderToken, readAuthKey } from './provider-token.js';

interface Http2Answer {
  status: number;
  body: string;
}

export class ApnsTarget implements PushTarget {
  readonly platform = 'apple';
  readonly type: string;
  private readonly origin: string;
  private session?: ClientHttp2Session;

  /** Throws when the settings cannot push (no auth key, an unreadable key file). */
  static fromSettings(settings: ApplePushSettings, deps: TargetDeps): ApnsTarget {
    const { AppleAuthKeyFile, AppleAuthKeyID, AppleTeamID, Type } = settings;
    if (!AppleAuthKeyFile || !AppleAuthKeyID || !AppleTeamID) {
      throw new Error(`ApplePushSettings ${Type}: AppleAuthKeyFile, AppleAuthKeyID and AppleTeamID are required (certificate authentication is not supported)`);
    }
    if (!settings.ApplePushTopic) throw new Error(`ApplePushSettings ${Type}: ApplePushTopic is required`);
    return new ApnsTarget(settings, new ApnsProviderToken(readAuthKey(AppleAuthKeyFile), AppleAuthKeyID, AppleTeamID), deps);
  }

  constructor(
    private readonly settings: ApplePushSettings,
    private readonly token: ApnsProviderToken,
    private readonly deps: TargetDeps,
  ) {
    this.type = settings.Type;
    this.origin = appleServerUrl(settings);
  }

  async send(msg: PushNotification, appVersion: number): Promise<PushResponse> {
    const { log, metrics } = this.deps;
    const pushType = msg.type ?? '';
    const request = buildApnsRequest(msg, appVersion, this.settings.ApplePushTopic);
    const path = `/3/device/${encodeURIComponent(msg.device_id ?? '')}`;
    const body = JSON.stringify(request.payload);
    metrics?.sending('apple', pushType);
    log.info('sending apple push notification', { device: this.type, type: pushType, ack_id: msg.ack_id });

    let outcome: ApnsOutcome;
    try {
      outcome = await withRetry<ApnsOutcome>(
        async (signal, attempt) => {
          let answer = await this.postOnce(path, request.headers, body, signal).catch((err: unknown) => {
            log.warn('apple push attempt failed', { type: this.type, did: redactToken(msg.device_id ?? ''), attempt, err });
            throw err;
          });
          let result = apnsOutcome(answer.status, apnsReason(answer.body));
          if (result.kind === 'renew-token') {
            // Once per send: a second ExpiredProviderToken right after a fresh token is a clock
            // or key problem that resending will not fix.
            this.token.renew();
            answer = await this.postOnce(path, request.headers, body, signal);
            result = apnsOutcome(answer.status, apnsReason(answer.body));
          }
          if (result.kind === 'retry') log.warn('APNs asked to try again later', { type: this.type, reason: result.reason, attempt });
          return result.kind === 'retry' ? { retry: result } : { done: result };
        },
        { ...SEND_RETRY, ...this.deps.retry },
      );
    } catch (err) {
      log.error('failed to send apple push', { sid: msg.server_id, did: redactToken(msg.device_id ?? ''), type: this.type, err });
      metrics?.failed('apple', pushType, 'RequestError');
      return fail(`could not reach APNs: ${(err as Error).message}`);
    }

    if (outcome.kind === 'ok') {
      metrics?.sent('apple', pushType, !!msg.ack_id);
      return ok();
    }
    if (outcome.kind === 'remove') {
      log.info('APNs refused the device token: answering REMOVE', { reason: outcome.reason, type: this.type, did: redactToken(msg.device_id ?? '') });
      metrics?.removed('apple', pushType, outcome.reason);
      return remove();
    }
    log.error('APNs refused the push', { reason: outcome.reason, type: this.type, did: redactToken(msg.device_id ?? '') });
    metrics?.failed('apple', pushType, outcome.reason);
    return fail(`APNs refused the push: ${outcome.reason}`);
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session && !session.destroyed) await new Promise<void>((resolve) => session.close(resolve));
  }

  /**
   * One POST. A request the connection refused unprocessed (APNs sent GOAWAY as we sent it: the
   * stream is refused) goes again at once on a new connection; it never reached APNs, so this
   * is not a retry and waits for no backoff.
   */
  private async postOnce(path: string, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<Http2Answer> {
    try {
      return await this.post(path, headers, body, signal);
    } catch (err) {
      if (!(err instanceof UnprocessedRequest)) throw err;
      this.deps.log.info('APNs connection went away before the request: sending it on a new one', { type: this.type });
      this.session = undefined;
      return this.post(path, headers, body, signal);
    }
  }

  /** One POST on the shared connection; rejects on a connection error or when `signal` fires. */
  private async post(path: string, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<Http2Answer> {
    const session = this.connection();
    const started = performance.now();
    try {
      return await new Promise<Http2Answer>((resolve, reject) => {
        let stream: ClientHttp2Stream;
        try {
          stream = session.request({
            ':method': 'POST',
            ':path': path,
            'content-type': 'application/json',
            authorization: `bearer ${this.token.bearer()}`,
            ...headers,
          });
        } catch (err) {
          // The session is closing (GOAWAY arrived between the check and the request).
          return reject(new UnprocessedRequest((err as Error).message));
        }
        const onAbort = () => {
          stream.close(constants.NGHTTP2_CANCEL);
          // A connection that never came up would keep trying for the next push: start over.
          if (session.connecting) session.destroy();
          reject(new Error(`APNs did not answer in time (${this.origin})`));
        };
        let status = 0;
        let text = '';
        stream.setEncoding('utf8');
        stream.on('response', (h) => (status = Number(h[':status'])));
        stream.on('data', (chunk: string) => (text += chunk));
        stream.on('end', () => {
          signal.removeEventListener('abort', onAbort);
          resolve({ status, body: text });
        });
        stream.on('error', (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(stream.rstCode === constants.NGHTTP2_REFUSED_STREAM ? new UnprocessedRequest(err.message) : err);
        });
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        stream.end(body);
      });
    } finally {
      this.deps.metrics?.providerResponded('apple', (performance.now() - started) / 1000);
    }
  }

  /** The open connection, or a new one when there is none or it is going away. */
  private connection(): ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const session = connect(this.origin);
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    // After GOAWAY, APNs finishes the streams it has and takes no new ones.
    session.on('goaway', (code) => {
      this.deps.log.info('APNs closed the connection (GOAWAY)', { type: this.type, code });
      forget();
    });
    session.on('close', forget);
    session.on('error', (err) => {
      this.deps.log.warn('APNs connection error', { type: this.type, origin: this.origin, err });
      forget();
    });
    this.session = session;
    return session;
  }
}

/** A request the connection did not process (refused stream, closing session): safe to send again. */
class UnprocessedRequest extends Error {}
