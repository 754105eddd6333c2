/**
 * A stand-in push proxy for tests: an HTTP server speaking the push proxy's API (POST
 * /api/v1/send_push and /api/v1/ack, as mattermost-push-proxy and apps/push-proxy do) that
 * records every request and answers as the test says: OK, REMOVE (the device is gone), FAIL, or
 * never (a proxy that hangs). Point a server's EmailSettings.PushNotificationServer at `url`.
 * Where a test needs the real chain, the real proxy with local APNs/FCM stand-ins replaces it.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from './wait.js';

/** A send_push body as the server posted it (model.PushNotification). */
export type RecordedPush = Record<string, any> & { type?: string; ack_id?: string; device_id?: string; platform?: string };

/** How the recorder answers one send_push: a push response, or `hang` (no answer until the recorder stops). */
export type PushReply = { status: 'OK' } | { status: 'REMOVE' } | { status: 'FAIL'; error?: string } | 'hang';

export interface PushRecorder {
  /** The base URL (PushNotificationServer). */
  readonly url: string;
  /** Every send_push body, in arrival order (hung ones too). */
  readonly sends: RecordedPush[];
  /** Every ack body, in arrival order. */
  readonly acks: Record<string, any>[];
  /** How send_push is answered from now on (OK for everything by default). */
  reply(answer: (push: RecordedPush) => PushReply): void;
  /** Answers the requests left hanging (`hang`) with OK, freeing the server's senders. */
  releaseHung(): void;
  /** Waits until a send_push matching `match` has arrived and returns it. */
  waitForSend(match: (push: RecordedPush) => boolean, what: string, timeoutMs?: number): Promise<RecordedPush>;
  /** Waits until an ack matching `match` has arrived and returns it. */
  waitForAck(match: (ack: Record<string, any>) => boolean, what: string, timeoutMs?: number): Promise<Record<string, any>>;
  /** Closes the server, ending hung requests. */
  stop(): Promise<void>;
}

export async function startPushRecorder(host = '127.0.0.1'): Promise<PushRecorder> {
  const sends: RecordedPush[] = [];
  const acks: Record<string, any>[] = [];
  let answer: (push: RecordedPush) => PushReply = () => ({ status: 'OK' });
  const hung: ServerResponse[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    if (req.method === 'POST' && req.url === '/api/v1/send_push') {
      sends.push(body);
      const reply = answer(body);
      if (reply === 'hang') {
        hung.push(res);
        return;
      }
      return json(res, 200, reply);
    }
    if (req.method === 'POST' && req.url === '/api/v1/ack') {
      acks.push(body);
      return json(res, 200, { status: 'OK' });
    }
    json(res, 404, { status: 'FAIL', error: 'not found' });
  }

  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    sends,
    acks,
    reply: (fn) => (answer = fn),
    releaseHung: () => {
      for (const res of hung.splice(0)) if (!res.writableEnded && !res.destroyed) json(res, 200, { status: 'OK' });
    },
    waitForSend: (match, what, timeoutMs = 10_000) => until(() => sends.find(match), timeoutMs, `a push: ${what}`, 20),
    waitForAck: (match, what, timeoutMs = 10_000) => until(() => acks.find(match), timeoutMs, `an ack: ${what}`, 20),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return { unparsable: text };
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
