/**
 * The driver: spreads simulated users over worker threads, merges what they measure, and every
 * updateIntervalMs decides the number of users — a ramp to a fixed number (bounded mode) or
 * Mattermost's coordinator rule (unbounded mode) — while sampling server and generator CPU.
 * Every loop here ends: by the configured duration, by convergence, or by a stop signal.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { ADMIN_DSN } from '#testing';
import type { LoadTestConfig } from '../config.js';
import { Coordinator } from '../coordinator/coordinator.js';
import { evaluateHealth, healthValues, type HealthStatus } from '../coordinator/health.js';
import { RequestTotals, Totals, type Snapshot } from '../metrics/collector.js';
import { Histogram } from '../metrics/histogram.js';
import type { WorkerCommand, WorkerInit } from '../sim/worker.js';
import { NO_PG_SAMPLE, PgActivity, ResourceMonitor, type ResourceSample } from './resources.js';
import type { Target } from './target.js';

export type Mode = 'bounded' | 'unbounded';

export interface TimelinePoint {
  /** Seconds since the start. */
  t: number;
  users: number;
  ready: number;
  reqPerSec: number;
  /** Over the health window. */
  avgMs: number;
  p99Ms: number;
  http5xxPercent: number;
  timeoutPercent: number;
  /** Average latency of the requests answered since the previous tick (absent in older reports). */
  tickAvgMs?: number;
  wsEventsPerSec: number;
  deliveryP99Ms: number;
  healthy: boolean;
  failures: string[];
  decision: string;
  resources: ResourceSample;
  /** Highest event-loop utilisation among the workers over the last interval. */
  generatorElu: number;
  generatorDelayP99Ms: number;
  /** The server database's busy backends by state and wait event (empty when the database is unknown). */
  pgBackends: Record<string, number>;
  /** The busy backends by what they ran (PgActivity's statement polls; absent in older reports). */
  pgStatements?: Record<string, number>;
  /** Transactions per second the server's database committed (pg_stat_database; its statistics lag by up to ~0.5 s). */
  pgXactPerSec: number;
  /** WAL the PostgreSQL server wrote, MiB/s, and the checkpointer's wait event at the sample (absent in older reports). */
  pgWalMiBPerSec?: number;
  pgCheckpointer?: string;
}

export interface RunResult {
  mode: Mode;
  startedAt: string;
  durationSec: number;
  stopReason: string;
  timeline: TimelinePoint[];
  /** The whole run. */
  total: Totals;
  /** The figures that matter: the hold phase (bounded) or the last stable window (unbounded). */
  measured: Totals;
  measuredFromSec: number;
  measuredUsers: { avg: number; min: number; max: number };
  supportedUsers?: number;
  converged?: boolean;
  generator: { workers: number; saturatedTicks: number; ticks: number; peakElu: number; avgCpuPercent: number; peakCpuPercent: number };
}

/** Per-second sums, enough for the health window. */
interface SecondBucket {
  all: RequestTotals;
  delivery: Histogram;
  events: number;
}

const SNAPSHOT_INTERVAL_MS = 1000;
/**
 * Bounded mode: the hold starts when this share of the users is ready (every one: at 95 % the last
 * ~80 of 1,600 were still logging in and loading their team in the hold, 19 logins and 79 team
 * loads making 3,261 of its 71,321 requests, all counted as the steady state's)…
 */
export const HOLD_READY_SHARE = 1;
/** …or this long after the last user was added. */
const HOLD_WAIT_SEC = 180;
const CHUNK_MS = 60_000;

export interface DriverOptions {
  config: LoadTestConfig;
  target: Target;
  mode: Mode;
  /** Called with each progress line (default: stdout). */
  log?: (line: string) => void;
  /** Resolves when the run should stop early (e.g. Ctrl-C). */
  stopSignal?: AbortSignal;
  /** Called when bounded mode reaches its users and starts holding them, and when the run ends. */
  onPhase?: (phase: 'hold' | 'end') => void | Promise<void>;
  /** Called after every tick; `alerted`: the coordinator has seen a failing health check. */
  onTick?: (point: TimelinePoint, state: { alerted: boolean }) => void | Promise<void>;
}

export async function runLoad(opts: DriverOptions): Promise<RunResult> {
  const { config, target, mode } = opts;
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const runStartMs = Date.now();
  const t0 = performance.now();
  const elapsedSec = () => (performance.now() - t0) / 1000;
  const interval = config.coordinator.updateIntervalMs;

  // ---- workers --------------------------------------------------------------------------------
  const workerCount = config.generator.workers;
  const workers: Worker[] = [];
  const lastLoop = new Map<number, Snapshot['loop']>();
  const readyByWorker = new Map<number, number>();
  const seconds = new Map<number, SecondBucket>();
  const chunks: Array<{ start: number; totals: Totals }> = [];
  const total = new Totals();
  let measured: Totals | undefined;
  let measuredFromSec = 0;

  const onSnapshot = (s: Snapshot) => {
    lastLoop.set(s.worker, s.loop);
    readyByWorker.set(s.worker, s.users.ready);
    total.add(s, SNAPSHOT_INTERVAL_MS);
    measured?.add(s, SNAPSHOT_INTERVAL_MS);
    const sec = Math.floor(s.at / 1000);
    let b = seconds.get(sec);
    if (!b) seconds.set(sec, (b = { all: new RequestTotals(), delivery: new Histogram(), events: 0 }));
    for (const d of Object.values(s.endpoints)) b.all.merge(d);
    b.delivery.merge(s.ws.delivery);
    for (const n of Object.values(s.ws.events)) b.events += n;
    const chunkStart = Math.floor(s.at / CHUNK_MS) * CHUNK_MS;
    let chunk = chunks.at(-1);
    if (!chunk || chunk.start !== chunkStart) chunks.push((chunk = { start: chunkStart, totals: new Totals() }));
    chunk.totals.add(s, SNAPSHOT_INTERVAL_MS);
  };

  const stopped = new Map<number, Promise<void>>();
  for (let w = 0; w < workerCount; w++) {
    const init: WorkerInit = { worker: w, config, wsUrl: target.wsUrl, runStartMs, snapshotIntervalMs: SNAPSHOT_INTERVAL_MS };
    const worker = new Worker(new URL('../sim/worker.js', import.meta.url), { workerData: init });
    let resolveStopped!: () => void;
    stopped.set(w, new Promise<void>((r) => (resolveStopped = r)));
    worker.on('message', (msg: { type: string; snapshot?: Snapshot }) => {
      if (msg.type === 'snapshot' && msg.snapshot) onSnapshot(msg.snapshot);
      if (msg.type === 'stopped') resolveStopped();
    });
    worker.on('error', (err) => {
      log(`worker ${w} failed: ${err.stack ?? err}`);
      resolveStopped();
    });
    worker.on('exit', () => resolveStopped());
    workers.push(worker);
  }
  const send = (w: number, cmd: WorkerCommand) => workers[w].postMessage(cmd);

  // ---- users ------------------------------------------------------------------------------------
  const active = new Set<number>();
  const addUsers = (n: number) => {
    const byWorker = new Map<number, number[]>();
    for (let i = 0, added = 0; added < n; i++) {
      if (active.has(i)) continue;
      active.add(i);
      added++;
      const w = i % workerCount;
      byWorker.set(w, [...(byWorker.get(w) ?? []), i]);
    }
    for (const [w, indices] of byWorker) send(w, { type: 'add', indices });
  };
  const removeUsers = (n: number) => {
    const victims = [...active].sort((a, b) => b - a).slice(0, n);
    const byWorker = new Map<number, number[]>();
    for (const i of victims) {
      active.delete(i);
      byWorker.set(i % workerCount, [...(byWorker.get(i % workerCount) ?? []), i]);
    }
    for (const [w, indices] of byWorker) send(w, { type: 'remove', indices });
  };

  // ---- the loop ---------------------------------------------------------------------------------
  const k = config.coordinator;
  const coordinator = new Coordinator(k);
  const monitor = new ResourceMonitor(target.pids, Number(new URL(target.url).port) || 80);
  const dbName = target.database ?? (target.databaseUrl ? new URL(target.databaseUrl).pathname.slice(1) : undefined);
  const pgActivity = dbName ? new PgActivity(ADMIN_DSN, dbName) : undefined;
  pgActivity?.startStatementPolls();
  const timeline: TimelinePoint[] = [];
  // Bounded mode holds for durationSec from when its users are in (at most HOLD_WAIT_SEC after the ramp).
  const boundedLimitSec = () => (holdStartedAt ?? rampSec(config) + HOLD_WAIT_SEC) + config.bounded.durationSec;
  let stopReason = 'duration';
  let supportedUsers: number | undefined;
  let converged: boolean | undefined;
  let saturatedTicks = 0;
  let lastReq = 0;
  let lastEvents = 0;
  let holdStartedAt: number | undefined;

  const readyNow = () => [...readyByWorker.values()].reduce((a, b) => a + b, 0);
  /** Requests and deliveries of the last `sec` seconds; seconds older than the health window go. */
  const windowTotals = (sec: number) => {
    const now = Math.floor(Date.now() / 1000);
    const from = now - sec;
    const all = new RequestTotals();
    const delivery = new Histogram();
    for (const [s, b] of seconds) {
      if (s < now - k.healthWindowSec - 5) seconds.delete(s);
      else if (s >= from) {
        all.merge(b.all);
        delivery.merge(b.delivery);
      }
    }
    return { all, delivery };
  };

  for (let tick = 0; ; tick++) {
    await sleepUnlessStopped(interval, opts.stopSignal);
    const t = elapsedSec();
    if (opts.stopSignal?.aborted) {
      stopReason = 'stopped by signal';
      break;
    }
    const win = windowTotals(k.healthWindowSec);
    // The health window lags by up to a minute; what the tick's own requests waited lines up with
    // the tick's resource readings (the stall comparison of the report).
    const tickAvgMs = healthValues(windowTotals(Math.max(1, Math.round(interval / 1000))).all).avgMs;
    const values = healthValues(win.all);
    const health: HealthStatus = t >= k.healthWarmupSec || mode === 'bounded' ? evaluateHealth(values, k.thresholds) : { ok: true, values, failures: [] };

    let decision = 'hold';
    if (mode === 'unbounded') {
      const d = coordinator.tick(Date.now(), !health.ok, active.size);
      if (d.delta > 0) addUsers(d.delta);
      if (d.delta < 0) removeUsers(-d.delta);
      decision = d.delta ? `${d.delta > 0 ? '+' : ''}${d.delta}` : d.reason;
      if (d.reason === 'done') {
        supportedUsers = d.supportedUsers;
        converged = true;
        stopReason = `converged: the users of the last ${k.stableWindowSec} s have a slope under ${k.stopSlope} users/s`;
      }
    } else if (active.size < config.bounded.users) {
      const n = Math.min(k.numUsersInc, config.bounded.users - active.size);
      addUsers(n);
      decision = `+${n}`;
    } else if (holdStartedAt === undefined && (readyNow() >= HOLD_READY_SHARE * config.bounded.users || t >= rampSec(config) + HOLD_WAIT_SEC)) {
      // The hold starts once the users are logged in and in a team: the login storm of the ramp is not measured.
      holdStartedAt = t;
      measured = new Totals();
      measuredFromSec = t;
      await opts.onPhase?.('hold');
    } else if (holdStartedAt === undefined) {
      // Every user added, not every one in yet: the hold has not begun (the log said 'hold' here,
      // and a profile started on that word took in the last logins).
      decision = 'waiting for logins';
    }

    const resources = monitor.sample();
    const pgNow = (await pgActivity?.sample()) ?? NO_PG_SAMPLE;
    const loops = [...lastLoop.values()];
    const elu = Math.max(0, ...loops.map((l) => l.elu));
    const saturated = elu >= config.generator.saturationElu;
    if (saturated) saturatedTicks++;
    const reqNow = total.all.count;
    const eventsNow = total.eventCount();
    const point: TimelinePoint = {
      t: round(t, 1),
      users: active.size,
      ready: readyNow(),
      reqPerSec: (reqNow - lastReq) / (interval / 1000),
      avgMs: values.avgMs,
      tickAvgMs,
      p99Ms: values.p99Ms,
      http5xxPercent: values.http5xxPercent,
      timeoutPercent: values.timeoutPercent,
      wsEventsPerSec: (eventsNow - lastEvents) / (interval / 1000),
      deliveryP99Ms: win.delivery.count ? win.delivery.percentile(99) : 0,
      healthy: health.ok,
      failures: health.failures,
      decision,
      resources,
      generatorElu: elu,
      generatorDelayP99Ms: Math.max(0, ...loops.map((l) => l.delayP99Ms)),
      pgBackends: pgNow.backends,
      pgStatements: pgNow.statements,
      pgXactPerSec: pgNow.xactPerSec,
      pgWalMiBPerSec: pgNow.walMiBPerSec,
      pgCheckpointer: pgNow.checkpointer,
    };
    lastReq = reqNow;
    lastEvents = eventsNow;
    timeline.push(point);
    await opts.onTick?.(point, { alerted: coordinator.alerted });
    if (tick % Math.max(1, Math.round(config.output.progressIntervalMs / interval)) === 0) log(progressLine(point, saturated));

    if (supportedUsers !== undefined) break;
    if (t >= (mode === 'unbounded' ? k.maxDurationSec : boundedLimitSec())) {
      stopReason =
        mode === 'unbounded'
          ? `maxDurationSec (${k.maxDurationSec} s) reached before convergence`
          : `held ${config.bounded.users} users for ${config.bounded.durationSec} s`;
      break;
    }
  }

  // ---- stop -------------------------------------------------------------------------------------
  await opts.onPhase?.('end');
  await pgActivity?.close();
  for (let w = 0; w < workerCount; w++) send(w, { type: 'stop' });
  await Promise.race([Promise.all(stopped.values()), new Promise((r) => setTimeout(r, 20_000))]);
  await Promise.all(workers.map((w) => w.terminate()));

  const end = Date.now();
  if (mode === 'unbounded') {
    // Supported users: the average over the last stable window (also when the run ran out of time).
    const from = end - k.stableWindowSec * 1000;
    const window = timeline.filter((p) => runStartMs + p.t * 1000 >= from);
    if (supportedUsers === undefined) {
      converged = false;
      supportedUsers = Math.round(window.reduce((s, p) => s + p.users, 0) / Math.max(1, window.length));
    }
    measured = new Totals();
    for (const c of chunks) if (c.start >= from - CHUNK_MS / 2) measured.add(snapshotOf(c.totals), c.totals.toMs - c.totals.fromMs);
    measuredFromSec = Math.max(0, (from - runStartMs) / 1000);
  }
  const inMeasured = timeline.filter((p) => p.t >= measuredFromSec);
  const users = inMeasured.map((p) => p.users);
  const cpu = timeline.map((p) => p.resources.generatorCpuPercent);
  return {
    mode,
    startedAt: new Date(runStartMs).toISOString(),
    durationSec: round(elapsedSec(), 1),
    stopReason,
    timeline,
    total,
    measured: measured ?? total,
    measuredFromSec: round(measuredFromSec, 1),
    measuredUsers: { avg: users.length ? users.reduce((a, b) => a + b, 0) / users.length : 0, min: Math.min(...users, Infinity), max: Math.max(...users, 0) },
    supportedUsers,
    converged,
    generator: {
      workers: workerCount,
      saturatedTicks,
      ticks: timeline.length,
      peakElu: Math.max(0, ...timeline.map((p) => p.generatorElu)),
      avgCpuPercent: cpu.reduce((a, b) => a + b, 0) / Math.max(1, cpu.length),
      peakCpuPercent: Math.max(0, ...cpu),
    },
  };
}

/** A Totals re-expressed as one snapshot, so chunks can be merged with Totals.add. */
function snapshotOf(t: Totals): Snapshot {
  const data = (r: RequestTotals) => ({
    count: r.count,
    err4xx: r.err4xx,
    err5xx: r.err5xx,
    timeouts: r.timeouts,
    network: r.network,
    latency: r.latency.toData(),
  });
  return {
    worker: -1,
    at: t.toMs,
    endpoints: Object.fromEntries([...t.endpoints].map(([k, v]) => [k, data(v)])),
    actions: Object.fromEntries(
      [...t.actions].map(([k, v]) => [k, { count: v.count, failed: v.failed, duration: v.duration.toData(), requests: v.requests.toData() }]),
    ),
    ws: { events: Object.fromEntries(t.events), delivery: t.delivery.toData(), ...t.ws },
    skipped: Object.fromEntries(t.skipped),
    timeoutPhases: Object.fromEntries(t.timeoutPhases),
    users: { active: 0, ready: 0, loginFailures: t.loginFailures },
    loop: { elu: 0, delayP99Ms: 0 },
    errorSamples: t.errorSamples,
  };
}

/** How long bounded mode takes to reach its users at numUsersInc per updateIntervalMs. */
export function rampSec(config: LoadTestConfig): number {
  const k = config.coordinator;
  return Math.ceil(config.bounded.users / k.numUsersInc) * (k.updateIntervalMs / 1000);
}

function sleepUnlessStopped(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((r) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      r();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

function progressLine(p: TimelinePoint, generatorSaturated: boolean): string {
  const r = p.resources;
  const f = (v: number, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '-');
  return (
    `[${new Date().toISOString().slice(11, 19)}] t=${f(p.t)}s users ${p.users} (ready ${p.ready}) | ${f(p.reqPerSec, 1)} req/s avg ${f(p.avgMs, 1)} ms p99 ${f(p.p99Ms)} ms ` +
    `5xx ${f(p.http5xxPercent, 3)}% timeouts ${f(p.timeoutPercent, 3)}% | ws ${f(p.wsEventsPerSec, 1)} ev/s delivery p99 ${f(p.deliveryP99Ms)} ms | ` +
    `server cpu ${f(r.serverCpuPercent)}% rss ${f(r.serverRssMiB)} MiB, postgres cpu ${f(r.postgresCpuPercent)}% | generator cpu ${f(r.generatorCpuPercent)}% elu ${f(p.generatorElu, 2)}` +
    `${generatorSaturated ? ' SATURATED' : ''} | machine ${f(r.machineCpuPercent)}%/${r.cores * 100}%` +
    `${r.acceptQueue || r.listenOverflows ? ` | accept queue ${r.acceptQueue}, dropped ${r.listenOverflows}` : ''} | ${p.decision}${p.healthy ? '' : ` (${p.failures.join('; ')})`}`
  );
}
