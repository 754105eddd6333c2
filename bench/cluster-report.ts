/** Turns bench:cluster results into a table for the terminal and the "## bench:cluster" section of docs/benchmarks.md. */
import type { ReceiveReport, SendReport } from './cluster-transport-node.js';
import type { MachineInfo } from './machine.js';
import type { Target } from './report.js';
import { round, type Summary } from './stats.js';

export const CLUSTER_SECTION_HEADING = '## bench:cluster';

/** CPU seconds (user + system) used during a phase, per process group. */
export interface ClusterCpu {
  wallSec: number;
  /** Node A, B, C in order. */
  nodesSec: number[];
  postgresSec: number;
  clientSec: number;
  machineSec: number;
}

export interface TransportRun {
  label: string;
  /** null: as fast as the link takes it, with at most `window` messages unacknowledged. */
  ratePerSec: number | null;
  window?: number;
  /** The sender's event loop burnt this much CPU per turn meanwhile. */
  busyMsPerTurn?: number;
  send: SendReport;
  receive: ReceiveReport;
  wallSec: number;
  /** CPU seconds the rest of the machine used meanwhile (anything but the two transports and this client). */
  otherCpuSec: number;
  /** Messages received per second (first receipt to last). */
  receivedPerSec: number;
  lost: number;
  inOrder: boolean;
}

export interface NodeDelivery {
  node: string;
  received: number;
  lost: number;
  duplicates: number;
  /** Arrival − the send time carried in the event (parent_id). */
  fromSend: Summary;
  /** Arrival − the event's scheduled send time (open loop), so client-side queueing counts. */
  fromSchedule: Summary;
}

export interface EventRun {
  label: string;
  source: 'rest' | 'ws';
  /** null: closed loop, `concurrency` requests in flight. */
  ratePerSec: number | null;
  concurrency?: number;
  durationSec: number;
  issued: number;
  ok: number;
  errors: number;
  errorSamples: string[];
  /** Requests answered per second (first scheduled send to last answer). */
  answeredPerSec: number;
  maxSendLagMs: number;
  /** Request → answer (REST response or socket seq_reply), from the scheduled send time. */
  response: Summary;
  deliveries: NodeDelivery[];
  /** B and C together: the cross-node figure. */
  crossNodeFromSend: Summary;
  crossNodeFromSchedule: Summary;
  /** Per event: arrival on B (or C) − arrival on A, the origin's own socket. */
  hop: Summary;
  /** Node A answered at the offered rate (≥ 95 %) without its answers falling behind. */
  sustained: boolean;
  cpu: ClusterCpu;
}

export interface DetectionRun {
  killed: string;
  /** SIGKILL → the last surviving node stopped listing it, ms (polled every `pollMs`). */
  detectedMs: number;
  perObserverMs: Record<string, number>;
  nginx: { probes: number; probeErrors: number; triedDeadNode: number; lastTriedMs: number | null };
}

export interface JoinRun {
  node: string;
  /** Process spawn → first answered /system/ping. */
  bootMs: number;
  /** Process spawn → its row in cluster_discovery (where it starts joining). */
  registeredAfterSpawnMs: number;
  /** Row registered → every other node lists it: the join itself. */
  joinMs: number;
  /** Process spawn → every node (itself included) lists every node. */
  spawnToAllMs: number;
  /** Whether the others already listed it when its ping first answered. */
  listedBeforeReady: boolean;
}

export interface ClusterResults {
  date: string;
  command: string;
  machine: MachineInfo;
  loadAverageAfter1m: number;
  transport: { frameBytes: number; runs: TransportRun[] };
  events: { typists: number; connectionsPerTypist: number; runs: EventRun[] };
  detection: { pollMs: number; nginxProbeGapMs: number; runs: DetectionRun[]; maxMs: number };
  join: { pollMs: number; runs: JoinRun[]; maxMs: number };
  targets: Target[];
  notes: string[];
}

const ms = (v: number) => `${round(v, 1)} ms`;
const lat = (s: Summary) => (s.count ? `p50 ${ms(s.p50)} · p99 ${ms(s.p99)} · max ${ms(s.max)}` : '—');
const rateLabel = (r: number | null, concurrency?: number) => (r === null ? `closed loop, ${concurrency} in flight` : `${r}/s`);

/** CPU seconds the machine spent on anything but the nodes, their PostgreSQL backends and this client (nginx, other processes, the kernel). */
export const otherCpu = (c: ClusterCpu) => Math.max(0, round(c.machineSec - c.nodesSec.reduce((s, v) => s + v, 0) - c.postgresSec - c.clientSec, 2));
/** Other work took more than a tenth of the machine's CPU during the phase: its figures are skewed. */
export const disturbed = (c: ClusterCpu, cores: number) => otherCpu(c) > 0.1 * cores * c.wallSec;

function cpuLine(c: ClusterCpu, cores: number): string {
  return (
    `${c.wallSec} s wall: node A ${c.nodesSec[0]} s, node B ${c.nodesSec[1]} s, node C ${c.nodesSec[2]} s, PostgreSQL ${c.postgresSec} s, bench client ${c.clientSec} s, everything else ${otherCpu(c)} s` +
    (disturbed(c, cores) ? ' (**disturbed**: other work on the machine competed for the CPU)' : '')
  );
}

export function renderMarkdown(r: ClusterResults): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(CLUSTER_SECTION_HEADING, '');
  out.push(
    `Command: \`${r.command}\` (builds the server and the benchmark, then runs \`node dist-bench/bench/cluster.js\`; about three minutes after the build, stops by itself and removes its cluster, database and processes).`,
    '',
  );
  out.push(
    `Run ${r.date} on ${m.nproc} cores (${m.cpuModel}), ${m.totalRamGiB} GiB RAM, Node ${m.node}, PostgreSQL ${m.postgres}; ` +
      `three server nodes on 127.0.0.1, 127.0.0.2 and 127.0.0.3 (libs/testing/src/cluster/cluster.ts: clustering on, one shared fresh database, nginx in front), ` +
      `PostgreSQL and this load generator all on this machine (1-minute load average ${m.loadAverage1m} before the run and ${r.loadAverageAfter1m} after it).`,
    '',
  );
  out.push('| Target | Measured | Met |', '|---|---|---|');
  for (const t of r.targets) out.push(`| ${t.name}: ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`);
  out.push('');

  out.push(
    `### Cross-node events through the servers`,
    '',
    `\`POST /api/v4/users/{id}/typing\` (or the \`user_typing\` socket action) on node A; the \`typing\` event goes to the channel ` +
      `(the typist omitted) and is timed on one raw WebSocket per node (a user on A, one on B, one on C). ` +
      `REST: ${r.events.typists} typists, ${r.events.connectionsPerTypist} keep-alive connections each.`,
    '',
  );
  out.push(
    '| Source, load | Answered | Answer latency | On B and C (from send) | On B and C (from schedule) | Hop: B/C − A | Lost (A/B/C) | Errors |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const e of r.events.runs) {
    const lost = e.deliveries.map((d) => d.lost).join('/');
    out.push(
      `| ${e.label} (${rateLabel(e.ratePerSec, e.concurrency)}, ${e.durationSec} s) | ${e.ok} of ${e.issued}, ${round(e.answeredPerSec)}/s${e.sustained ? '' : ' (**not sustained**)'} | ` +
        `${lat(e.response)} | ${lat(e.crossNodeFromSend)} | ${lat(e.crossNodeFromSchedule)} | ${lat(e.hop)} | ${lost} | ${e.errors ? `${e.errors} (${e.errorSamples[0]})` : '0'} |`,
    );
  }
  out.push('');
  out.push('Where the CPU went (user + system seconds; the machine has ' + `${m.nproc} × wall seconds to give):`, '');
  for (const e of r.events.runs) out.push(`- ${e.label}, ${rateLabel(e.ratePerSec, e.concurrency)}: ${cpuLine(e.cpu, m.nproc)}`);
  out.push('');

  out.push(
    '### Cluster layer alone',
    '',
    `Two processes (bench/cluster-transport-node.ts), each with one \`GrpcTransport\` (the servers' node-to-node streams, default options), ` +
      `on 127.0.0.1 and 127.0.0.2; the sender sends \`ws_event\`-shaped messages (a stamped \`posted\` event, ${r.transport.frameBytes} bytes of JSON) to the receiver. ` +
      'One-way latency: receipt − the send time in the message (both processes read the same clock).',
    '',
  );
  out.push(
    '| Load | Sent | Received | Received/s | One-way latency | In order, none lost | CPU s: sender / receiver / everything else |',
    '|---|---|---|---|---|---|---|',
  );
  for (const t of r.transport.runs) {
    const load =
      t.ratePerSec === null
        ? `as fast as possible, ≤ ${t.window} unacknowledged, ${round(t.send.elapsedMs / 1000)} s`
        : `${t.ratePerSec}/s for ${round(t.send.elapsedMs / 1000)} s` +
          (t.busyMsPerTurn ? `, sender's event loop busy ${t.busyMsPerTurn} ms per turn (${t.send.loopTurnsPerSec} turns/s)` : '');
    out.push(
      `| ${load} | ${t.send.sent} | ${t.receive.received} | ${round(t.receivedPerSec)} | ${lat(t.receive.latency)} | ${t.inOrder ? 'yes' : `**no** (${t.lost} lost, ${t.receive.outOfOrder} out of order, ${t.send.undeliverable} undeliverable)`} | ${t.send.cpuSec} / ${t.receive.cpuSec} / ${t.otherCpuSec} in ${t.wallSec} s${t.otherCpuSec > 0.1 * m.nproc * t.wallSec ? ' (**disturbed**)' : ''} |`,
    );
  }
  out.push('');

  out.push(
    '### Failure detection and join',
    '',
    `SIGKILL one of the three nodes (a different one each time), then poll \`GET /api/v4/cluster/status\` on the other two every ${r.detection.pollMs} ms ` +
      `until neither lists it. Meanwhile a client pings through nginx every ${r.detection.nginxProbeGapMs} ms; nginx's access log shows until when it still tried the dead node. ` +
      'Then the killed node is started again and the others are polled until they list it; the join is timed from its row in `cluster_discovery` ' +
      '(written just before it contacts the gossip seeds; database clock, same machine) to the last other node listing it.',
    '',
  );
  out.push('| Killed | Detected by both others | Per observer | nginx last tried it | Pings through nginx (failed) |', '|---|---|---|---|---|');
  for (const d of r.detection.runs) {
    const per = Object.entries(d.perObserverMs)
      .map(([k, v]) => `${k} ${ms(v)}`)
      .join(', ');
    const ng =
      d.nginx.lastTriedMs === null ? 'never after the kill' : `${ms(d.nginx.lastTriedMs)} after the kill (${d.nginx.triedDeadNode} requests tried it first)`;
    out.push(`| ${d.killed} | ${ms(d.detectedMs)} | ${per} | ${ng} | ${d.nginx.probes} (${d.nginx.probeErrors}) |`);
  }
  out.push('');
  out.push(
    '| Restarted | Spawn → ping answers | Spawn → registered | Join: registered → all others list it | Spawn → every node lists every node |',
    '|---|---|---|---|---|',
  );
  for (const j of r.join.runs) {
    out.push(
      `| ${j.node} | ${ms(j.bootMs)} | ${ms(j.registeredAfterSpawnMs)} | ${ms(j.joinMs)} | ${ms(j.spawnToAllMs)}${j.listedBeforeReady ? ' (listed before its HTTP port answered)' : ''} |`,
    );
  }
  out.push('');
  if (r.notes.length) {
    out.push('Notes:', '');
    for (const n of r.notes) out.push(`- ${n}`);
    out.push('');
  }
  out.push(
    'Method: percentiles by nearest rank (bench/stats.ts). Open-loop loads send on a fixed schedule whatever the answers; "from schedule" counts from ' +
      'the scheduled send time, "from send" from the moment the client issued the request (for REST: handed it to its keep-alive agent), read from the event itself ' +
      "(`parent_id` carries the send time; the server passes it through unchecked). Everything shares the machine's cores, so the client's own event loop " +
      'delays are part of every figure. Raw JSON: `bench-results/cluster.json`.',
  );
  return out.join('\n') + '\n';
}

export function renderTable(r: ClusterResults): string {
  const lines: string[] = [];
  for (const t of r.transport.runs) {
    lines.push(
      `transport ${t.ratePerSec === null ? 'max' : `${t.ratePerSec}/s`}${t.busyMsPerTurn ? ` (busy sender, ${t.send.loopTurnsPerSec} turns/s)` : ''}: ${round(t.receivedPerSec)} msg/s received, ${lat(t.receive.latency)}, ${t.inOrder ? 'in order, none lost' : `LOST ${t.lost}`}`,
    );
  }
  for (const e of r.events.runs) {
    lines.push(
      `${e.label} ${rateLabel(e.ratePerSec, e.concurrency)}: answered ${round(e.answeredPerSec)}/s${e.sustained ? '' : ' (not sustained)'}, B/C from send ${lat(e.crossNodeFromSend)}, from schedule ${lat(e.crossNodeFromSchedule)}, lost ${e.deliveries.map((d) => d.lost).join('/')}, errors ${e.errors}`,
    );
  }
  for (const d of r.detection.runs)
    lines.push(`detection (${d.killed}): ${ms(d.detectedMs)}; nginx last tried it ${d.nginx.lastTriedMs === null ? 'never' : ms(d.nginx.lastTriedMs)}`);
  for (const j of r.join.runs) lines.push(`join (${j.node}): ${ms(j.joinMs)} (boot ${ms(j.bootMs)}, spawn → all ${ms(j.spawnToAllMs)})`);
  lines.push('', ...r.targets.map((t) => `${t.met ? 'MET    ' : 'NOT MET'}  ${t.name}: ${t.target} — measured ${t.measured}`));
  const skewed = r.events.runs.filter((e) => disturbed(e.cpu, r.machine.nproc));
  if (skewed.length)
    lines.push(
      '',
      `Disturbed by other work on the machine: ${skewed.map((e) => `${e.label} ${rateLabel(e.ratePerSec, e.concurrency)} (${otherCpu(e.cpu)} CPU s)`).join(', ')}`,
    );
  return lines.join('\n');
}
