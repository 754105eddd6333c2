/**
 * Raw `ws` WebSockets for the fan-out and memory measurements: one per user, authenticated with
 * `Authorization: Bearer` on the upgrade. Raw sockets (not WebSocketClient) keep the client's own
 * work per received event small, since client and server share the same two cores.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

export interface PostedWatcher {
  /** Resolves with the time (performance.now) the last socket received `posted` for `postId`; rejects after `timeoutMs`. */
  waitForAll(postId: string, timeoutMs: number): Promise<number>;
  /** How many sockets have received `posted` for `postId` so far. */
  received(postId: string): number;
}

/** Opens one socket and resolves once the server's `hello` arrived. */
export function openSocket(wsUrl: string, token: string, timeoutMs = 10_000): Promise<WebSocket> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(wsUrl, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      fail(new Error('no hello within timeout'));
    }, timeoutMs);
    const onMessage = (data: Buffer) => {
      if (data.toString().includes('"event":"hello"')) {
        clearTimeout(timer);
        ws.off('message', onMessage);
        ok(ws);
      }
    };
    ws.on('message', onMessage);
    ws.once('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
  });
}

/**
 * Counts, per post id, the sockets that received its `posted` event and notes when the last one
 * did. Only frames that look like `posted` events are parsed.
 */
export function watchPosted(sockets: readonly WebSocket[]): PostedWatcher {
  // Per post: how many sockets have it and when the latest one got it (the event can beat the
  // POST's own response, so the arrival time is kept rather than read when someone asks).
  const seen = new Map<string, { n: number; lastAt: number }>();
  const waiters = new Map<string, (lastAt: number) => void>();
  const onFrame = (data: Buffer) => {
    const text = data.toString();
    if (!text.includes('"event":"posted"')) return;
    const msg = JSON.parse(text) as { data: { post: string } };
    const id = (JSON.parse(msg.data.post) as { id: string }).id;
    const entry = seen.get(id) ?? { n: 0, lastAt: 0 };
    entry.n++;
    entry.lastAt = performance.now();
    seen.set(id, entry);
    const done = waiters.get(id);
    if (done && entry.n >= sockets.length) {
      waiters.delete(id);
      done(entry.lastAt);
    }
  };
  for (const ws of sockets) ws.on('message', onFrame);
  return {
    received: (postId) => seen.get(postId)?.n ?? 0,
    waitForAll(postId, timeoutMs) {
      return new Promise((ok, fail) => {
        const entry = seen.get(postId);
        if (entry && entry.n >= sockets.length) return ok(entry.lastAt);
        const timer = setTimeout(() => {
          waiters.delete(postId);
          fail(new Error(`only ${seen.get(postId)?.n ?? 0}/${sockets.length} sockets received post ${postId} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.set(postId, (lastAt) => {
          clearTimeout(timer);
          ok(lastAt);
        });
      });
    },
  };
}

/** Closes every socket and waits (briefly) for the close handshakes. */
export async function closeAll(sockets: readonly WebSocket[], timeoutMs = 5000): Promise<void> {
  await Promise.race([
    Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((ok) => {
            if (ws.readyState === WebSocket.CLOSED) return ok();
            ws.once('close', () => ok());
            ws.close();
          }),
      ),
    ),
    new Promise((r) => setTimeout(r, timeoutMs)),
  ]);
  for (const ws of sockets) if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
}
