/**
 * An integration for the e2e suites: an HTTP server on 127.0.0.1 that records every request it
 * gets (method, path and query, headers, body) and answers with what the test says, as slash
 * commands, interactive actions and dialogs reach a real integration.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status?: number;
  contentType?: string;
  body?: string | object;
}

export type Handler = (req: ReceivedRequest) => Answer | Promise<Answer>;

export class IntegrationReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly handlers = new Map<string, Handler>();
  private waiters: Array<() => void> = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<IntegrationReceiver> {
    let receiver!: IntegrationReceiver;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void receiver.answer(req.method ?? '', req.url ?? '', req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    receiver = new IntegrationReceiver(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  private async answer(method: string, url: string, headers: IncomingHttpHeaders, body: string, res: ServerResponse): Promise<void> {
    const received: ReceivedRequest = { method, url, headers, body };
    this.requests.push(received);
    for (const w of this.waiters) w();
    const handler = this.handlers.get(url.split('?')[0]) ?? (() => ({ status: 200, body: '' }));
    const answer: Answer = await handler(received);
    const text = typeof answer.body === 'object' ? JSON.stringify(answer.body) : (answer.body ?? '');
    const contentType = answer.contentType ?? (typeof answer.body === 'object' ? 'application/json' : 'text/plain');
    res.writeHead(answer.status ?? 200, { 'Content-Type': contentType });
    res.end(text);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The URL of `path` on this receiver. */
  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** How requests to `path` are answered (a 200 with no body until set). */
  on(path: string, handler: Handler): void {
    this.handlers.set(path, handler);
  }

  /** The requests so far to `path`. */
  to(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.url.split('?')[0] === path);
  }

  /** The next request to `path` after the `seen` ones already received. */
  next(path: string, seen = this.to(path).length, timeoutMs = 5000): Promise<ReceivedRequest> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const list = this.to(path);
        if (list.length > seen) {
          done();
          resolve(list[seen]);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no request to ${path} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A form-encoded body as [key, value] pairs, in order. */
export function formPairs(body: string): Array<[string, string]> {
  return [...new URLSearchParams(body).entries()];
}
