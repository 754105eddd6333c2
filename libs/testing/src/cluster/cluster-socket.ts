/**
 * A socket through the cluster whose connections (the first and every reconnect) go to a target
 * that can change at any time (a node or nginx), recording every raw frame below the client
 * library's checks.
 */
import type { WebSocketClient as WebSocketClientType } from '@mattermost/client';
import type { Post } from '@mattermost/types/posts';
import { WebSocket } from 'ws';
import { TestSocket } from '../socket.js';

export interface RawFrame {
  /** Which physical connection (1 = the first) the frame came on. */
  conn: number;
  at: number;
  msg: any;
}

/** The socket's route and a record of every raw frame, below the client library's checks. */
export class SocketWire {
  readonly frames: RawFrame[] = [];
  connections = 0;
  closed = false;
  current?: WebSocket;

  constructor(public target: string) {}

  open(url: string): WebSocket {
    if (this.closed) return inertSocket();
    // The client builds `<url>?connection_id=…&sequence_number=…`; only the origin is rerouted.
    const u = new URL(url);
    const t = new URL(this.target);
    u.protocol = t.protocol;
    u.host = t.host;
    const conn = ++this.connections;
    const ws = new WebSocket(u.toString());
    ws.addEventListener('message', (e) => {
      try {
        this.frames.push({ conn, at: Date.now(), msg: JSON.parse(String(e.data)) });
      } catch {
        this.frames.push({ conn, at: Date.now(), msg: { unparsable: String(e.data) } });
      }
    });
    this.current = ws;
    return ws;
  }
}

/** Stands in for a socket after close(), so a reconnect scheduled earlier goes nowhere. */
function inertSocket(): WebSocket {
  return { readyState: 3, send() {}, close() {}, addEventListener() {}, removeEventListener() {} } as unknown as WebSocket;
}

/**
 * A WebSocketClient like the e2e TestSocket (same events/waitFor/expectNone), whose connections
 * (the first and every reconnect) go to `target`: a node or nginx, changeable at any time. It
 * also keeps the raw frames, so sequence gaps and duplicates the client library would hide
 * (it drops an out-of-order frame and reconnects) still show.
 */
export class ClusterSocket extends TestSocket {
  private readonly missedListeners: Array<() => void> = [];

  constructor(
    ws: WebSocketClientType,
    private readonly wire: SocketWire,
  ) {
    super(ws);
    ws.addMissedMessageListener(() => {
      for (const l of this.missedListeners) l();
    });
  }

  /** The WebSocket URL the next reconnect goes to. */
  get target(): string {
    return this.wire.target;
  }

  set target(url: string) {
    this.wire.target = url;
  }

  get frames(): readonly RawFrame[] {
    return this.wire.frames;
  }

  /** Physical connections opened so far (1 until the first reconnect). */
  get connections(): number {
    return this.wire.connections;
  }

  get connectionId(): string {
    return (this.ws as any).connectionId;
  }

  /** Every connection id a `hello` announced, in order. */
  helloIds(): string[] {
    return this.wire.frames.filter((f) => f.msg.event === 'hello').map((f) => f.msg.data.connection_id);
  }

  /** Called when the server could not resume and started a new connection (a fresh `hello`). */
  onMissed(listener: () => void): void {
    this.missedListeners.push(listener);
  }

  /** Cuts the TCP connection under the client (it reconnects to `target` after its retry time). */
  dropConnection(): void {
    this.wire.current?.terminate();
  }

  /**
   * Problems in the raw event stream: each `hello` starts at seq 0 and every other event must
   * carry the next number, across resumed connections too. Empty when the stream is sound.
   */
  seqProblems(): string[] {
    const problems: string[] = [];
    let expected = -1;
    for (const { conn, msg } of this.wire.frames) {
      if (msg.seq_reply !== undefined || msg.event === undefined) continue;
      if (msg.event === 'hello') {
        if (msg.seq !== 0) problems.push(`conn ${conn}: hello with seq ${msg.seq}`);
        expected = 1;
        continue;
      }
      if (expected < 0) problems.push(`conn ${conn}: "${msg.event}" before any hello`);
      else if (msg.seq !== expected) problems.push(`conn ${conn}: "${msg.event}" seq ${msg.seq}, expected ${expected}`);
      expected = msg.seq + 1;
    }
    return problems;
  }

  /** Posts received (as accepted by the client library), in arrival order, optionally for one channel. */
  posted(channelId?: string): Post[] {
    return this.events
      .filter((e) => e.event === 'posted')
      .map((e) => JSON.parse(e.data.post) as Post)
      .filter((p) => !channelId || p.channel_id === channelId);
  }

  postedIds(channelId?: string): string[] {
    return this.posted(channelId).map((p) => p.id);
  }

  close(): void {
    this.wire.closed = true;
    super.close();
    this.wire.current?.terminate();
  }
}
