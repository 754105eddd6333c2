/**
 * The proxy's HTTP server (node:http; five routes need no framework):
 *
 *   GET  /                   a page saying what this is
 *   GET  /version            {"hash", "version"}
 *   GET  /metrics            Prometheus text (EnableMetrics)
 *   POST /api/v1/send_push   PushNotification → {"status": "OK"|"FAIL"|"REMOVE", "error"?}
 *   POST /api/v1/ack         PushNotificationAck → {"status": "OK"} or FAIL
 *
 * Every route is throttled (ThrottlePerSec). shutdown() stops accepting connections, lets the
 * requests in flight (their sends to the providers) finish, and then closes every connection.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { PushMetrics } from '../metrics.js';
import { fail, type PushResponse } from '../push-notification.js';
import type { Handlers } from './handlers.js';
import type { Throttle } from './throttle.js';

/** A PushNotification is a few KB at most; anything far bigger is not one. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface ProxyServerDeps {
  handlers: Handlers;
  log: Logger;
  metrics?: PushMetrics;
  throttle?: Throttle;
  version: { hash: string; version: string };
  maxBodyBytes?: number;
}

export interface ProxyServer {
  readonly server: Server;
  /** Resolves once the listener is closed and every request in flight has been answered. */
  shutdown(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export function createProxyServer(deps: ProxyServerDeps): ProxyServer {
  const routes = routeTable(deps);
  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;

  const server = createServer((req, res) => {
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) drained?.();
    });
    // While draining, answered connections are not kept alive for another request.
    if (draining) res.setHeader('connection', 'close');
    handle(req, res).catch((err: unknown) => {
      deps.log.error('request failed', { path: req.url, err });
      if (!res.headersSent) sendJson(res, 500, fail('internal error'));
      else res.destroy();
    });
  });
  // Mattermost's proxy gives a request 60 s; a client that trickles its body is cut off.
  server.requestTimeout = 60_000;
  server.headersTimeout = 60_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (deps.throttle) {
      const decision = deps.throttle.take(deps.throttle.keyOf(req.headers));
      res.setHeader('x-ratelimit-limit', decision.limit);
      res.setHeader('x-ratelimit-remaining', decision.remaining);
      if (!decision.allowed) {
        deps.log.error('throttled: code=429', { path: req.url, ip: clientAddress(req) });
        res.setHeader('retry-after', decision.retryAfterSec);
        return sendJson(res, 429, fail('limit exceeded'));
      }
    }
    const path = (req.url ?? '/').split('?')[0];
    const methods = routes.get(path);
    if (!methods) return sendText(res, 404, '404 page not found\n');
    const route = methods[req.method ?? ''];
    if (!route) {
      res.setHeader('allow', Object.keys(methods).join(', '));
      return sendText(res, 405, '');
    }
    await route(req, res);
  }

  return {
    server,
    shutdown: () =>
      new Promise<void>((resolve) => {
        draining = true;
        server.close();
        // Idle keep-alive connections would hold close() open; busy ones close after their answer.
        server.closeIdleConnections();
        const done = () => {
          server.closeAllConnections();
          resolve();
        };
        if (inFlight === 0) done();
        else drained = done;
      }),
  };
}

function routeTable(deps: ProxyServerDeps): Map<string, Record<string, Route>> {
  const { handlers, metrics } = deps;
  const timed = (fn: (body: string) => Promise<PushResponse> | PushResponse): Route => {
    return async (req, res) => {
      const started = performance.now();
      const body = await readBody(req, deps.maxBodyBytes ?? MAX_BODY_BYTES);
      if (body === undefined) {
        metrics?.badRequestReceived();
        res.setHeader('connection', 'close');
        return sendJson(res, 413, fail(`the body is over ${deps.maxBodyBytes ?? MAX_BODY_BYTES} bytes`));
      }
      sendJson(res, 200, await fn(body));
      metrics?.requestServed((performance.now() - started) / 1000);
    };
  };
  const table = new Map<string, Record<string, Route>>([
    ['/', { GET: (_req, res) => sendText(res, 200, '<html><body>mmchat push proxy</body></html>', 'text/html; charset=utf-8') }],
    ['/version', { GET: (_req, res) => sendJson(res, 200, deps.version) }],
    ['/api/v1/send_push', { POST: timed((body) => handlers.sendPush(body)) }],
    ['/api/v1/ack', { POST: timed((body) => handlers.ack(body)) }],
  ]);
  if (metrics) {
    table.set('/metrics', {
      GET: async (_req, res) => {
        const { contentType, body } = await metrics.exposition();
        sendText(res, 200, body, contentType);
      },
    });
  }
  return table;
}

/** The body as text, or undefined when it is over `maxBytes` (reading stops there). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.pause();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendText(res, status, JSON.stringify(value), 'application/json');
}

function sendText(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** For the throttle's log line: the forwarded address behind a proxy, else the peer's. */
function clientAddress(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-for'] ?? req.headers['x-real-ip'];
  return [forwarded].flat()[0] || req.socket.remoteAddress || '';
}
