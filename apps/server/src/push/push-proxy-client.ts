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
  }

  private async post(server: string, path: string, body: unknown): Promise<string> {
    const url = server.replace(/\/+$/, '') + path;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.shutdown.signal]),
      });
    } catch (err) {
      throw new PushProxyError(`POST ${url}: ${describe(err)}`);
    }
    const text = await readText(res);
    if (res.status !== 200) throw new PushProxyError(`response returned error code: ${res.status}`);
    return text;
  }
}

async function readText(res: Response): Promise<string> {
  try {
    return await res.text();
  } catch (err) {
    throw new PushProxyError(`reading the answer: ${describe(err)}`);
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    if (err.name === 'TimeoutError') return 'timed out';
    if (cause instanceof Error) return `${err.message} (${cause.message})`;
    return err.message;
  }
  return String(err);
}
