import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { PushNotification, PushNotificationAck, toWire } from './push-notification.js';

/**
 * How long one request to the push proxy may take (Mattermost's push client is its HTTP service's,
 * whose requests time out after 30 s). Requests run off every caller's path, in the push queue's
 * workers, so a proxy that hangs only holds a worker this long.
 */
export const PUSH_REQUEST_TIMEOUT_MS = 30_000;

/** The proxy's answer to send_push (model.PushResponse): OK, REMOVE (the device is gone) or FAIL. */
export type PushOutcome = { status: 'OK' } | { status: 'REMOVE' } | { status: 'FAIL'; error: string };

/** An answer that is not a push response: a network error, a timeout, a non-200 status or a body that is not its JSON. */
export class PushProxyError extends Error {}

/**
 * The push proxy's HTTP API (mattermost-push-proxy: POST /api/v1/send_push and /api/v1/ack),
 * spoken as Mattermost's rawSendToPushProxy and SendAckToPushProxy do: the message as JSON, a
 * 200 with {"status": …} expected back.
 */
export class PushProxyClient {
  private readonly shutdown = new AbortController();
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true });

  constructor(private readonly timeoutMs = PUSH_REQUEST_TIMEOUT_MS) {}

  async sendPush(server: string, msg: PushNotification): Promise<PushOutcome> {
    const answer = await this.post(server, '/api/v1/send_push', toWire(msg));
    let body: unknown;
    try {
      body = JSON.parse(answer);
    } catch {
      throw new PushProxyError('failed to decode from JSON');
    }
    const { status, error } = (body ?? {}) as { status?: unknown; error?: unknown };
    if (status === 'REMOVE') return { status: 'REMOVE' };
    if (status === 'FAIL') return { status: 'FAIL', error: typeof error === 'string' ? error : '' };
    // Mattermost takes anything but REMOVE and FAIL as sent.
    return { status: 'OK' };
  }

  async sendAck(server: string, ack: PushNotificationAck): Promise<void> {
    // Go leaves post_id out when empty (`omitempty`).
    const { post_id, ...rest } = ack;
    await this.post(server, '/api/v1/ack', post_id ? ack : rest);
  }

  /** Ends every request in flight (the server is stopping). */
  close(): void {
    this.shutdown.abort();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /**
   * One POST over a kept-alive connection (node:http, whose per-request cost is a fraction of
   * fetch's: a post to a hundred devices is a hundred requests), ending at the timeout or when the
   * server stops.
   */
  private async post(server: string, path: string, body: unknown): Promise<string> {
    let url: URL;
    try {
      url = new URL(server.replace(/\/+$/, '') + path);
    } catch {
      throw new PushProxyError(`${server} is not a URL`);
    }
    const payload = Buffer.from(JSON.stringify(body));
    const secure = url.protocol === 'https:';
    return new Promise<string>((resolve, reject) => {
      const fail = (why: string) => reject(new PushProxyError(`POST ${url.href}: ${why}`));
      const req = (secure ? httpsRequest : httpRequest)(
        url,
        {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length },
          signal: this.shutdown.signal,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => reject(new PushProxyError(`reading the answer: ${err.message}`)));
          res.on('end', () => {
            if (res.statusCode !== 200) reject(new PushProxyError(`response returned error code: ${res.statusCode}`));
            else resolve(Buffer.concat(chunks).toString('utf8'));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => fail(err.message));
      req.end(payload);
    });
  }
}
