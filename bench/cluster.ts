/**
 * `npm run bench:cluster`: cluster figures on this machine, everything over loopback.
 *
 * 1. The cluster layer alone: two processes with a GrpcTransport each (bench/cluster-transport-node.ts),
 *    ws_event-sized messages at 100/s and 1,000/s (one-way latency), then as fast as the link takes
 *    them with bounded unacknowledged messages (messages/s, in order, none lost).
 * 2. Three real nodes (libs/testing's startCluster): typing notices published on node A (REST
 *    at 100/s and 1,000/s, the `user_typing` socket action at 1,000/s over TYPIST_SOCKETS sockets,
 *    REST closed loop at maximum), timed until they arrive on raw sockets on A, B and C. The nodes
 *    run with the typing throttle off (TimeBetweenUserTypingUpdatesMilliseconds 0): the notices are
 *    the bench's probes, not typing.
 * 3. Failure detection: SIGKILL a node, poll the others' GET /cluster/status every 50 ms (and
 *    watch nginx stop trying it); 4. join: start it again and time until the others list it.
 *    Three times, a different node each time.
 *
 * Prints a summary, writes bench-results/cluster.json and the "## bench:cluster" section of
 * docs/benchmarks.md. BENCH_PHASE_SEC and BENCH_REPEATS shrink a run while developing the benchmark
 * (such runs write bench-results/cluster.dev.json only).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NodeInfo } from '#cluster';
import type { ClusterInfo } from '@mattermost/types/admin';
import type { WebSocket } from 'ws';
import { ADMIN_DSN, HTTP_PORT, hostOf, sleep, startCluster, type NewUser, type TestCluster } from '#testing';
import {
  CLUSTER_SECTION_HEADING,
  disturbed,
  otherCpu,
  renderMarkdown,
  renderTable,
  type ClusterCpu,
  type ClusterResults,
  type DetectionRun,
  type EventRun,
  type JoinRun,
  type NodeDelivery,
  type TransportRun,
} from './cluster-report.js';
import type { ReceiveReport, SendReport, TransportCommand } from './cluster-transport-node.js';
import { closedLoop } from './load.js';
import { backendPids, cpuSeconds, machineBusySeconds, machineInfo } from './machine.js';
import type { Target } from './report.js';
import { publishResults, runBench } from './run.js';
import { closeAll, openSocket } from './sockets.js';
import { rate, round, summarize, type Summary } from './stats.js';

const COMMAND = 'npm run bench:cluster';

const PHASE_MS = Number(process.env.BENCH_PHASE_SEC ?? 10) * 1000;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const RATES = [100, 1000];
const TYPISTS = 8;
const CONNECTIONS_PER_TYPIST = 4;
const MAX_CONCURRENCY = TYPISTS * CONNECTIONS_PER_TYPIST;
/** Sockets the `user_typing` run spreads over: 50 actions/s each at 1,000/s, half a socket's bound (100/s). */
const TYPIST_SOCKETS = 20;
/**
 * Unacknowledged messages the transport flood keeps in flight at most: four of the receiver's
 * acknowledgement batches (128 frames). Trials with 256–8,192 gave the same throughput within
 * the noise; larger windows only add queueing latency.
 */
const FLOOD_WINDOW = 512;
/** CPU burnt per event-loop turn of the sender in the "busy node" transport run. */
const BUSY_MS_PER_TURN = 1.5;
const POLL_MS = 50;
const NGINX_PROBE_GAP_MS = 10;
const DRAIN_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const TARGETS = { crossNodeP99Ms: 25, detectionMs: 3000, joinMs: 1000 };

function log(msg: string) {
  process.stdout.write(`[bench:cluster ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Wall-clock ms with sub-ms resolution (comparable with the transport processes' clocks). */
const nowAbs = () => performance.timeOrigin + performance.now();

/** Everything that must be released however the run ends. */
const open = {
  cluster: undefined as TestCluster | undefined,
  sockets: [] as WebSocket[],
  agents: [] as Agent[],
  transportNodes: [] as TransportNode[],
};

async function cleanup() {
  const { cluster, sockets, agents, transportNodes } = open;
  open.cluster = undefined;
  open.sockets = [];
  open.agents = [];
  open.transportNodes = [];
  await Promise.allSettled(transportNodes.map((t) => t.kill()));
  await closeAll(sockets).catch(() => undefined);
  for (const a of agents) a.destroy();
  await cluster?.stop().catch(() => undefined);
}

// =================================================================================================
// 1. The cluster layer alone: two GrpcTransport processes

/** A forked bench/cluster-transport-node.js, driven by request/reply over IPC. */
class TransportNode {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { ok: (v: any) => void; fail: (e: Error) => void }>();
  private stderr = '';

  constructor(readonly name: string) {
    this.child = fork(join(import.meta.dirname, 'cluster-transport-node.js'), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr!.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    this.child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.fail(new Error(`${this.name}: ${m.error}`));
      else p.ok(m.result);
    });
    this.child.once('exit', (code, signal) => {
      for (const p of this.pending.values()) p.fail(new Error(`${this.name} exited (${code ?? signal}): ${this.stderr}`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  request<T>(command: TransportCommand, timeoutMs = 120_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((ok, fail) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        fail(new Error(`${this.name}: no answer to ${command.cmd} within ${timeoutMs} ms; stderr: ${this.stderr}`));
      }, timeoutMs);
      this.pending.set(id, {
        ok: (v) => {
          clearTimeout(timer);
          ok(v);
        },
        fail: (e) => {
          clearTimeout(timer);
          fail(e);
        },
      });
      this.child.send({ id, command });
    });
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    await this.request({ cmd: 'stop' }, 5000).catch(() => undefined);
    this.child.disconnect();
    await Promise.race([exited, sleep(2000)]);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

function benchNodeInfo(id: string, hostname: string, streamingPort: number): NodeInfo {
  return { id, clusterName: 'bench', hostname, gossipPort: 0, streamingPort, version: 'bench', schemaVersion: 'bench', configHash: '', startedAt: Date.now() };
}

async function transportBench(): Promise<ClusterResults['transport']> {
  const sender = new TransportNode('sender');
  const receiver = new TransportNode('receiver');
  open.transportNodes.push(sender, receiver);
  const secret = randomBytes(24).toString('base64url');
  // The lower id dials: the sender opens the stream, as node A would to a higher id.
  const a = benchNodeInfo('a'.repeat(26), '127.0.0.1', 0);
  const b = benchNodeInfo('b'.repeat(26), '127.0.0.2', 0);
  const sa = await sender.request<{ port: number; frameBytes: number }>({ cmd: 'start', self: a, host: a.hostname, secret, clusterName: 'bench' });
  const sb = await receiver.request<{ port: number }>({ cmd: 'start', self: b, host: b.hostname, secret, clusterName: 'bench' });
  await sender.request({ cmd: 'peer', peer: { ...b, streamingPort: sb.port } });
  await receiver.request({ cmd: 'peer', peer: { ...a, streamingPort: sa.port } });
  const deadline = Date.now() + 10_000;
  while (!(await sender.request<{ connected: boolean }>({ cmd: 'connected' })).connected) {
    if (Date.now() > deadline) throw new Error('the two transports did not connect within 10 s');
    await sleep(50);
  }
  log(`transports connected (${sa.frameBytes}-byte messages)`);

  const runs: TransportRun[] = [];
  const measure = async (label: string, ratePerSec: number | null, busyMsPerTurn?: number) => {
    await receiver.request({ cmd: 'expect', phase: label });
    const m0 = machineBusySeconds();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const send =
      ratePerSec === null
        ? await sender.request<SendReport>({ cmd: 'flood', phase: label, durationMs: PHASE_MS, window: FLOOD_WINDOW })
        : await sender.request<SendReport>({ cmd: 'rate', phase: label, ratePerSec, durationMs: PHASE_MS, busyMsPerTurn });
    const receive = await receiver.request<ReceiveReport>({ cmd: 'collect', expected: send.sent, timeoutMs: 60_000 });
    const c1 = process.cpuUsage(c0);
    const wallSec = round((performance.now() - t0) / 1000, 2);
    const otherCpuSec = round(Math.max(0, machineBusySeconds() - m0 - send.cpuSec - receive.cpuSec - (c1.user + c1.system) / 1e6), 2);
    const lost = send.sent - receive.received;
    const run: TransportRun = {
      label,
      ratePerSec,
      ...(ratePerSec === null ? { window: FLOOD_WINDOW } : {}),
      ...(busyMsPerTurn ? { busyMsPerTurn } : {}),
      send,
      receive,
      wallSec,
      otherCpuSec,
      receivedPerSec: rate(receive.received, receive.lastAt - receive.firstAt),
      lost,
      inOrder: lost === 0 && receive.outOfOrder === 0 && receive.missing === 0 && send.undeliverable === 0,
    };
    log(
      `transport ${label}: ${send.sent} sent in ${send.grpcMessages} gRPC messages, ${receive.received} received (${round(run.receivedPerSec)}/s), one-way p50 ${round(receive.latency.p50, 2)} ms, p99 ${round(receive.latency.p99, 2)} ms, ${run.inOrder ? 'in order, none lost' : 'NOT in order / lost'}`,
    );
    return run;
  };

  await measure('warm-up', 1000); // JIT and stream windows; not reported
  for (const r of RATES) runs.push(await measure(`rate-${r}`, r));
  runs.push(await measure('max', null));
  // The same 1,000/s from a sender whose event loop is busy, as node A's is when its REST layer is
  // saturated: shows what the streams deliver per turn of the loop.
  runs.push(await measure('rate-1000-busy', 1000, BUSY_MS_PER_TURN));

  await Promise.all([sender.kill(), receiver.kill()]);
  open.transportNodes = [];
  return { frameBytes: sa.frameBytes, runs };
}

// =================================================================================================
// 2. Events through three real nodes

interface Typist {
  user: NewUser;
  token: string;
  agent: Agent;
}

/** `parent_id` of a bench typing notice: run tag, event number, send time (ms, wall clock). */
const PARENT_RE = /"parent_id":"b([a-z0-9]+)-(\d+)-([\d.]+)"/;

/**
 * Arrivals of the bench's typing events on the three receiver sockets (A, B, C), per run: which
 * events came, when, and the send time each event carries.
 */
class Arrivals {
  tag = '';
  arrivals: number[][] = [[], [], []];
  sentAt: number[] = [];
  duplicates = [0, 0, 0];

  constructor(sockets: WebSocket[]) {
    sockets.forEach((ws, node) =>
      ws.on('message', (data: Buffer) => {
        const text = data.toString();
        if (!text.includes('"event":"typing"')) return;
        const m = PARENT_RE.exec(text);
        if (!m || m[1] !== this.tag) return;
        const i = Number(m[2]);
        if (this.arrivals[node][i] !== undefined) {
          this.duplicates[node]++;
          return;
        }
        this.arrivals[node][i] = nowAbs();
        this.sentAt[i] = Number(m[3]);
      }),
    );
  }

  reset(tag: string) {
    this.tag = tag;
    this.arrivals = [[], [], []];
    this.sentAt = [];
    this.duplicates = [0, 0, 0];
  }

  count(node: number): number {
    return this.arrivals[node].reduce((n, v) => (v === undefined ? n : n + 1), 0);
  }

  /** Waits until every node has `expected` events (or `timeoutMs`). */
  async drain(expected: number, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while ([0, 1, 2].some((n) => this.count(n) < expected) && Date.now() < deadline) await sleep(50);
  }
}

/** One typing notice over REST on node A, its parent_id carrying the send time. */
function typingOverRest(nodeUrl: URL, typist: Typist, channelId: string, tag: string, i: number): Promise<void> {
  const body = JSON.stringify({ channel_id: channelId, parent_id: `b${tag}-${i}-${nowAbs().toFixed(3)}` });
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: nodeUrl.hostname,
        port: nodeUrl.port,
        path: `/api/v4/users/${typist.user.user.id}/typing`,
        method: 'POST',
        agent: typist.agent,
        headers: {
          Authorization: `Bearer ${typist.token}`,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'X-Requested-With': 'XMLHttpRequest',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => (res.statusCode === 200 ? ok() : fail(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`))));
        res.on('error', fail);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('request timed out')));
    req.on('error', fail);
    req.end(body);
  });
}

/** The `user_typing` action on one socket on node A; resolves with its seq_reply. */
class SocketTypist {
  private seq = 0;
  private readonly waiting = new Map<number, { ok: () => void; fail: (e: Error) => void }>();

  constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (!text.includes('"seq_reply"')) return;
      const msg = JSON.parse(text) as { status: string; seq_reply: number; error?: { id: string } };
      const w = this.waiting.get(msg.seq_reply);
      if (!w) return;
      this.waiting.delete(msg.seq_reply);
      if (msg.status === 'OK') w.ok();
      else w.fail(new Error(`FAIL ${msg.error?.id}`));
    });
  }

  typing(channelId: string, tag: string, i: number): Promise<void> {
    const seq = ++this.seq;
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        fail(new Error('no seq_reply in time'));
      }, REQUEST_TIMEOUT_MS);
      this.waiting.set(seq, {
        ok: () => (clearTimeout(timer), ok()),
        fail: (e) => (clearTimeout(timer), fail(e)),
      });
      this.ws.send(JSON.stringify({ action: 'user_typing', seq, data: { channel_id: channelId, parent_id: `b${tag}-${i}-${nowAbs().toFixed(3)}` } }));
    });
  }
}

interface LoopResult {
  /** Answer latency from the scheduled send time, per successful request. */
  latencies: number[];
  errors: number;
  errorSamples: string[];
  ok: number;
  issued: number;
  /** Scheduled send time of event i (wall clock). */
  scheduledAt: number[];
  maxSendLagMs: number;
  elapsedMs: number;
}

/**
 * Open loop on a fixed schedule: op(i) for every event due, whether or not earlier ones answered.
 * Timers fire about once a millisecond, so each tick sends everything due by then.
 */
async function openLoopEvents(ratePerSec: number, durationMs: number, op: (i: number) => Promise<void>): Promise<LoopResult> {
  const total = Math.round((ratePerSec * durationMs) / 1000);
  const interval = 1000 / ratePerSec;
  const r: LoopResult = { latencies: [], errors: 0, errorSamples: [], ok: 0, issued: total, scheduledAt: [], maxSendLagMs: 0, elapsedMs: 0 };
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  const startAbs = nowAbs();
  let lastAnswer = start;
  let i = 0;
  while (i < total) {
    const t = performance.now();
    while (i < total && start + i * interval <= t) {
      const scheduled = start + i * interval;
      r.scheduledAt[i] = startAbs + i * interval;
      r.maxSendLagMs = Math.max(r.maxSendLagMs, t - scheduled);
      inFlight.push(
        op(i).then(
          () => {
            lastAnswer = performance.now();
            r.ok++;
            r.latencies.push(lastAnswer - scheduled);
          },
          (err) => {
            r.errors++;
            if (r.errorSamples.length < 5) r.errorSamples.push(String(err?.message ?? err));
          },
        ),
      );
      i++;
    }
    if (i < total) await sleep(Math.max(0, start + i * interval - performance.now()));
  }
  await Promise.all(inFlight);
  r.elapsedMs = lastAnswer - start;
  return r;
}

/** CPU seconds each node, the cluster's PostgreSQL backends, this process and the machine used during `fn`. */
async function withCpu<T>(cluster: TestCluster, fn: () => Promise<T>): Promise<{ result: T; cpu: ClusterCpu }> {
  const pids = cluster.nodes.map((n) => n.pid!);
  const pgBefore = new Map<number, number>();
  for (const pid of await backendPids(ADMIN_DSN, cluster.database)) pgBefore.set(pid, safeCpu(pid));
  const nodes0 = pids.map(safeCpu);
  const m0 = machineBusySeconds();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const c1 = process.cpuUsage(c0);
  const wallSec = (performance.now() - t0) / 1000;
  const machineSec = machineBusySeconds() - m0;
  const nodesSec = pids.map((pid, i) => round(safeCpu(pid) - nodes0[i], 2));
  let postgresSec = 0;
  for (const pid of await backendPids(ADMIN_DSN, cluster.database)) postgresSec += safeCpu(pid) - (pgBefore.get(pid) ?? 0);
  return {
    result,
    cpu: {
      wallSec: round(wallSec, 2),
      nodesSec,
      postgresSec: round(postgresSec, 2),
      clientSec: round((c1.user + c1.system) / 1e6, 2),
      machineSec: round(machineSec, 2),
    },
  };
}

function safeCpu(pid: number): number {
  try {
    return cpuSeconds(pid);
  } catch {
    return 0;
  }
}

const NODE_NAMES = ['A (origin, local socket)', 'B', 'C'];

function eventRun(
  base: Pick<EventRun, 'label' | 'source' | 'ratePerSec' | 'concurrency' | 'durationSec'>,
  loop: LoopResult,
  arrivals: Arrivals,
  cpu: ClusterCpu,
): EventRun {
  const deliveries: NodeDelivery[] = [];
  const cross: number[] = [];
  const crossScheduled: number[] = [];
  const hop: number[] = [];
  for (let node = 0; node < 3; node++) {
    const fromSend: number[] = [];
    const fromSchedule: number[] = [];
    arrivals.arrivals[node].forEach((at, i) => {
      if (at === undefined) return;
      fromSend.push(at - arrivals.sentAt[i]);
      if (loop.scheduledAt[i] !== undefined) fromSchedule.push(at - loop.scheduledAt[i]);
      if (node > 0) {
        cross.push(at - arrivals.sentAt[i]);
        if (loop.scheduledAt[i] !== undefined) crossScheduled.push(at - loop.scheduledAt[i]);
        const local = arrivals.arrivals[0][i];
        if (local !== undefined) hop.push(at - local);
      }
    });
    deliveries.push({
      node: NODE_NAMES[node],
      received: fromSend.length,
      lost: Math.max(0, loop.ok - fromSend.length),
      duplicates: arrivals.duplicates[node],
      fromSend: summarize(fromSend),
      fromSchedule: summarize(fromSchedule),
    });
  }
  const answeredPerSec = rate(loop.ok, loop.elapsedMs);
  const response = summarize(loop.latencies);
  return {
    ...base,
    issued: loop.issued,
    ok: loop.ok,
    errors: loop.errors,
    errorSamples: loop.errorSamples,
    answeredPerSec,
    maxSendLagMs: round(loop.maxSendLagMs, 1),
    response,
    deliveries,
    crossNodeFromSend: summarize(cross),
    crossNodeFromSchedule: summarize(crossScheduled),
    hop: summarize(hop),
    // Answered at ≥ 95 % of the offered rate, and the answers kept up (no queue growing for seconds).
    sustained: base.ratePerSec === null || (loop.errors === 0 && answeredPerSec >= 0.95 * base.ratePerSec && response.p99 < 1000),
    cpu,
  };
}

async function eventsBench(cluster: TestCluster): Promise<{ admin: NewUser; events: ClusterResults['events'] }> {
  const admin = await cluster.newUser({ via: 0 });
  const team = await admin.client.createTeam({ name: 'bench', display_name: 'Bench', type: 'O' } as any);
  const typistUsers: NewUser[] = [];
  for (let i = 0; i < TYPISTS + 1; i++) typistUsers.push(await cluster.newUser({ via: 0 }));
  const receivers: NewUser[] = [];
  for (let i = 0; i < 3; i++) receivers.push(await cluster.newUser({ via: 0 }));
  await admin.client.addUsersToTeam(
    team.id,
    [...typistUsers, ...receivers].map((u) => u.user.id),
  );
  const channel = await admin.client.getChannelByName(team.id, 'town-square');
  log(`seeded: ${typistUsers.length} typists and 3 receivers in one team`);

  const typists: Typist[] = typistUsers.slice(0, TYPISTS).map((user) => {
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS_PER_TYPIST });
    open.agents.push(agent);
    return { user, token: user.client.getToken(), agent };
  });
  // Receivers: one raw socket each on A, B and C.
  const receiverSockets = await Promise.all(receivers.map((u, node) => openSocket(cluster.node(node).wsUrl, u.client.getToken())));
  open.sockets.push(...receiverSockets);
  // The socket typist (the `user_typing` action) is a ninth user, on A, with TYPIST_SOCKETS sockets; it receives none of these events.
  const typistSockets = await Promise.all(
    Array.from({ length: TYPIST_SOCKETS }, () => openSocket(cluster.node(0).wsUrl, typistUsers[TYPISTS].client.getToken())),
  );
  open.sockets.push(...typistSockets);
  const socketTypists = typistSockets.map((ws) => new SocketTypist(ws));
  const arrivals = new Arrivals(receiverSockets);
  const nodeA = new URL(cluster.node(0).url);
  const rest = (tag: string) => (i: number) => typingOverRest(nodeA, typists[i % TYPISTS], channel.id, tag, i);

  // Warm-up: membership caches on every node, connections, JIT. Not reported.
  arrivals.reset('warm');
  const warm = await openLoopEvents(200, 2000, rest('warm'));
  await arrivals.drain(warm.ok, DRAIN_MS);
  if (warm.errors || [0, 1, 2].some((n) => arrivals.count(n) < warm.ok)) {
    throw new Error(
      `warm-up failed: ${warm.errors} errors (${warm.errorSamples[0]}), received ${[0, 1, 2].map((n) => arrivals.count(n)).join('/')} of ${warm.ok}`,
    );
  }
  await sleep(1000);

  const runs: EventRun[] = [];
  const openRun = async (label: string, source: 'rest' | 'ws', ratePerSec: number) => {
    const tag = `${source}${ratePerSec}`;
    arrivals.reset(tag);
    const op = source === 'rest' ? rest(tag) : (i: number) => socketTypists[i % TYPIST_SOCKETS].typing(channel.id, tag, i);
    const { result: loop, cpu } = await withCpu(cluster, async () => {
      const r = await openLoopEvents(ratePerSec, PHASE_MS, op);
      await arrivals.drain(r.ok, DRAIN_MS);
      return r;
    });
    const run = eventRun({ label, source, ratePerSec, durationSec: PHASE_MS / 1000 }, loop, arrivals, cpu);
    log(
      `${label} at ${ratePerSec}/s: answered ${run.ok}/${run.issued} (${round(run.answeredPerSec)}/s, answer p99 ${round(run.response.p99)} ms), ` +
        `B/C from send p50 ${round(run.crossNodeFromSend.p50, 1)} p99 ${round(run.crossNodeFromSend.p99, 1)} ms, from schedule p99 ${round(run.crossNodeFromSchedule.p99, 1)} ms, ` +
        `lost ${run.deliveries.map((d) => d.lost).join('/')}, cpu A/B/C ${cpu.nodesSec.join('/')} s`,
    );
    runs.push(run);
    await sleep(2000);
  };

  for (const r of RATES) await openRun('REST typing on A', 'rest', r);
  await openRun('Socket action `user_typing` on A', 'ws', 1000);

  // REST, closed loop: the most node A's REST layer publishes.
  {
    const tag = 'max';
    arrivals.reset(tag);
    const scheduledAt: number[] = [];
    const { result: loop, cpu } = await withCpu(cluster, async () => {
      const r = await closedLoop(MAX_CONCURRENCY, PHASE_MS, (i) => {
        scheduledAt[i] = nowAbs();
        return rest(tag)(i);
      });
      const ok = r.latencies.length;
      await arrivals.drain(ok, DRAIN_MS);
      return { ...r, ok, issued: ok + r.errors, scheduledAt, maxSendLagMs: 0 };
    });
    const run = eventRun(
      { label: 'REST typing on A', source: 'rest', ratePerSec: null, concurrency: MAX_CONCURRENCY, durationSec: PHASE_MS / 1000 },
      loop,
      arrivals,
      cpu,
    );
    log(
      `REST closed loop (${MAX_CONCURRENCY} in flight): ${round(run.answeredPerSec)}/s, B/C p99 ${round(run.crossNodeFromSend.p99, 1)} ms, lost ${run.deliveries.map((d) => d.lost).join('/')}, cpu A/B/C ${cpu.nodesSec.join('/')} s`,
    );
    runs.push(run);
  }

  await closeAll([...receiverSockets, ...typistSockets]);
  open.sockets = [];
  for (const a of open.agents) a.destroy();
  open.agents = [];
  return { admin, events: { typists: TYPISTS, connectionsPerTypist: CONNECTIONS_PER_TYPIST, runs } };
}

// =================================================================================================
// 3 and 4. Failure detection and join

async function listedHosts(cluster: TestCluster, index: number, token: string): Promise<string[]> {
  const res = await fetch(`${cluster.url(index)}/api/v4/cluster/status`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(1000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return ((await res.json()) as ClusterInfo[]).map(hostOf);
}

/**
 * Polls GET /cluster/status on each observer every POLL_MS until `holds` is true of its list;
 * returns when (Date.now() at the answer) it first held, per observer.
 */
async function pollUntil(
  cluster: TestCluster,
  observers: number[],
  token: string,
  holds: (hosts: string[]) => boolean,
  timeoutMs: number,
): Promise<Map<number, number>> {
  const at = new Map<number, number>();
  const deadline = Date.now() + timeoutMs;
  while (at.size < observers.length) {
    if (Date.now() > deadline) throw new Error(`nodes ${observers.filter((o) => !at.has(o)).join(', ')} did not get there within ${timeoutMs} ms`);
    const tick = Date.now();
    await Promise.all(
      observers
        .filter((o) => !at.has(o))
        .map(async (o) => {
          try {
            if (holds(await listedHosts(cluster, o, token))) at.set(o, Date.now());
          } catch {
            /* not answering (yet) */
          }
        }),
    );
    await sleep(Math.max(0, POLL_MS - (Date.now() - tick)));
  }
  return at;
}

/** Pings through nginx, one at a time, until stopped. */
function probeNginx(url: string) {
  let stopped = false;
  let probes = 0;
  let errors = 0;
  const loop = (async () => {
    while (!stopped) {
      try {
        const res = await fetch(`${url}/api/v4/system/ping`, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        if (!res.ok) errors++;
      } catch {
        errors++;
      }
      probes++;
      await sleep(NGINX_PROBE_GAP_MS);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { probes, errors };
    },
  };
}

async function failoverBench(cluster: TestCluster, admin: NewUser): Promise<{ detection: DetectionRun[]; join: JoinRun[] }> {
  const token = admin.client.getToken();
  const detection: DetectionRun[] = [];
  const joins: JoinRun[] = [];
  const nginx = cluster.nginx!;
  for (let r = 0; r < REPEATS; r++) {
    await cluster.waitForMembership(admin, 30_000);
    await sleep(3000); // links up, suspicion state from the last round gone
    const victim = [2, 1, 0][r % 3];
    const host = cluster.node(victim).host;
    const survivors = [0, 1, 2].filter((i) => i !== victim);
    const name = (i: number) => `${'ABC'[i]} (${cluster.node(i).host})`;

    const probe = probeNginx(nginx.url);
    await sleep(500);
    const killedAt = Date.now();
    await cluster.node(victim).kill('SIGKILL');
    const gone = await pollUntil(cluster, survivors, token, (hosts) => !hosts.includes(host), 30_000);
    const detectedMs = Math.max(...gone.values()) - killedAt;
    // nginx: requests that tried the dead node first (its upstream list names it), before its fail_timeout ran out.
    await sleep(Math.max(0, killedAt + 5000 - Date.now()));
    const probeCounts = await probe.stop();
    await sleep(200); // nginx writes the log line when the request ends
    const tried = nginx
      .accessLog()
      .filter(
        (e) =>
          e.uri.startsWith('/api/v4/system/ping') &&
          e.startedAt >= killedAt - 5 &&
          e.startedAt <= killedAt + 9000 &&
          e.upstream.includes(`${host}:${HTTP_PORT}`),
      );
    const run: DetectionRun = {
      killed: name(victim),
      detectedMs,
      perObserverMs: Object.fromEntries(survivors.map((s) => [name(s), gone.get(s)! - killedAt])),
      nginx: {
        probes: probeCounts.probes,
        probeErrors: probeCounts.errors,
        triedDeadNode: tried.length,
        lastTriedMs: tried.length ? Math.max(...tried.map((e) => e.startedAt)) - killedAt : null,
      },
    };
    detection.push(run);
    log(
      `killed ${run.killed}: gone from both others after ${detectedMs} ms (${Object.entries(run.perObserverMs)
        .map(([k, v]) => `${k} ${v} ms`)
        .join(
          ', ',
        )}); nginx tried it ${tried.length} times, last ${run.nginx.lastTriedMs} ms after the kill; ${probeCounts.errors}/${probeCounts.probes} pings failed`,
    );

    // Join: start it again.
    const spawnedAt = Date.now();
    const starting = cluster.node(victim).start();
    const listed = await pollUntil(cluster, survivors, token, (hosts) => hosts.includes(host), 60_000);
    await starting;
    const readyAt = cluster.node(victim).readyAt;
    const all = [0, 1, 2].map((i) => cluster.node(i).host);
    const selfAll = await pollUntil(cluster, [victim], token, (hosts) => all.every((h) => hosts.includes(h)), 30_000);
    const rows = await cluster.query<{ create_at: number }>('SELECT create_at FROM cluster_discovery WHERE hostname = $1 ORDER BY create_at DESC LIMIT 1', [
      host,
    ]);
    const registeredAt = rows[0].create_at;
    const othersAt = Math.max(...listed.values());
    const join: JoinRun = {
      node: name(victim),
      bootMs: readyAt - spawnedAt,
      registeredAfterSpawnMs: registeredAt - spawnedAt,
      joinMs: othersAt - registeredAt,
      spawnToAllMs: Math.max(othersAt, selfAll.get(victim)!) - spawnedAt,
      listedBeforeReady: othersAt <= readyAt,
    };
    joins.push(join);
    log(
      `restarted ${join.node}: registered ${join.registeredAfterSpawnMs} ms after spawn, listed by the others ${join.joinMs} ms later; ping answered after ${join.bootMs} ms; all list all after ${join.spawnToAllMs} ms`,
    );
  }
  return { detection, join: joins };
}

// =================================================================================================

async function main(): Promise<ClusterResults> {
  const machine = await machineInfo(ADMIN_DSN);
  log(`${machine.nproc} cores, ${machine.cpuModel}, Node ${machine.node}, PostgreSQL ${machine.postgres}, load ${machine.loadAverage1m}`);

  log('cluster layer alone: two GrpcTransport processes');
  const transport = await transportBench();

  log('starting three nodes and nginx');
  const cluster = await startCluster({
    nodes: 3,
    clusterName: 'bench',
    env: { MM_RATELIMITSETTINGS_ENABLE: 'false', MM_SERVICESETTINGS_TIMEBETWEENUSERTYPINGUPDATESMILLISECONDS: '0' },
  });
  open.cluster = cluster;
  const { admin, events } = await eventsBench(cluster);
  const { detection, join } = await failoverBench(cluster, admin);
  await cleanup();

  const pick = (source: 'rest' | 'ws', r: number | null) => events.runs.find((e) => e.source === source && e.ratePerSec === r)!;
  const rest1000 = pick('rest', 1000);
  const ws1000 = pick('ws', 1000);
  const t1000 = transport.runs.find((t) => t.ratePerSec === 1000 && !t.busyMsPerTurn)!;
  const busy = transport.runs.find((t) => t.busyMsPerTurn)!;
  const maxT = transport.runs.find((t) => t.ratePerSec === null)!;
  const detectionMax = Math.max(...detection.map((d) => d.detectedMs));
  const joinMax = Math.max(...join.map((j) => j.joinMs));
  /** Node A's rate and what each node lost: part of every cross-node figure. */
  const answeredAndLost = (e: EventRun) =>
    `node A answered ${round(e.answeredPerSec)}/s${e.sustained ? '' : ', **did not sustain the rate**'}; lost ${e.deliveries.map((d) => d.lost).join('/')}`;
  const crossMet = (e: EventRun, latency: Summary) => e.sustained && latency.p99 < TARGETS.crossNodeP99Ms && e.deliveries.every((d) => d.lost === 0);
  const crossMeasured = (e: EventRun) =>
    `p99 ${round(e.crossNodeFromSend.p99)} ms from send, ${round(e.crossNodeFromSchedule.p99)} ms from schedule (p50 ${round(e.crossNodeFromSend.p50)} ms); ${answeredAndLost(e)}`;
  // Cross-node latency proper: from the event reaching A's own sockets (where it is published) to
  // B's and C's. The end-to-end figure from the REST request adds node A's own HTTP answer time.
  const hopMeasured = (e: EventRun) =>
    `p99 ${round(e.hop.p99)} ms (p50 ${round(e.hop.p50)} ms); ${answeredAndLost(e)}; ` +
    `end to end from the REST request p99 ${round(e.crossNodeFromSend.p99)} ms, node A's own answers p99 ${round(e.response.p99)} ms`;
  const targets: Target[] = [
    {
      name: "Cross-node event latency p99 at 1,000 events/s (REST typing on A): A's sockets have the event → B's and C's have it",
      target: `< ${TARGETS.crossNodeP99Ms} ms`,
      measured: hopMeasured(rest1000),
      met: crossMet(rest1000, rest1000.hop),
    },
    {
      name: 'Same, end to end: `user_typing` socket action sent to A → sockets on B and C have the event',
      target: `< ${TARGETS.crossNodeP99Ms} ms`,
      measured: crossMeasured(ws1000),
      met: crossMet(ws1000, ws1000.crossNodeFromSend),
    },
    {
      name: 'Cluster layer alone (GrpcTransport, two processes), one-way p99 at 1,000 messages/s',
      target: `< ${TARGETS.crossNodeP99Ms} ms`,
      measured: `p99 ${round(t1000.receive.latency.p99, 2)} ms (p50 ${round(t1000.receive.latency.p50, 2)} ms); ${t1000.inOrder ? 'in order, none lost' : `${t1000.lost} lost`}`,
      met: t1000.inOrder && t1000.receive.latency.p99 < TARGETS.crossNodeP99Ms,
    },
    {
      name: `Failure detection (SIGKILL → both others stop listing it), worst of ${detection.length}`,
      target: `< ${TARGETS.detectionMs / 1000} s`,
      measured: `${round(detectionMax)} ms (${detection.map((d) => d.detectedMs).join(', ')} ms)`,
      met: detectionMax < TARGETS.detectionMs,
    },
    {
      name: `Join (registered → every other node lists it), worst of ${join.length}`,
      target: `< ${TARGETS.joinMs / 1000} s`,
      measured: `${round(joinMax)} ms (${join.map((j) => j.joinMs).join(', ')} ms); process spawn → every node lists every node ${join.map((j) => j.spawnToAllMs).join(', ')} ms`,
      met: joinMax < TARGETS.joinMs,
    },
  ];

  const notes: string[] = [];
  notes.push(
    `Max sustained between two nodes (cluster layer alone): ${round(maxT.receivedPerSec)} messages/s received, ${maxT.inOrder ? 'in order, none lost' : `**${maxT.lost} lost**`}, one-way p99 ${round(maxT.receive.latency.p99, 1)} ms at that load (sender ${maxT.send.cpuSec} CPU s, receiver ${maxT.receive.cpuSec} CPU s in ${round(maxT.send.elapsedMs / 1000)} s).`,
  );
  const restMax = pick('rest', null);
  notes.push(
    `Through the servers, node A's REST layer published at most ${round(restMax.answeredPerSec)} typing events/s (closed loop, ${MAX_CONCURRENCY} in flight; node A used ${restMax.cpu.nodesSec[0]} CPU s in ${restMax.cpu.wallSec} s).`,
  );
  if (!rest1000.sustained) {
    notes.push(
      `Node A's REST layer did not sustain 1,000 typing requests/s on this machine (${round(rest1000.answeredPerSec)}/s answered, answer p99 ${round(rest1000.response.p99)} ms from schedule), ` +
        'so the REST figure at 1,000/s measures queues on node A more than the cluster; the socket-action run and the cluster layer alone show the cluster part.',
    );
  }
  // A steady cross-node lag beyond the origin's own delivery while B and C had CPU to spare: the queue is on A's outgoing streams.
  for (const e of events.runs.filter(
    (r) => r.hop.p50 > 50 && !disturbed(r.cpu, machine.nproc) && Math.max(r.cpu.nodesSec[1], r.cpu.nodesSec[2]) < 0.5 * r.cpu.wallSec,
  )) {
    const local = e.deliveries[0].fromSend;
    notes.push(
      `${e.label}, ${e.ratePerSec === null ? `closed loop` : `${e.ratePerSec}/s`}: the origin's own socket had its events at p99 ${round(local.p99)} ms, but B and C lagged it by p99 ${round(e.hop.p99)} ms ` +
        `(p50 ${round(e.hop.p50)} ms) while nodes B and C used only ${e.cpu.nodesSec[1]} and ${e.cpu.nodesSec[2]} CPU s in ${e.cpu.wallSec} s and node A ${e.cpu.nodesSec[0]} s: ` +
        'the events queued on node A on their way out to the peers.',
    );
  }
  const skewed = events.runs.filter((e) => disturbed(e.cpu, machine.nproc));
  if (skewed.length) {
    notes.push(
      `Other work on the machine (processes outside this benchmark) competed for the two cores during ${skewed.map((e) => `${e.label} ${e.ratePerSec === null ? 'closed loop' : `at ${e.ratePerSec}/s`} (${otherCpu(e.cpu)} CPU s in ${e.cpu.wallSec} s)`).join(', ')}: ` +
        'those figures are pessimistic.',
    );
  }
  notes.push(
    `Cluster layer with a busy sender: at 1,000 messages/s from a process whose event loop turns only ${busy.send.loopTurnsPerSec} times a second (${busy.busyMsPerTurn} ms of CPU per turn), ` +
      `one-way latency was p50 ${round(busy.receive.latency.p50)} ms, p99 ${round(busy.receive.latency.p99)} ms (unloaded: p99 ${round(t1000.receive.latency.p99, 2)} ms), ${busy.inOrder ? 'none lost' : `${busy.lost} lost`}. ` +
      `A gRPC stream takes about one message per event-loop turn, so the link packs every frame that waited meanwhile into the next message ` +
      `(PeerLink): here ${busy.send.sent} frames travelled in ${busy.send.grpcMessages} gRPC messages ` +
      `(${round(busy.send.sent / Math.max(1, busy.send.grpcMessages), 2)} per message; unloaded at 1,000/s: ${round(t1000.send.sent / Math.max(1, t1000.send.grpcMessages), 2)}), ` +
      "so a saturated node's outgoing events keep pace instead of queueing one per turn.",
  );
  return {
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    command: COMMAND,
    machine,
    loadAverageAfter1m: round(loadavg()[0], 2),
    transport,
    events,
    detection: { pollMs: POLL_MS, nginxProbeGapMs: NGINX_PROBE_GAP_MS, runs: detection, maxMs: detectionMax },
    join: { pollMs: POLL_MS, runs: join, maxMs: joinMax },
    targets,
    notes,
  };
}

/** Shrunk development runs must not replace the published figures or their raw JSON. */
const DEVELOPMENT_RUN = ['BENCH_PHASE_SEC', 'BENCH_REPEATS'].some((k) => process.env[k]);

await runBench({
  command: 'bench:cluster',
  log,
  main,
  cleanup,
  publish: (results) =>
    publishResults({ name: 'cluster', heading: CLUSTER_SECTION_HEADING, results, markdown: renderMarkdown(results), developmentRun: DEVELOPMENT_RUN }),
  table: renderTable,
  failureOutput: () => (open.cluster ? `node output (tail):\n${open.cluster.logs()}\n` : undefined),
});
