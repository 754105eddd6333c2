import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { isValidId, NamedCounts } from '#common';
import { ConfigService } from '#config';
import { findToken } from '#auth';
import { ConnectionOwner, Hub, WebConnection } from '#realtime';
import { SessionsService } from '../auth/sessions.service.js';
import type { Session } from '../common/session.js';
import { CrossNodeResume } from '../cluster/cluster-state.js';
import { drainState } from '../lifecycle/drain.js';
import { originClient } from './origin-client.js';
import { MattermostWsAdapter } from './websocket.adapter.js';

const PATHS = new Set(['/api/v4/websocket', '/api/v4/websocket/']);
const AUTH_TIMEOUT_MS = 5_000;
const PING_INTERVAL_MS = 60_000;
const MAX_FRAME_BYTES = 8 * 1024; // SocketMaxMessageSizeKb
const REAP_INTERVAL_MS = 30_000;

interface ClientFrame {
  seq?: unknown;
  action?: unknown;
  data?: unknown;
}

/**
 * /api/v4/websocket: the upgrade, authentication (headers/cookie or `authentication_challenge`),
 * resuming with connection_id + sequence_number, and reading client frames, whose actions the
 * adapter hands to the gateways. Events reach sockets only through the Hub.
 */
@Injectable()
export class WebSocketEndpoint implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('websocket');
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private timers: NodeJS.Timeout[] = [];
  /**
   * For the metrics endpoint: authenticated sockets open now by client kind (Mattermost's
   * http_websockets_total{origin_client}), and reconnects that asked to resume (connection_id and
   * sequence_number) by whether the missed events could be replayed or a fresh hello was needed.
   */
  readonly stats = { sockets: new NamedCounts(), replaysServed: 0, replaysMissed: 0 };

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly hub: Hub,
    private readonly sessions: SessionsService,
    private readonly config: ConfigService,
    private readonly adapter: MattermostWsAdapter,
    private readonly crossNode: CrossNodeResume,
  ) {}

  onApplicationBootstrap() {
    const server: Server = this.adapterHost.httpAdapter.getHttpServer();
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.timers.push(setInterval(() => this.hub.reapInactive(), REAP_INTERVAL_MS).unref());
    this.timers.push(setInterval(() => this.pingAll(), PING_INTERVAL_MS).unref());
  }

  onApplicationShutdown() {
    for (const t of this.timers) clearInterval(t);
    this.hub.closeAll();
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!PATHS.has(url.pathname)) {
      socket.destroy();
      return;
    }
    if (!this.originAllowed(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    if (drainState.draining) {
      // This node is handing its sockets to the others: a handshake is an idempotent GET, so nginx
      // tries the next node on a 503 (proxy_next_upstream http_503).
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      void this.accept(ws, req, url.searchParams).catch((err) => {
        this.logger.warn(`websocket set-up failed: ${String(err)}`);
        ws.close(1011);
      });
    });
  }

  private originAllowed(req: IncomingMessage): boolean {
    const s = this.config.get().ServiceSettings;
    return originAllowed(req.headers.origin, req.headers.host, s.SiteURL, s.AllowCorsFrom);
  }

  private async accept(ws: WebSocket, req: IncomingMessage, query: URLSearchParams) {
    const resumeId = query.get('connection_id') ?? '';
    const seqText = query.get('sequence_number');
    if (resumeId && (seqText === null || !/^\d+$/.test(seqText))) {
      ws.close(1008, 'sequence_number is required with connection_id');
      return;
    }
    const alive = { value: true };
    ws.on('pong', () => (alive.value = true));
    (ws as WebSocket & { alive?: typeof alive }).alive = alive;

    let connection: WebConnection | null = null;
    let counted = '';
    const authTimer = setTimeout(() => {
      if (!connection) ws.close(1008, 'authentication timeout');
    }, AUTH_TIMEOUT_MS);

    const register = async (session: Session) => {
      clearTimeout(authTimer);
      const owner: ConnectionOwner = {
        userId: session.user_id,
        sessionId: session.id,
        sessionExpiresAt: session.expires_at,
        roles: session.roles,
      };
      const resumed = await this.resume(resumeId, Number(seqText), owner, ws);
      if (resumeId && resumed) this.stats.replaysServed++;
      else if (resumeId) this.stats.replaysMissed++;
      connection = resumed ?? this.hub.connect(owner, ws);
      // Counted once per socket, while it is open (its close event uncounts it).
      if (!counted && ws.readyState === WebSocket.OPEN) {
        counted = originClient(req.headers['user-agent'], query);
        this.stats.sockets.inc(counted);
      }
      // Each socket says again whether it wants `should_ack` on posts (api4/websocket.go reads posted_ack).
      connection.postedAck = query.get('posted_ack') === 'true';
      // The socket may have closed while another node was handing the connection over.
      if (ws.readyState !== WebSocket.OPEN) this.hub.disconnected(connection, ws);
    };

    // Frames are handled one at a time, in order, after any header authentication: a `ping`
    // sent right after the challenge must see the socket already authenticated.
    const { token, location } = findToken({ headers: req.headers, query: {} });
    let inOrder: Promise<unknown> = (async () => {
      if (!token || location === 'query') return;
      const session = await this.sessions.authenticate(token).catch(() => null);
      if (session) await register(session);
    })().catch(() => undefined);
    ws.on('message', (raw, isBinary) => {
      inOrder = inOrder.then(() => this.onFrame(ws, raw.toString(), isBinary, () => connection, register)).catch(() => undefined);
    });
    ws.on('close', () => {
      clearTimeout(authTimer);
      if (counted) this.stats.sockets.dec(counted);
      if (connection) this.hub.disconnected(connection, ws);
    });
    ws.on('error', () => undefined);
  }

  private async onFrame(ws: WebSocket, text: string, isBinary: boolean, current: () => WebConnection | null, register: (session: Session) => Promise<void>) {
    let frame: ClientFrame;
    try {
      frame = isBinary ? {} : JSON.parse(text);
    } catch {
      frame = {};
    }
    const seq = typeof frame.seq === 'number' ? frame.seq : 0;
    const reply = (body: Record<string, unknown>) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ ...body, seq_reply: seq }));
    };
    if (typeof frame.action !== 'string' || seq <= 0) {
      reply({ status: 'FAIL', error: { id: 'api.web_socket_router.bad_seq.app_error', message: 'Invalid sequence for WebSocket message.' } });
      return;
    }
    const data = (frame.data && typeof frame.data === 'object' ? frame.data : {}) as Record<string, unknown>;
    if (frame.action === 'authentication_challenge') {
      if (current()) return; // already authenticated: Mattermost ignores it
      const token = typeof data.token === 'string' ? data.token : '';
      const session = token ? await this.sessions.authenticate(token).catch(() => null) : null;
      if (!session) {
        ws.close(1008, 'invalid session');
        return;
      }
      // The reply goes out before `hello` (or the replayed frames), as Mattermost orders them.
      reply({ status: 'OK' });
      await register(session);
      return;
    }
    const connection = current();
    if (!connection) {
      reply({ status: 'FAIL', error: { id: 'api.web_socket_router.not_authenticated.app_error', message: 'Not authenticated.' } });
      return;
    }
    reply(await this.adapter.dispatch(connection, frame.action, data));
  }

  /** Resumes a connection held here, else one another node held; null when neither can. */
  private async resume(connectionId: string, sequenceNumber: number, owner: ConnectionOwner, ws: WebSocket): Promise<WebConnection | null> {
    if (!connectionId || !isValidId(connectionId)) return null;
    if (this.hub.has(connectionId)) {
      const local = this.hub.resume(connectionId, sequenceNumber, owner, ws);
      return local.resumed ? local.connection : null;
    }
    return this.crossNode.resume(connectionId, sequenceNumber, owner, ws);
  }

  /** Server pings find dead TCP connections that never sent a close. */
  private pingAll() {
    for (const ws of this.wss.clients) {
      const alive = (ws as WebSocket & { alive?: { value: boolean } }).alive;
      if (alive && !alive.value) {
        ws.terminate();
        continue;
      }
      if (alive) alive.value = false;
      ws.ping();
    }
  }
}

/**
 * Browsers send Origin; it must be this site — the Host the request came with, or SiteURL's origin
 * (behind a proxy that passes its own host name without the port, as `proxy_set_header Host $host`
 * does, a page served from a non-default port has an origin the Host does not show; Mattermost
 * likewise adds SiteURL to AllowCorsFrom) — or be listed in AllowCorsFrom. Clients that are not
 * browsers send none.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, siteUrl: string, allowCorsFrom: string): boolean {
  if (!origin) return true;
  const allow = allowCorsFrom.split(' ').filter(Boolean);
  if (allow.includes('*') || allow.includes(origin)) return true;
  try {
    const { host: originHost, origin: normalized } = new URL(origin);
    if (originHost === host) return true;
    return siteUrl !== '' && new URL(siteUrl).origin === normalized;
  } catch {
    return false;
  }
}
