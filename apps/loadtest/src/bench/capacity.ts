/**
 * `npm run bench:capacity`: supported users, measured as Mattermost measures them (load-test-ng's
 * unbounded mode: +8 users every 2 s while the health checks hold, −8 when one fails, supported
 * users = the average over the last stable window), on this machine with the server, PostgreSQL
 * and the load generator sharing its cores:
 *
 * 1. the physical references: pgbench single-row INSERT TPS on the same PostgreSQL, and a bare
 *    `ws` server broadcasting to 1,000 and 5,000 local sockets;
 * 2. one node (fresh database, seeded with the default data set and 6,000 accounts), with a V8
 *    CPU profile of the server from the coordinator's first failing check to the end (the load
 *    around capacity);
 * 3. the same node holding step 2's supported users in bounded mode (steady state, no logins),
 *    with a CPU profile of the hold — what the users cost once they are in — and metrics with
 *    their statement counts on: the table by route (requests, time, DB statements per request);
 * 4. three cluster nodes on 127.0.0.1–3 sharing the same database behind nginx
 *    (deploy/nginx/mattermost-cluster.conf), when nginx and the cluster ports are available, each
 *    profiled as in step 2 and their profiles summed: set against step 2's, what being a cluster costs;
 * 2b. (after 2) the same unbounded run on one node with MetricsSettings.Enable on and its endpoint
 *    scraped every 15 s as Prometheus would, profiled the same way: supported users with metrics
 *    on against step 2's with them off (issue 16's goal: at most 3 % fewer).
 * 5. the read-replica variant (capacity-replica.ts): one node on a primary of the bench's own,
 *    without and then with a streaming replica (CAPACITY_REPLICA=0 skips it).
 *
 * Writes bench-results/capacity/ (reports, charts, profile), docs/capacity/*.svg and the
 * "## bench:capacity" section of docs/benchmarks.md. Environment knobs for shorter runs while
 * developing: CAPACITY_MAX_DURATION_SEC, CAPACITY_STABLE_WINDOW_SEC, CAPACITY_STEADY_USERS and
 * CAPACITY_STEADY_SEC (0 = no steady-state run), CAPACITY_CLUSTER=0, CAPACITY_SEED_USERS,
 * CAPACITY_SEED_POSTS, CAPACITY_METRICS=0 (no metrics-on run) and CAPACITY_SCRAPE_SEC (15),
 * and CAPACITY_SET='path=value;path=value' for any setting;
 * CAPACITY_RENDER_ONLY=1 only rewrites the docs section from the recorded results.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ADMIN_DSN, bindError, dropDatabase, freePort, HTTP_PORT, NGINX_BIN, nodeHost, sleep, STREAMING_PORT } from '#testing';
import { machineInfo, type MachineInfo } from '../../../../bench/machine.js';
import { runPgbench, type PgbenchResult } from '../../../../bench/pgbench.js';
import { replaceSection } from '../../../../bench/report.js';
import { runAndReport, type RunOutcome } from '../cli.js';
import { applySetting, loadConfig, repoRoot, type LoadTestConfig } from '../config.js';
import { idleTimeRangeMs, meanIdleTimeMs } from '../model/think-time.js';
import { acceptQueueText, timeoutPhasesText, writeChart, type Report } from '../report/report.js';
import { stallText } from '../report/stalls.js';
import { seed, type SeedSummary } from '../seed/seed.js';
import { HOLD_READY_SHARE } from '../run/driver.js';
import { startCluster, startSingleNode, type Target } from '../run/target.js';
import { withAndWithoutReplica } from './capacity-replica.js';
import { renderProfileSummary, summarizeProfile, type ProfileSummary } from './profile-summary.js';
import {
  eventPhaseRows,
  eventPhaseText,
  parseEventPhases,
  parseRouteCounters,
  parseRuntimePauses,
  pausesOverWindow,
  pausesText,
  renderRouteTable,
  renderStatementTable,
  renderWaitTable,
  routeRows,
  type EventPhaseCounts,
  type EventPhaseRow,
  type PausesOverWindow,
  type RouteCounters,
  type RuntimePauses,
  type RouteRow,
} from './route-table.js';
import { wsBroadcast, type BroadcastResult } from './ws-broadcast.js';

const COMMAND = 'npm run bench:capacity';
const HEADING = '## bench:capacity';
const ROOT = repoRoot();
const RESULTS = join(ROOT, 'bench-results/capacity');
const DOCS_CHARTS = join(ROOT, 'docs/capacity');
const GOAL_USERS = 5000;
const CLUSTER_NODES = 3;

const env = (name: string) => (process.env[name] !== undefined && process.env[name] !== '' ? Number(process.env[name]) : undefined);

function log(msg: string) {
  process.stdout.write(`[bench:capacity ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

function benchConfig(): LoadTestConfig {
  let config = loadConfig({ files: ['capacity.json'] });
  const set = (path: string, v: number | undefined) => {
    if (v !== undefined) config = applySetting(config, `${path}=${v}`);
  };
  set('coordinator.maxDurationSec', env('CAPACITY_MAX_DURATION_SEC'));
  set('coordinator.stableWindowSec', env('CAPACITY_STABLE_WINDOW_SEC'));
  set('seed.users', env('CAPACITY_SEED_USERS'));
  set('seed.posts', env('CAPACITY_SEED_POSTS'));
  // Any other setting, e.g. CAPACITY_SET='coordinator.thresholds.avgRequestMs=20;generator.workers=1'.
  for (const a of (process.env.CAPACITY_SET ?? '').split(';').filter(Boolean)) config = applySetting(config, a);
  return config;
}

interface TargetResult {
  name: string;
  target: string;
  report?: Report;
  chart?: string;
  skipped?: string;
}

interface ProfileResult {
  file: string;
  seconds: number;
  summary: ProfileSummary;
  text: string;
}

interface CapacityResults {
  date: string;
  command: string;
  machine: MachineInfo;
  loadAverageBefore1m: number;
  pgbench: PgbenchResult;
  broadcast: BroadcastResult[];
  seed: SeedSummary;
  single: TargetResult;
  /** CPU profile of the one-node unbounded run, from the first failing check to the end. */
  capacityProfile?: ProfileResult;
  /** The same one-node run with metrics on and scraped, and its profile. */
  metricsOn?: TargetResult & { scrapes: ScrapeStats; profile?: ProfileResult };
  /** One node holding a fixed number of users (bounded), and the profile of its hold. */
  steady?: {
    users: number;
    holdSec: number;
    report: Report;
    chart: string;
    profile?: ProfileResult;
    routes?: RouteRow[];
    /** The node's event timings over the hold (absent in older results). */
    eventPhases?: EventPhaseRow[];
    /** The node's GC pauses and event-loop delay over the hold (absent in older results). */
    pauses?: PausesOverWindow;
  };
  cluster: TargetResult;
  /** CPU profiles of the cluster's nodes, summed, from the first failing check to the end (absent in older results). */
  clusterProfile?: ProfileResult;
  /** One node on the bench's own primary, without and with a streaming replica. */
  replica?: { without: TargetResult; with: TargetResult };
  config: LoadTestConfig;
}

/** The read-replica variant: the same unbounded run on one node, without and with one replica. */
async function replicaVariant(config: LoadTestConfig): Promise<CapacityResults['replica']> {
  const { without, with: withReplica } = await withAndWithoutReplica(
    config,
    async (target, half) => {
      const slug = half === 'primary only' ? 'replica-without' : 'replica-with';
      const outcome = await runAndReport(config, target, 'unbounded', { out: join(RESULTS, slug), command: `${COMMAND} (${half})` });
      log(`${half}: ${outcome.report.result.supportedUsers} supported users`);
      return { name: `one node, ${half}`, target: target.description, report: outcome.report, chart: copyChart(outcome, slug) } satisfies TargetResult;
    },
    log,
  );
  return { without, with: withReplica };
}

/** Whether nginx is there and 127.0.0.1–3:8065 (and the gossip/streaming ports) are free. */
async function clusterUnavailable(): Promise<string | undefined> {
  if (process.env.CAPACITY_CLUSTER === '0') return 'CAPACITY_CLUSTER=0';
  if (!existsSync(NGINX_BIN)) return `${NGINX_BIN} not found`;
  for (let i = 0; i < CLUSTER_NODES; i++) {
    for (const port of [HTTP_PORT, STREAMING_PORT]) {
      if (await bindError(nodeHost(i), port, 'tcp')) return `${nodeHost(i)}:${port} is in use (another cluster running?)`;
    }
  }
  return undefined;
}

function copyChart(outcome: RunOutcome, name: string): string {
  mkdirSync(DOCS_CHARTS, { recursive: true });
  const dest = join(DOCS_CHARTS, `${name}.svg`);
  copyFileSync(outcome.files.svg, dest);
  return `capacity/${name}.svg`;
}

/** The server of a target, profiled on demand: bench/server-probe toggles V8's profiler on SIGUSR2. */
function probeEnv(dir: string): Record<string, string> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return { NODE_OPTIONS: `--import ${join(ROOT, 'dist-loadtest/bench/server-probe.js')}`, BENCH_CPU_PROFILE_DIR: dir };
}

/**
 * The servers' CPU profiles from the first failing health check (the load around capacity) to the
 * end of the run: the probe in each starts and stops its profiler on SIGUSR2. `hooks` go to runAndReport.
 */
function profileAroundCapacity(serverPids: number[]) {
  let since: number | undefined;
  const toggle = () => serverPids.forEach((pid) => process.kill(pid, 'SIGUSR2'));
  return {
    since: () => since,
    hooks: {
      onTick: (_p: unknown, state: { alerted: boolean }) => {
        if (state.alerted && since === undefined) {
          since = Date.now();
          toggle();
        }
      },
      onPhase: (phase: 'hold' | 'end') => {
        if (phase === 'end' && since !== undefined) toggle();
      },
    },
  };
}

/** The profile each probe wrote into its folder (one per server), renamed `<name>.cpuprofile` and summed. */
async function collectProfile(dirs: string | string[], name: string, startedAt: number | undefined): Promise<ProfileResult | undefined> {
  if (startedAt === undefined) return undefined;
  const paths: string[] = [];
  for (const dir of Array.isArray(dirs) ? dirs : [dirs]) {
    for (let i = 0; i < 100 && !readdirSync(dir).some((f) => f.endsWith('.cpuprofile')); i++) await sleep(100);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile') && /^\d+\./.test(f));
    if (!file) return undefined;
    paths.push(join(dir, `${name}.cpuprofile`));
    renameSync(join(dir, file), paths.at(-1)!);
  }
  const summary = summarizeProfile(
    paths.map((p) => JSON.parse(readFileSync(p, 'utf8'))),
    30,
  );
  const file = paths.map((p) => p.slice(ROOT.length + 1)).join(', ');
  return { file, seconds: Math.round((Date.now() - startedAt) / 1000), summary, text: renderProfileSummary(summary, 12, 15) };
}

/** What scraping the metrics endpoint cost and returned over a run. */
interface ScrapeStats {
  everySec: number;
  count: number;
  failed: number;
  avgMs: number;
  maxMs: number;
  /** Size of the last scrape's text. */
  bytes: number;
  /** Samples in the last scrape. */
  samples: number;
}

/**
 * Fetches `url` every `everySec` seconds, as a Prometheus server would, until stopped; keeps each
 * scrape's counters by handler for the table by route.
 */
function startScraper(
  url: string,
  everySec: number,
): {
  stop(): ScrapeStats;
  routesOverLast(seconds: number): RouteRow[];
  eventPhasesOverLast(seconds: number): EventPhaseRow[];
  pausesOverLast(seconds: number): PausesOverWindow | undefined;
} {
  const stats: ScrapeStats = { everySec, count: 0, failed: 0, avgMs: 0, maxMs: 0, bytes: 0, samples: 0 };
  const snapshots: Array<{ at: number; counters: RouteCounters; phases: EventPhaseCounts; pauses: RuntimePauses }> = [];
  let totalMs = 0;
  const scrape = async () => {
    const started = performance.now();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      if (!res.ok) throw new Error(String(res.status));
      const ms = performance.now() - started;
      stats.count++;
      totalMs += ms;
      stats.maxMs = Math.max(stats.maxMs, Math.round(ms));
      stats.bytes = text.length;
      stats.samples = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
      snapshots.push({ at: Date.now(), counters: parseRouteCounters(text), phases: parseEventPhases(text), pauses: parseRuntimePauses(text) });
    } catch {
      stats.failed++;
    }
  };
  /** The last scrape and the one nearest `seconds` before it; none with fewer than two scrapes. */
  const window = (seconds: number) => {
    const last = snapshots.at(-1);
    if (!last) return undefined;
    const from = last.at - seconds * 1000;
    const first = snapshots.reduce((best, s) => (Math.abs(s.at - from) < Math.abs(best.at - from) ? s : best), snapshots[0]);
    return first === last ? undefined : { first, last };
  };
  const timer = setInterval(() => void scrape(), everySec * 1000);
  return {
    stop() {
      clearInterval(timer);
      stats.avgMs = stats.count ? Math.round((totalMs / stats.count) * 10) / 10 : 0;
      return stats;
    },
    /** The table of the last `seconds` (the run's measured window), from the scrapes nearest its ends. */
    routesOverLast(seconds: number): RouteRow[] {
      const ends = window(seconds);
      return ends ? routeRows(ends.first.counters, ends.last.counters, (ends.last.at - ends.first.at) / 1000) : [];
    },
    /** The node's WebSocket event timings over the same window. */
    eventPhasesOverLast(seconds: number): EventPhaseRow[] {
      const ends = window(seconds);
      return ends ? eventPhaseRows(ends.first.phases, ends.last.phases) : [];
    },
    /** The node's pauses over the same window, from every scrape in it. */
    pausesOverLast(seconds: number): PausesOverWindow | undefined {
      const ends = window(seconds);
      if (!ends) return undefined;
      return pausesOverWindow(
        snapshots.filter((x) => x.at >= ends.first.at && x.at <= ends.last.at).map((x) => x.pauses),
        everySec,
      );
    },
  };
}

/**
 * Step 2 again with MetricsSettings.Enable on and the endpoint scraped every CAPACITY_SCRAPE_SEC
 * (15 s), profiled as step 2 is (from the first failing check), so that the two runs differ only by
 * the metrics: what they cost in supported users.
 */
async function metricsOnRun(config: LoadTestConfig, database: string) {
  const dir = join(RESULTS, 'profile-capacity-metrics');
  const port = await freePort('127.0.0.1');
  const target = await startSingleNode({
    database,
    env: { ...probeEnv(dir), MM_METRICSSETTINGS_ENABLE: 'true', MM_METRICSSETTINGS_LISTENADDRESS: `127.0.0.1:${port}` },
  });
  const scraper = startScraper(`http://127.0.0.1:${port}/metrics`, env('CAPACITY_SCRAPE_SEC') ?? 15);
  const profiler = profileAroundCapacity(target.pids);
  try {
    const outcome = await runAndReport(config, target, 'unbounded', {
      out: join(RESULTS, 'single-node-metrics'),
      command: `${COMMAND} (metrics on)`,
      ...profiler.hooks,
    });
    const scrapes = scraper.stop();
    return {
      name: 'one node, metrics on',
      target: `${target.description}, MetricsSettings.Enable on, scraped every ${scrapes.everySec} s`,
      report: outcome.report,
      chart: copyChart(outcome, 'single-node-metrics'),
      scrapes,
      profile: await collectProfile(dir, 'capacity-metrics', profiler.since()),
    };
  } finally {
    scraper.stop();
    await target.stop({ keepDatabase: true });
  }
}

/**
 * One node holding `users` users (bounded mode, Mattermost's login pace), its hold profiled, with
 * metrics and their statement counts on (MetricsSettings.EnableStatementCounts) and scraped: the
 * table by route over the hold.
 */
async function steadyRun(config: LoadTestConfig, database: string, users: number, seconds: number) {
  const dir = join(RESULTS, 'profile-steady');
  const port = await freePort('127.0.0.1');
  const target = await startSingleNode({
    database,
    env: {
      ...probeEnv(dir),
      MM_METRICSSETTINGS_ENABLE: 'true',
      MM_METRICSSETTINGS_ENABLESTATEMENTCOUNTS: 'true',
      MM_METRICSSETTINGS_LISTENADDRESS: `127.0.0.1:${port}`,
    },
  });
  const scraper = startScraper(`http://127.0.0.1:${port}/metrics`, env('CAPACITY_SCRAPE_SEC') ?? 15);
  let startedAt: number | undefined;
  try {
    let cfg = applySetting(config, `bounded.users=${users}`);
    cfg = applySetting(cfg, `bounded.durationSec=${seconds}`);
    const pid = target.pids[0];
    const outcome = await runAndReport(cfg, target, 'bounded', {
      out: join(RESULTS, 'steady'),
      command: `${COMMAND} (steady state)`,
      onPhase: (phase) => {
        if (phase === 'hold') startedAt = Date.now();
        if (startedAt !== undefined) process.kill(pid, 'SIGUSR2');
      },
    });
    scraper.stop();
    return {
      users,
      holdSec: seconds,
      report: outcome.report,
      chart: copyChart(outcome, 'steady-state'),
      profile: await collectProfile(dir, 'steady-hold', startedAt),
      routes: scraper.routesOverLast(outcome.report.result.measuredSec),
      eventPhases: scraper.eventPhasesOverLast(outcome.report.result.measuredSec),
      pauses: scraper.pausesOverLast(outcome.report.result.measuredSec),
    };
  } finally {
    scraper.stop();
    await target.stop({ keepDatabase: true });
  }
}

async function main(): Promise<CapacityResults> {
  const config = benchConfig();
  const machine = await machineInfo(ADMIN_DSN);
  const loadAverageBefore1m = Math.round(loadavg()[0] * 100) / 100;
  log(`${machine.nproc} cores (${machine.cpuModel}), Node ${machine.node}, PostgreSQL ${machine.postgres}, load average ${loadAverageBefore1m}`);
  mkdirSync(RESULTS, { recursive: true });

  log('pgbench: single-row INSERT, 16 clients, 2 threads, 10 s');
  const pgbench = await runPgbench(ADMIN_DSN);
  log(`pgbench: ${Math.round(pgbench.tps)} TPS`);
  const broadcast: BroadcastResult[] = [];
  for (const sockets of [1000, GOAL_USERS]) {
    const b = await wsBroadcast({ sockets });
    broadcast.push(b);
    log(
      `raw ws broadcast to ${sockets} sockets: one at a time p50 ${b.sequential.p50Ms} ms p99 ${b.sequential.p99Ms} ms; pipelined ${b.pipelined.deliveriesPerSec} deliveries/s`,
    );
  }

  // ---- one node ------------------------------------------------------------------------------------
  const capacityProfileDir = join(RESULTS, 'profile-capacity');
  let target: Target | undefined = await startSingleNode({ env: probeEnv(capacityProfileDir) });
  const database = target.database!;
  const results: Partial<CapacityResults> = {
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    command: COMMAND,
    machine,
    loadAverageBefore1m,
    pgbench,
    broadcast,
    config,
  };
  try {
    log(`one node: ${target.description}`);
    results.seed = await seed({ ...config, target: { ...config.target, url: target.url, databaseUrl: target.databaseUrl! } });
    // The profiler runs from the first failing health check (the load around capacity) to the end.
    const profiler = profileAroundCapacity(target.pids);
    const single = await runAndReport(config, target, 'unbounded', {
      out: join(RESULTS, 'single-node'),
      command: COMMAND,
      ...profiler.hooks,
    });
    results.single = { name: 'one node', target: target.description, report: single.report, chart: copyChart(single, 'single-node') };
    results.capacityProfile = await collectProfile(capacityProfileDir, 'capacity', profiler.since());
    if (results.capacityProfile) log(`profile around capacity:\n${results.capacityProfile.text}`);
    await target.stop({ keepDatabase: true });
    target = undefined;

    if (process.env.CAPACITY_METRICS !== '0') {
      log('one node again, metrics on and scraped');
      results.metricsOn = await metricsOnRun(config, database);
      log(`metrics on: ${n0(results.metricsOn.report?.result.supportedUsers)} supported users (off: ${n0(results.single.report?.result.supportedUsers)})`);
    }

    // At capacity: as many users as the unbounded run supported (3,000 if it found none).
    const steadyUsers = env('CAPACITY_STEADY_USERS') ?? (results.single.report?.result.supportedUsers || 3000);
    const steadySec = env('CAPACITY_STEADY_SEC') ?? 180;
    if (steadySec > 0 && steadyUsers > 0) {
      log(`steady state: one node holding ${steadyUsers} users for ${steadySec} s`);
      results.steady = await steadyRun(config, database, steadyUsers, steadySec);
      if (results.steady.profile) log(`profile of the hold:\n${results.steady.profile.text}`);
    }

    // ---- three nodes behind nginx --------------------------------------------------------------------
    const unavailable = await clusterUnavailable();
    if (unavailable) {
      log(`cluster skipped: ${unavailable}`);
      results.cluster = { name: `${CLUSTER_NODES} nodes behind nginx`, target: '', skipped: unavailable };
    } else {
      try {
        // Each node profiled as the one node was, so that what being a cluster costs has a name.
        const dirs = Array.from({ length: CLUSTER_NODES }, (_, i) => join(RESULTS, 'profile-cluster', `node${i}`));
        const probes = dirs.map(probeEnv); // each node's own folder, emptied now
        target = await startCluster(CLUSTER_NODES, { database, nodeEnv: (i) => probes[i] });
        log(`cluster: ${target.description}`);
        const profiler = profileAroundCapacity(target.pids);
        const cluster = await runAndReport(config, target, 'unbounded', { out: join(RESULTS, 'cluster'), command: COMMAND, ...profiler.hooks });
        results.cluster = {
          name: `${CLUSTER_NODES} nodes behind nginx`,
          target: target.description,
          report: cluster.report,
          chart: copyChart(cluster, 'cluster-3-nodes'),
        };
        results.clusterProfile = await collectProfile(dirs, 'cluster', profiler.since());
        if (results.clusterProfile) log(`profile of the cluster's nodes around capacity:\n${results.clusterProfile.text}`);
      } catch (err) {
        log(`cluster failed: ${(err as Error).stack ?? err}`);
        results.cluster = {
          name: `${CLUSTER_NODES} nodes behind nginx`,
          target: target?.description ?? '',
          skipped: `failed: ${(err as Error).message.split('\n')[0]}`,
        };
      }
    }
    if (process.env.CAPACITY_REPLICA !== '0') {
      try {
        results.replica = await replicaVariant(config);
      } catch (err) {
        log(`replica variant failed: ${(err as Error).stack ?? err}`);
      }
    }
  } finally {
    await target?.stop({ keepDatabase: true }).catch(() => undefined);
    await dropDatabase(database).catch(() => undefined);
  }
  return results as CapacityResults;
}

// ---- docs/benchmarks.md ---------------------------------------------------------------------------

const n0 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : Math.round(v).toLocaleString('en-US'));
/** A ratio as a percentage with two significant digits (0.0042 → "0.42 %"). */
const pct = (ratio: number) => (Number.isFinite(ratio) ? `${Number((ratio * 100).toPrecision(2))} %` : '–');
const n1 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : String(Math.round(v * 10) / 10));

function targetRow(t: TargetResult): string {
  if (!t.report) return `| ${t.name} | not run: ${t.skipped} | | | | | | | |`;
  const r = t.report.result;
  const res = t.report.resources;
  const g = t.report.generator;
  return (
    `| ${t.name} | **${n0(r.supportedUsers)}**${r.converged ? '' : ' (not converged)'} | ${n1(r.requestsPerSec)} | ${n1(r.latency.avgMs)} / ${n1(r.latency.p99Ms)} ms | ` +
    `${r.errors.http5xx + r.errors.network} / ${r.errors.timeouts} | ${n1(r.websocket.eventsPerSec)} ev/s, delivery p99 ${n1(r.websocket.delivery.p99Ms)} ms | ` +
    `${n0(res.server.cpuPercentAvg)} % / ${n0(res.server.rssMiBMax)} MiB | ${n0(res.postgresCpuPercentAvg)} % | ${n0(g.avgCpuPercent)} %, ELU peak ${n1(g.peakElu)}${g.saturated ? ' **saturated**' : ''} |`
  );
}

function stopLine(t: TargetResult): string {
  if (!t.report) return '';
  const r = t.report;
  const fails = new Map<string, number>();
  for (const p of r.timeline)
    for (const f of p.failures) {
      const k = f.split(' ')[0];
      fails.set(k, (fails.get(k) ?? 0) + 1);
    }
  const failText = [...fails].map(([k, v]) => `${k} ${v}×`).join(', ') || 'none';
  const phases = timeoutPhasesText(r);
  const timeoutText = phases ? ` Timeouts by endpoint and phase: ${phases}.` : '';
  const queue = acceptQueueText(r);
  const queueText = queue ? ` Accept queue of the port the users connect to: ${queue}.` : '';
  return `- ${t.name}: ${r.durationSec} s, ${r.stopReason}; figures over the last ${r.result.measuredSec} s (users ${r.result.users.min}–${r.result.users.max}); failing checks at the ticks (by check): ${failText}.${timeoutText}${queueText} ${r.generator.note}. Chart: [${t.chart}](${t.chart}).`;
}

/** Whether the health checks held over a bounded run's hold (as the coordinator would judge them). */
function healthVerdict(report: Report): string {
  const t = report.config.coordinator.thresholds;
  const l = report.result.latency;
  const e = report.result.errors;
  const fails: string[] = [];
  if ((l.avgMs ?? 0) >= t.avgRequestMs) fails.push(`avg ≥ ${t.avgRequestMs} ms`);
  if ((l.p99Ms ?? 0) >= t.p99RequestMs) fails.push(`p99 ≥ ${t.p99RequestMs} ms`);
  if ((e.http5xxPercent ?? 0) >= t.http5xxPercent) fails.push(`5xx ≥ ${t.http5xxPercent} %`);
  if ((e.timeoutPercent ?? 0) >= t.timeoutPercent) fails.push(`timeouts ≥ ${t.timeoutPercent} %`);
  return fails.length ? `**failed** (${fails.join(', ')})` : '**held**';
}

/** Issue 16's goal: metrics on cost at most 3 % of the supported users. */
const METRICS_GOAL_PERCENT = 3;

/** The metrics-on run against the metrics-off one (step 2b against step 2). */
function metricsComparison(r: CapacityResults): string {
  const off = r.single.report?.result;
  const on = r.metricsOn?.report?.result;
  if (!r.metricsOn || !off || !on) return r.metricsOn?.skipped ? `**Metrics on**: not run (${r.metricsOn.skipped}).` : '';
  const fewer = ((off.supportedUsers ?? 0) - (on.supportedUsers ?? 0)) / Math.max(1, off.supportedUsers ?? 1);
  const s = r.metricsOn.scrapes;
  const cpu = (t: TargetResult) => t.report?.resources.perRequest.serverCpuMs;
  return (
    `**Metrics on** (\`${COMMAND}\` step 2b: the same unbounded run on one node with MetricsSettings.Enable on and its endpoint scraped every ${s.everySec} s as Prometheus would, ${s.count} scrapes of ${n0(s.bytes / 1024)} KiB and ${n0(s.samples)} samples, avg ${n1(s.avgMs)} ms, max ${s.maxMs} ms, ${s.failed} failed): ` +
    `**${n0(on.supportedUsers)}** supported users against ${n0(off.supportedUsers)} with metrics off, ${fewer >= 0 ? `${n1(fewer * 100)} % fewer` : `${n1(-fewer * 100)} % more`} ` +
    `(goal ≤ ${METRICS_GOAL_PERCENT} % fewer: **${fewer * 100 <= METRICS_GOAL_PERCENT ? 'met' : 'not met'}**); server CPU per request ${cpu(r.metricsOn)} ms against ${cpu(r.single)} ms. ` +
    `The two runs follow each other on the same machine, so part of the difference is the machine's noise.`
  );
}

export function renderDocs(r: CapacityResults): string {
  const m = r.machine;
  const u = r.config.userController;
  const k = r.config.coordinator;
  const single = r.single.report?.result;
  const cluster = r.cluster.report?.result;
  const [low, high] = idleTimeRangeMs(u.minIdleTimeMs, u.avgIdleTimeMs, u.rate);
  const out: string[] = [];
  out.push(HEADING, '');
  out.push(
    `Command: \`${r.command}\` (builds the server and the load test, then runs \`node dist-loadtest/apps/loadtest/src/bench/capacity.js\`). Raw reports: \`bench-results/capacity/\`.`,
    '',
  );
  out.push(
    `Run ${r.date} on ${m.nproc} cores (${m.cpuModel}), ${m.totalRamGiB} GiB RAM, Node ${m.node}, PostgreSQL ${m.postgres}; the server(s), PostgreSQL, nginx and the load generator all on this machine, all traffic over loopback (1-minute load average before the run: ${r.loadAverageBefore1m}).`,
    '',
  );
  out.push(
    `**Method** — Mattermost's load-test-ng model (apps/loadtest, \`config/default.json\` + \`config/capacity.json\`): each simulated user logs in, opens one WebSocket, joins a team and loops weighted actions (SwitchChannel 48 %, ScrollChannel 15 %, CreatePost and UnreadCheck 7.4 % each, …) with a think time uniform in [${n0(low / 1000)} s, ${n0(high / 1000)} s) (mean ${n0(meanIdleTimeMs(u.avgIdleTimeMs, u.rate) / 1000)} s), plus a status poll every ${u.statusPollIntervalMs / 1000} s. ` +
      `Unbounded mode: +${k.numUsersInc} users every ${k.updateIntervalMs / 1000} s while, over the last ${k.healthWindowSec} s of client-side requests, avg < ${k.thresholds.avgRequestMs} ms, p99 < ${k.thresholds.p99RequestMs} ms, 5xx < ${k.thresholds.http5xxPercent} % and timeouts < ${k.thresholds.timeoutPercent} %; −${k.numUsersDec} when one fails; **supported users = average active users over the last ${k.stableWindowSec} s** (Mattermost: 30 min) once their slope is under ${k.stopSlope} users/s, or when the run reaches ${k.maxDurationSec} s.`,
    '',
  );
  out.push(
    `Data set (seeded: users and posts in bulk into PostgreSQL, the rest through the REST API, ${r.seed.seconds} s): ${n0(r.seed.teams)} teams, ${n0(r.seed.users)} users (2 teams each), ${n0(r.seed.publicChannels)} public and ${n0(r.seed.privateChannels)} private channels, ${n0(r.seed.directChannels)} DMs, ${n0(r.seed.groupChannels)} GMs, ${n0(r.seed.posts)} posts (18 % replies, ~35 words).`,
    '',
  );
  out.push('| Target | Supported users | req/s | avg / p99 | 5xx / timeouts | WebSocket | server CPU / RSS max | PostgreSQL CPU | generator CPU |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  out.push(
    targetRow(r.single),
    ...(r.metricsOn ? [targetRow(r.metricsOn)] : []),
    targetRow(r.cluster),
    ...(r.replica ? [targetRow(r.replica.without), targetRow(r.replica.with)] : []),
    '',
  );
  out.push(
    'CPU in % of one core (the machine has ' +
      `${m.nproc * 100} %); figures over the supported-users window. Other processes on the machine (nginx, other work) used ${[r.single, r.cluster]
        .filter((t) => t.report)
        .map((t) => `${n0(t.report!.resources.otherCpuPercentAvg)} % during the ${t.name} run`)
        .join(' and ')}.`,
    '',
  );
  for (const t of [r.single, ...(r.metricsOn ? [r.metricsOn] : []), r.cluster, ...(r.replica ? [r.replica.without, r.replica.with] : [])]) {
    const line = stopLine(t);
    if (line) out.push(line);
  }
  out.push('');
  const b1 = r.broadcast[0];
  const b5 = r.broadcast[r.broadcast.length - 1];
  out.push('**Physical references** (same run, same machine):', '');
  out.push(`- \`${r.pgbench.command}\` (single-row INSERT) on the same PostgreSQL: **${n0(r.pgbench.tps)} TPS**.`);
  for (const b of r.broadcast) {
    out.push(
      `- Bare \`ws\` server broadcasting a ${b.frameBytes}-byte \`posted\`-sized frame to ${n0(b.sockets)} local sockets: one broadcast to all of them p50 ${n1(b.sequential.p50Ms)} ms, p99 ${n1(b.sequential.p99Ms)} ms; ${b.pipelined.broadcasts} back to back: **${n0(b.pipelined.deliveriesPerSec)} deliveries/s**.`,
    );
  }
  if (single) {
    const rep = r.single.report!;
    const postsPerSec = rep.result.endpoints['POST /posts']?.perSec ?? 0;
    const xacts = rep.resources.postgresXactPerSecAvg ?? 0;
    const nearest = [...r.broadcast].sort((a, b) => Math.abs(a.sockets - (single.supportedUsers ?? 0)) - Math.abs(b.sockets - (single.supportedUsers ?? 0)))[0];
    out.push(
      `- Ratios for one node: ${n0((single.supportedUsers ?? 0) / m.nproc)} supported users per core (Mattermost's ceiling tests: 108 per vCPU on 1 × c7i.large with its database on another machine, 1,050–2,150 per vCPU on larger nodes); ` +
        `at capacity ${n1(single.requestsPerSec)} req/s, ${n1(postsPerSec)} posts/s, and the server's database committed ${n0(xacts)} transactions/s = ${pct(xacts / r.pgbench.tps)} of pgbench's INSERT TPS; ` +
        `${n1(single.websocket.eventsPerSec)} WebSocket events/s delivered = ${pct((single.websocket.eventsPerSec ?? 0) / nearest.pipelined.deliveriesPerSec)} of the raw ws deliveries/s to ${n0(nearest.sockets)} sockets.`,
    );
  }
  for (const t of [r.single, r.cluster]) {
    const pr = t.report?.resources.perRequest;
    if (pr)
      out.push(
        `- ${t.name}, CPU per request at capacity: server ${pr.serverCpuMs} ms, PostgreSQL ${pr.postgresCpuMs} ms (${pr.postgresXacts} transactions per request), load generator ${pr.generatorCpuMs} ms.`,
      );
    const stalls = t.report?.stalls;
    if (stalls) out.push(`- ${t.name}, ${stallText(stalls)}.`);
    const b = t.report?.resources.postgresBackends;
    if (b && Object.keys(b).length)
      out.push(
        `- ${t.name}: the database's busy backends on average (state, wait event): ${Object.entries(b)
          .slice(0, 6)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}.`,
      );
  }
  out.push('');
  const met = (single?.supportedUsers ?? 0) >= GOAL_USERS;
  out.push(`**Goal** ≥ ${n0(GOAL_USERS)} supported users on one node: **${met ? 'met' : 'not met'}** (${n0(single?.supportedUsers)}).`, '');
  if (r.replica?.without.report && r.replica.with.report) {
    const [a, b] = [r.replica.without.report.result.supportedUsers ?? 0, r.replica.with.report.result.supportedUsers ?? 0];
    out.push(
      `**Goal** more supported users with one read replica (both halves on the bench's own primary, seeded once; the replica and the primary share this machine's cores): **${b > a ? 'met' : 'not met'}** (${n0(a)} → ${n0(b)}).`,
      '',
    );
  }
  if (cluster && single)
    out.push(
      `Three nodes behind nginx on the same two cores support ${n0(cluster.supportedUsers)} users, ${n1(((cluster.supportedUsers ?? 0) / Math.max(1, single.supportedUsers ?? 1)) * 100)} % of one node: the nodes, nginx and the cluster traffic share the cores that one node had alone.`,
      '',
    );
  const metricsLine = metricsComparison(r);
  if (metricsLine) out.push(metricsLine, '');
  if (r.steady?.routes?.length) {
    out.push(
      `**By route** (the steady-state hold below, ${n0(r.steady.users)} users, with MetricsSettings.Enable and EnableStatementCounts on; from the server's own counters: time from routing to the answer, and the database statements each request ran with the time it waited on them; the users' view by endpoint is in \`bench-results/capacity/steady/report.json\`):`,
      '',
      renderRouteTable(r.steady.routes ?? []),
      '',
    );
  }
  if (r.steady?.eventPhases?.length) {
    out.push(
      `**WebSocket events on the node** over the same hold (its own histogram, \`mattermost_websocket_event_phase_seconds\`: queued behind earlier events, then delivering to its sockets; the users' delivery latency adds the post's own request before and the sockets and the client after): ${eventPhaseText(r.steady.eventPhases)}.`,
      '',
    );
  }
  if (r.steady?.pauses) {
    out.push(
      `**Pauses on the node** over the same hold (Node's runtime metrics, \`mattermost_nodejs_gc_duration_seconds\` and \`mattermost_nodejs_eventloop_lag_*\`; every request and event waits through them): ${pausesText(r.steady.pauses)}.`,
      '',
    );
  }
  if (r.steady) {
    const st = r.steady.report.result;
    const res = r.steady.report.resources;
    const atHold = r.steady.report.timeline.find((p) => p.t >= st.measuredFromSec) ?? r.steady.report.timeline.at(-1);
    const readyAtHold = atHold?.ready ?? 0;
    const allIn = readyAtHold >= HOLD_READY_SHARE * r.steady.users;
    const logins = st.actions.Login?.count ?? 0;
    const inits = st.actions.InitialJoinTeam?.count ?? 0;
    out.push(
      `**Steady state** (\`${COMMAND}\` step 3): the same node given **${n0(r.steady.users)} users** in bounded mode, added ${r.config.coordinator.numUsersInc} per ${r.config.coordinator.updateIntervalMs / 1000} s (Mattermost's pace), then held ${r.steady.holdSec} s. ` +
        (allIn
          ? `The hold started once ${n0(readyAtHold)} of them were logged in and in a team, so it measures users that are in. `
          : `Only ${n0(readyAtHold)} of them had logged in and joined a team 180 s after the last one was added, when the hold started: the others kept logging in and loading their first channel during the hold (${n0(logins)} logins and ${n0(inits)} team loads started in it), so this is the node overloaded by arrivals, not a steady state. `) +
        `Over the hold: ${n1(st.requestsPerSec)} req/s, avg ${n1(st.latency.avgMs)} ms, p99 ${n1(st.latency.p99Ms)} ms, 5xx or refused ${st.errors.http5xx + st.errors.network}, timeouts ${st.errors.timeouts} (${st.errors.timeoutPercent} %); ${n1(st.websocket.eventsPerSec)} WebSocket events/s, delivery p99 ${n1(st.websocket.delivery.p99Ms)} ms, ${st.websocket.reconnects} socket reconnects; ` +
        `server CPU ${n0(res.server.cpuPercentAvg)} %, RSS ${n0(res.server.rssMiBMax)} MiB; PostgreSQL CPU ${n0(res.postgresCpuPercentAvg)} %; machine ${n0(res.machineCpuPercentAvg)} % of ${m.nproc * 100} %; the health checks over the whole hold: ${healthVerdict(r.steady.report)}. Chart: [${r.steady.chart}](${r.steady.chart}).`,
      '',
    );
  }
  if (single && r.single.report) {
    const rep = r.single.report;
    const res = rep.resources;
    const total = rep.result.requests || 1;
    const top = Object.entries(rep.result.endpoints)
      .slice(0, 4)
      .map(([k, e]) => `\`${k}\` ${pct(e.count / total)}`);
    const actions = Object.entries(rep.result.actions)
      .sort((a, b) => b[1].requests.count - a[1].requests.count)
      .slice(0, 5)
      .map(([k, a]) => `${k} ${pct(a.requests.count / total)}`);
    const ours = r.capacityProfile?.summary.ours
      .filter((o) => o.where)
      .slice(0, 5)
      .map((o) => `\`${o.fn}\` (${o.where.replace(/^dist\//, '')}) ${o.percentOfBusy} %`);
    out.push('**What limits one node here** (from the figures above and the profile below):', '');
    out.push(
      `- The cores, shared: at capacity the machine ran ${n0(res.machineCpuPercentAvg)} % of ${m.nproc * 100} % on average (server ${n0(res.server.cpuPercentAvg)} %, PostgreSQL ${n0(res.postgresCpuPercentAvg)} %, load generator ${n0(rep.generator.avgCpuPercent)} %, other ${n0(res.otherCpuPercentAvg)} %), and each request cost ${n1((res.perRequest.serverCpuMs ?? 0) + (res.perRequest.postgresCpuMs ?? 0) + (res.perRequest.generatorCpuMs ?? 0))} ms of CPU in all (server ${res.perRequest.serverCpuMs}, PostgreSQL ${res.perRequest.postgresCpuMs}, generator ${res.perRequest.generatorCpuMs}); the checks that failed: ${[...new Set(rep.timeline.flatMap((p) => p.failures.map((f) => f.split(' ')[0])))].join(', ') || 'none'}.`,
      `- The requests: ${top.join(', ')} of all requests; by action ${actions.join(', ')} (the arrivals — Login and InitialJoinTeam — are the coordinator's +${r.config.coordinator.numUsersInc} users every ${r.config.coordinator.updateIntervalMs / 1000} s).`,
    );
    if (ours?.length) out.push(`- The server's own code with the most CPU (all time under it): ${ours.join(', ')} of its busy time.`);
    out.push(
      '',
      `The endpoints that made the users wait most (one node, client-side, over the measured window):`,
      '',
      renderWaitTable(rep.result.endpoints),
      '',
    );
  }
  for (const t of [r.single, r.cluster]) {
    const statements = t.report?.resources.postgresStatements;
    if (!statements || !Object.keys(statements).length) continue;
    const stalls = t.report?.stalls;
    out.push(
      `What PostgreSQL's busy backends ran (${t.name}; average backends, read every 100 ms from \`pg_stat_activity\`; "idle in transaction after" is a transaction waiting on the server after that statement; a one-trip transaction is named by its statements)` +
        (stalls ? `, over the window and in the ticks whose requests averaged ≥ ${stalls.slowMs} ms against the others at a like load:` : ':'),
      '',
      renderStatementTable(statements, stalls ? { slow: stalls.slow.statements, other: stalls.otherAtLikeLoad.statements } : undefined),
      '',
    );
  }
  if (r.capacityProfile) {
    out.push(
      `**Where one node's CPU goes around capacity** (V8 CPU profile of the server during the unbounded run, from the first failing check to the end, ${r.capacityProfile.seconds} s, \`${r.capacityProfile.file}\`):`,
      '',
    );
    out.push('```', r.capacityProfile.text, '```', '');
  }
  if (r.clusterProfile) {
    out.push(
      `**Where the ${CLUSTER_NODES} nodes' CPU goes around capacity** (their V8 CPU profiles summed, from the first failing check to the end of the cluster run, ${r.clusterProfile.seconds} s; against one node's above, this is what being a cluster costs: \`${r.clusterProfile.file}\`):`,
      '',
    );
    out.push('```', r.clusterProfile.text, '```', '');
  }
  if (r.steady?.profile) {
    out.push(`**…and in the steady state** (${n0(r.steady.users)} users, the ${r.steady.profile.seconds} s hold, \`${r.steady.profile.file}\`):`, '');
    out.push('```', r.steady.profile.text, '```', '');
  }
  return out.join('\n') + '\n';
}

/**
 * CAPACITY_RENDER_ONLY=1 rewrites the docs section from the recorded results (capacity.json and
 * the full reports beside it) without running anything, e.g. after a change to the wording.
 */
function recordedResults(): CapacityResults {
  const saved = JSON.parse(readFileSync(join(RESULTS, 'capacity.json'), 'utf8')) as CapacityResults;
  const full = (dir: string) =>
    existsSync(join(RESULTS, dir, 'report.json')) ? (JSON.parse(readFileSync(join(RESULTS, dir, 'report.json'), 'utf8')) as Report) : undefined;
  if (saved.single.report) saved.single.report = full('single-node') ?? saved.single.report;
  if (saved.cluster.report) saved.cluster.report = full('cluster') ?? saved.cluster.report;
  if (saved.metricsOn?.report) saved.metricsOn.report = full('single-node-metrics') ?? saved.metricsOn.report;
  if (saved.steady) saved.steady.report = full('steady') ?? saved.steady.report;
  // Charts too, from the full reports (bench-results/capacity/*/chart.svg and their copies in docs/capacity).
  for (const [dir, name] of [
    ['single-node', 'single-node'],
    ['single-node-metrics', 'single-node-metrics'],
    ['cluster', 'cluster-3-nodes'],
    ['steady', 'steady-state'],
  ]) {
    const rep = full(dir);
    if (!rep) continue;
    writeChart(join(RESULTS, dir, 'chart.svg'), rep);
    if (existsSync(join(DOCS_CHARTS, `${name}.svg`))) writeChart(join(DOCS_CHARTS, `${name}.svg`), rep);
  }
  return saved;
}

const renderOnly = process.env.CAPACITY_RENDER_ONLY === '1';
const results = renderOnly ? recordedResults() : await main();
mkdirSync(RESULTS, { recursive: true });
const withoutTimeline = (rep?: Report) => rep && { ...rep, timeline: undefined };
if (!renderOnly)
  writeFileSync(
    join(RESULTS, 'capacity.json'),
    JSON.stringify(
      {
        ...results,
        single: { ...results.single, report: withoutTimeline(results.single.report) },
        cluster: { ...results.cluster, report: withoutTimeline(results.cluster.report) },
        metricsOn: results.metricsOn && { ...results.metricsOn, report: withoutTimeline(results.metricsOn.report) },
        steady: results.steady && { ...results.steady, report: withoutTimeline(results.steady.report) },
      },
      null,
      2,
    ),
  );
const docsPath = join(ROOT, 'docs/benchmarks.md');
const doc = existsSync(docsPath) ? readFileSync(docsPath, 'utf8') : '# Benchmarks\n';
writeFileSync(docsPath, replaceSection(doc, HEADING, renderDocs(results)));
log(`wrote ${docsPath} (${HEADING}) and ${RESULTS}`);
process.exit(0);
