/**
 * Clients of a server under test that speaks https/wss with a certificate from a test CA
 * (certificates.ts): fetch, Mattermost's Client4 and its WebSocketClient, each trusting that CA
 * and nothing else (not the system's roots, not NODE_EXTRA_CA_CERTS), as an operator's clients
 * would trust their own PKI.
 */
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';

/** undici's Dispatcher, as far as a fetch init needs to know it. */
type Dispatcher = { close(): Promise<void> };

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
const dispatchers = new Map<string, Dispatcher>();

/**
 * An undici Agent whose connections trust only `caFile`. Node's fetch takes one per request
 * (`dispatcher`), but Node 20 does not export undici's Agent class; its global dispatcher is an
 * Agent, installed synchronously by the first fetch call (the symbol is undici's documented
 * cross-copy key), so the class is taken from there.
 */
export function caDispatcher(caFile: string): Dispatcher {
  let dispatcher = dispatchers.get(caFile);
  if (!dispatcher) {
    const g = globalThis as unknown as Record<symbol, { constructor: new (opts: object) => Dispatcher } | undefined>;
    if (!g[GLOBAL_DISPATCHER]) void fetch('data:,').catch(() => undefined);
    const Agent = g[GLOBAL_DISPATCHER]?.constructor;
    if (!Agent) throw new Error("cannot find undici's Agent behind Node's fetch");
    dispatcher = new Agent({ connect: { ca: readFileSync(caFile) } });
    dispatchers.set(caFile, dispatcher);
  }
  return dispatcher;
}

/** fetch that trusts only `caFile` (plain http URLs work as usual). */
export function fetchTrusting(caFile: string): typeof fetch {
  const dispatcher = caDispatcher(caFile);
  return (input, init) => fetch(input, { ...init, dispatcher } as RequestInit);
}

/** A WebSocketClient `newWebSocketFn` whose wss connections trust only `caFile`. */
export function webSocketTrusting(caFile: string): (url: string) => WebSocket {
  const ca = readFileSync(caFile);
  return (url) => new WebSocket(url, { ca });
}
