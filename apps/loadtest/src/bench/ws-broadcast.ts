/**
 * The physical reference for WebSocket fan-out on this machine: a bare `ws` server broadcasting a
 * posted-event-sized JSON frame to N local sockets, with no chat logic at all. The sockets live in
 * a worker thread (as the load generator's users do), the server in this one.
 *
 * - sequential: one broadcast at a time, the next when every socket has the previous one:
 *   latency of one broadcast to all N sockets (p50/p99);
 * - pipelined: `pipelined` broadcasts sent back to back (with ws's own buffering): deliveries/s.
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { WebSocket, WebSocketServer } from 'ws';

export interface BroadcastResult {
  sockets: number;
  frameBytes: number;
  sequential: { broadcasts: number; p50Ms: number; p99Ms: number; deliveriesPerSec: number };
  pipelined: { broadcasts: number; seconds: number; deliveriesPerSec: number };
}

/** A frame the size of a Mattermost `posted` event for a 35-word post. */
function frame(seq: number): string {
  const post = JSON.stringify({
    id: 'x'.repeat(26),
    create_at: Date.now(),
    update_at: Date.now(),
    user_id: 'u'.repeat(26),
    channel_id: 'c'.repeat(26),
    root_id: '',
    message: 'word '.repeat(35),
    type: '',
    props: {},
    metadata: {},
  });
  return JSON.stringify({
    event: 'posted',
    data: {
      channel_display_name: 'Town Square',
      channel_name: 'town-square',
      channel_type: 'O',
      post,
      sender_name: '@someone',
      team_id: 't'.repeat(26),
      set_online: true,
    },
    broadcast: { omit_users: null, user_id: '', channel_id: 'c'.repeat(26), team_id: '' },
    seq,
  });
}

const CLIENT_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { WebSocket } = require(workerData.wsPath);
let received = 0;
let open = 0;
const sockets = [];
for (let i = 0; i < workerData.sockets; i++) {
  const ws = new WebSocket(workerData.url, { perMessageDeflate: false });
  ws.on('open', () => { if (++open === workerData.sockets) parentPort.postMessage({ type: 'open' }); });
  ws.on('message', () => { received++; if (received % workerData.reportEvery === 0) parentPort.postMessage({ type: 'received', received }); });
  sockets.push(ws);
}
parentPort.on('message', (m) => { if (m === 'close') { for (const ws of sockets) ws.terminate(); parentPort.postMessage({ type: 'closed' }); } });
`;

export async function wsBroadcast(opts: { sockets: number; sequential?: number; pipelined?: number }): Promise<BroadcastResult> {
  const sockets = opts.sockets;
  const sequentialRounds = opts.sequential ?? 50;
  const pipelinedRounds = opts.pipelined ?? 200;
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, backlog: 4096 });
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const clients = new Set<WebSocket>();
  server.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
  });
  const worker = new Worker(CLIENT_SOURCE, {
    eval: true,
    workerData: { url: `ws://127.0.0.1:${port}`, sockets, reportEvery: sockets, wsPath: createRequire(import.meta.url).resolve('ws') },
  });
  let received = 0;
  const waiters: Array<{ target: number; resolve: () => void }> = [];
  worker.on('message', (m: { type: string; received?: number }) => {
    if (m.type === 'received') {
      received = m.received!;
      for (const w of [...waiters])
        if (received >= w.target) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
    }
  });
  const until = (target: number, timeoutMs = 60_000) =>
    new Promise<void>((ok, fail) => {
      if (received >= target) return ok();
      const timer = setTimeout(() => fail(new Error(`only ${received}/${target} frames received`)), timeoutMs);
      waiters.push({ target, resolve: () => (clearTimeout(timer), ok()) });
    });
  try {
    await Promise.race([once(worker, 'message'), new Promise((_, fail) => setTimeout(() => fail(new Error('sockets did not open')), 60_000))]);
    while (clients.size < sockets) await new Promise((r) => setTimeout(r, 10));
    const text = frame(0);
    const broadcast = () => {
      for (const ws of clients) ws.send(text);
    };
    // Sequential.
    const latencies: number[] = [];
    const seqStart = performance.now();
    for (let i = 0; i < sequentialRounds; i++) {
      const t0 = performance.now();
      const target = received + sockets;
      broadcast();
      await until(target);
      latencies.push(performance.now() - t0);
    }
    const seqSec = (performance.now() - seqStart) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
    // Pipelined.
    const pipeStart = performance.now();
    const target = received + pipelinedRounds * sockets;
    for (let i = 0; i < pipelinedRounds; i++) {
      broadcast();
      // Let the event loop flush now and then, as a server between requests would.
      if (i % 10 === 9) await new Promise((r) => setImmediate(r));
    }
    await until(target, 120_000);
    const pipeSec = (performance.now() - pipeStart) / 1000;
    return {
      sockets,
      frameBytes: Buffer.byteLength(text),
      sequential: {
        broadcasts: sequentialRounds,
        p50Ms: round(pct(50)),
        p99Ms: round(pct(99)),
        deliveriesPerSec: Math.round((sequentialRounds * sockets) / seqSec),
      },
      pipelined: { broadcasts: pipelinedRounds, seconds: round(pipeSec), deliveriesPerSec: Math.round((pipelinedRounds * sockets) / pipeSec) },
    };
  } finally {
    worker.postMessage('close');
    await Promise.race([once(worker, 'message'), new Promise((r) => setTimeout(r, 5000))]);
    await worker.terminate();
    for (const ws of clients) ws.terminate();
    server.close();
  }
}

const round = (v: number) => Math.round(v * 100) / 100;
