/**
 * One GrpcTransport (the cluster's node-to-node streams) in a process of its own, for the
 * cluster-layer measurements of `npm run bench:cluster`: bench/cluster.ts forks two of these, a
 * sender and a receiver, so each has its own event loop as two nodes would. Run compiled
 * (dist-bench/bench/cluster-transport-node.js); `#cluster` then resolves to the built library.
 *
 * Driven over the fork IPC channel: every command gets one reply with the same `id`.
 */
import { performance } from 'node:perf_hooks';
import { GrpcTransport, type NodeInfo } from '#cluster';
import { sleep } from '#testing';
import { summarize, type Summary } from './stats.js';

export const BENCH_MESSAGE = 'bench_ws_event';

export type TransportCommand =
  | { cmd: 'start'; self: NodeInfo; host: string; secret: string; clusterName: string }
  | { cmd: 'peer'; peer: NodeInfo }
  | { cmd: 'connected' }
  /** Receiver: forget earlier counts and expect messages of `phase`, numbered from 0. */
  | { cmd: 'expect'; phase: string }
  /**
   * Sender: `ratePerSec` messages a second for `durationMs`, on a fixed schedule (open loop).
   * With `busyMsPerTurn`, every turn of the event loop also burns that much CPU meanwhile, as a
   * node busy serving requests does.
   */
  | { cmd: 'rate'; phase: string; ratePerSec: number; durationMs: number; busyMsPerTurn?: number }
  /** Sender: as many messages as the link takes for `durationMs`, never more than `window` unacknowledged. */
  | { cmd: 'flood'; phase: string; durationMs: number; window: number }
  /** Receiver: waits (up to `timeoutMs`) for `expected` messages of the current phase, then reports. */
  | { cmd: 'collect'; expected: number; timeoutMs: number }
  | { cmd: 'stop' };

export interface SendReport {
  sent: number;
  /** From the first send to the last, ms. */
  elapsedMs: number;
  /** Open loop: the latest a message left after its scheduled time, ms. */
  maxSendLagMs: number;
  /** Flood: how often the sender waited because `window` messages were unacknowledged. */
  windowWaits: number;
  undeliverable: number;
  /** gRPC messages the sender wrote in the phase (messages travel batched into them). */
  grpcMessages: number;
  cpuSec: number;
  /** With `busyMsPerTurn`: event-loop turns per second while sending. */
  loopTurnsPerSec?: number;
}

export interface ReceiveReport {
  received: number;
  /** Messages whose number was not the next one expected (reordered, duplicated or after a gap). */
  outOfOrder: number;
  /** Numbers never received below the highest one received. */
  missing: number;
  /** One-way latency (receipt − the send time carried in the message), ms. */
  latency: Summary;
  firstAt: number;
  lastAt: number;
  cpuSec: number;
}

/** Wall-clock ms with sub-ms resolution; comparable between processes on one machine. */
const now = () => performance.timeOrigin + performance.now();
const cpuSec = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return Math.round((u.user + u.system) / 1e4) / 100;
};

let transport: GrpcTransport | undefined;
let self: NodeInfo | undefined;
let peerId = '';

// ---- receiving ---------------------------------------------------------------------------------

interface Incoming {
  phase: string;
  next: number;
  received: number;
  outOfOrder: number;
  highest: number;
  latencies: number[];
  firstAt: number;
  lastAt: number;
  cpu: NodeJS.CpuUsage;
  waiter?: () => void;
  expected: number;
}

let incoming: Incoming = newIncoming('');

function newIncoming(phase: string): Incoming {
  return { phase, next: 0, received: 0, outOfOrder: 0, highest: -1, latencies: [], firstAt: 0, lastAt: 0, cpu: process.cpuUsage(), expected: Infinity };
}

interface BenchPayload {
  id: { origin: string; seq: number };
  event: unknown;
  bench: { phase: string; n: number; sentAt: number };
}

function onBenchMessage(payload: BenchPayload): void {
  const at = now();
  const { phase, n, sentAt } = payload.bench;
  if (phase !== incoming.phase) return;
  if (incoming.received === 0) incoming.firstAt = at;
  incoming.lastAt = at;
  incoming.received++;
  if (n !== incoming.next) incoming.outOfOrder++;
  incoming.next = n + 1;
  incoming.highest = Math.max(incoming.highest, n);
  incoming.latencies.push(at - sentAt);
  if (incoming.received >= incoming.expected) incoming.waiter?.();
}

async function collect(expected: number, timeoutMs: number): Promise<ReceiveReport> {
  const state = incoming;
  state.expected = expected;
  if (state.received < expected) {
    await Promise.race([new Promise<void>((ok) => (state.waiter = ok)), sleep(timeoutMs)]);
  }
  return {
    received: state.received,
    outOfOrder: state.outOfOrder,
    missing: Math.max(0, state.highest + 1 - state.received),
    latency: summarize(state.latencies),
    firstAt: state.firstAt,
    lastAt: state.lastAt,
    cpuSec: cpuSec(state.cpu),
  };
}

// ---- sending -----------------------------------------------------------------------------------

/**
 * A `ws_event` as the server sends it between nodes (a stamped `posted` event with its post as a
 * JSON string), plus the numbers this benchmark needs: about 650 bytes of JSON.
 */
function payload(phase: string, n: number): BenchPayload {
  const channelId = 'c8f1qw3z7jdyxn4pqbu5kt6hro';
  const userId = 'u3k9d1m6wq8ztbf2ha5ejxcy7n';
  const post = {
    id: 'p' + String(n).padStart(25, '0'),
    create_at: 1732600000000 + n,
    user_id: userId,
    channel_id: channelId,
    root_id: '',
    message: 'see you at the standup',
    props: {},
  };
  return {
    id: { origin: self!.id, seq: n + 1 },
    event: {
      event: 'posted',
      data: {
        channel_display_name: 'Town Square',
        channel_name: 'town-square',
        channel_type: 'O',
        post: JSON.stringify(post),
        sender_name: '@bench',
        team_id: 't5rn2e8uw1gkzoa4yq6mdv9c3x',
      },
      broadcast: { omit_users: null, user_id: '', channel_id: channelId, team_id: '' },
      seq: 0,
    },
    bench: { phase, n, sentAt: now() },
  };
}

function send(phase: string, n: number): void {
  transport!.send(peerId, { type: BENCH_MESSAGE, payload: payload(phase, n) });
}

/** gRPC messages written to the peer so far. */
const grpcMessages = () => transport!.stats().peers.find((p) => p.nodeId === peerId)?.messages ?? 0;

async function sendAtRate(phase: string, ratePerSec: number, durationMs: number, busyMsPerTurn = 0): Promise<SendReport> {
  const cpu = process.cpuUsage();
  const messages0 = grpcMessages();
  let turns = 0;
  let busy = busyMsPerTurn > 0;
  const spin = () => {
    if (!busy) return;
    const until = performance.now() + busyMsPerTurn;
    while (performance.now() < until);
    turns++;
    setImmediate(spin);
  };
  if (busy) setImmediate(spin);
  const total = Math.round((ratePerSec * durationMs) / 1000);
  const interval = 1000 / ratePerSec;
  const start = performance.now();
  let n = 0;
  let maxSendLagMs = 0;
  while (n < total) {
    // Everything due by now goes out; timers fire at best every millisecond.
    const t = performance.now();
    while (n < total && start + n * interval <= t) {
      maxSendLagMs = Math.max(maxSendLagMs, t - (start + n * interval));
      send(phase, n++);
    }
    if (n < total) await sleep(Math.max(0, start + n * interval - performance.now()));
  }
  busy = false;
  const elapsedMs = performance.now() - start;
  return {
    sent: n,
    elapsedMs,
    maxSendLagMs,
    windowWaits: 0,
    undeliverable: transport!.stats().undeliverable,
    grpcMessages: grpcMessages() - messages0,
    cpuSec: cpuSec(cpu),
    ...(busyMsPerTurn > 0 ? { loopTurnsPerSec: Math.round((turns * 1000) / elapsedMs) } : {}),
  };
}

async function flood(phase: string, durationMs: number, window: number): Promise<SendReport> {
  const cpu = process.cpuUsage();
  const messages0 = grpcMessages();
  const start = performance.now();
  const end = start + durationMs;
  let n = 0;
  let windowWaits = 0;
  while (performance.now() < end) {
    const buffered = transport!.stats().peers.find((p) => p.nodeId === peerId)?.buffered ?? 0;
    if (buffered >= window) {
      // Backpressure: wait for acknowledgements rather than spin on the CPU the receiver needs.
      windowWaits++;
      await sleep(1);
      continue;
    }
    for (let k = Math.min(256, window - buffered); k > 0; k--) send(phase, n++);
    // Let the stream write and the acknowledgements come in.
    await new Promise((r) => setImmediate(r));
  }
  return {
    sent: n,
    elapsedMs: performance.now() - start,
    maxSendLagMs: 0,
    windowWaits,
    undeliverable: transport!.stats().undeliverable,
    grpcMessages: grpcMessages() - messages0,
    cpuSec: cpuSec(cpu),
  };
}

// ---- control -----------------------------------------------------------------------------------

async function handle(command: TransportCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'start': {
      self = command.self;
      transport = new GrpcTransport({
        self: command.self,
        bindAddress: command.host,
        port: 0,
        secrets: [command.secret],
        clusterName: command.clusterName,
        logger: { log: () => {}, warn: (m) => process.stderr.write(`[transport warn] ${m}\n`), error: (m) => process.stderr.write(`[transport error] ${m}\n`) },
      });
      transport.onMessage(BENCH_MESSAGE, onBenchMessage);
      await transport.start();
      return { port: transport.boundPort, frameBytes: Buffer.byteLength(JSON.stringify(payload('frame-size', 0))) };
    }
    case 'peer':
      peerId = command.peer.id;
      transport!.addPeer(command.peer);
      return {};
    case 'connected':
      return { connected: transport!.connectedPeers().includes(peerId) };
    case 'expect':
      incoming = newIncoming(command.phase);
      return {};
    case 'rate':
      return sendAtRate(command.phase, command.ratePerSec, command.durationMs, command.busyMsPerTurn);
    case 'flood':
      return flood(command.phase, command.durationMs, command.window);
    case 'collect':
      return collect(command.expected, command.timeoutMs);
    case 'stop':
      await transport?.stop();
      return {};
  }
}

process.on('message', (message: { id: number; command: TransportCommand }) => {
  handle(message.command).then(
    (result) => process.send!({ id: message.id, result }),
    (err) => process.send!({ id: message.id, error: String(err?.stack ?? err) }),
  );
});
// The bench process going away (however it ends) takes this one with it.
process.on('disconnect', () => process.exit(0));
