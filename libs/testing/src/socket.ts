/** A WebSocketClient (Mattermost's own) that records every event, for waiting on and asserting events. */
import type { WebSocketClient as WebSocketClientType } from '@mattermost/client';
import mm from '@mattermost/client';
import './node-globals.js'; // WebSocket and CloseEvent globals for the client
import { webSocketTrusting } from './tls-client.js';
import { sleep } from './wait.js';

const { WebSocketClient } = mm;

export interface WsEventMessage {
  event: string;
  data: Record<string, any>;
  broadcast: Record<string, any>;
  seq: number;
}

export class TestSocket {
  readonly events: WsEventMessage[] = [];
  /** Times the server could not resume and the client had to resync (a new hello). */
  missedResyncs = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocketClientType) {
    // Like the web app, listen for "missed messages": the client only keeps its connection_id
    // (and so only resumes) when such a listener exists.
    ws.addMissedMessageListener(() => this.missedResyncs++);
    ws.addMessageListener((msg: any) => {
      this.events.push(msg);
      for (const w of this.waiters) w();
    });
  }

  /** Resolves with the first event (already received or coming) that matches. */
  waitFor(event: string, predicate: (e: WsEventMessage) => boolean = () => true, timeoutMs = 5000): Promise<WsEventMessage> {
    return new Promise((ok, fail) => {
      const check = () => {
        const found = this.events.find((e) => e.event === event && predicate(e));
        if (found) {
          cleanup();
          ok(found);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        fail(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"; got: ${this.events.map((e) => e.event).join(', ')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      const waiter = () => void check();
      this.waiters.push(waiter);
      check();
    });
  }

  /** Waits `ms` and fails if a matching event arrived. */
  async expectNone(event: string, predicate: (e: WsEventMessage) => boolean = () => true, ms = 500): Promise<void> {
    await sleep(ms);
    const found = this.events.find((e) => e.event === event && predicate(e));
    if (found) throw new Error(`unexpected "${event}" event: ${JSON.stringify(found)}`);
  }

  count(event: string, predicate: (e: WsEventMessage) => boolean = () => true): number {
    return this.events.filter((e) => e.event === event && predicate(e)).length;
  }

  close() {
    this.ws.close();
  }
}

/** A socket to `wsUrl` authenticated with `token`, after its `hello` (`caFile`: the test CA of a wss server). */
export async function connectSocket(wsUrl: string, token: string, opts: { minRetryMs?: number; caFile?: string } = {}): Promise<TestSocket> {
  const ws = new WebSocketClient({
    minWebSocketRetryTime: opts.minRetryMs ?? 200,
    reconnectJitterRange: 50,
    // wss to a server with a test CA's certificate: trust that CA only.
    ...(opts.caFile ? { newWebSocketFn: webSocketTrusting(opts.caFile) as unknown as (url: string) => globalThis.WebSocket } : {}),
  });
  const socket = new TestSocket(ws);
  ws.initialize(wsUrl, token);
  await socket.waitFor('hello');
  return socket;
}
