/**
 * The run's report: a JSON file with every figure (per endpoint, per action, WebSocket, server and
 * generator resources, the timeline), an SVG chart, and a short text summary for the terminal.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadTestConfig } from '../config.js';
import type { LatencySummary } from '../metrics/histogram.js';
import type { RunResult } from '../run/driver.js';
import type { Target } from '../run/target.js';
import { renderChart } from './chart.js';
import { averageByKey, compareStalls, type StallComparison, stallText } from './stalls.js';

const r1 = (v: number) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);
const r3 = (v: number) => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 : null);

function latency(s: LatencySummary) {
  return { count: s.count, avgMs: r1(s.avg), p50Ms: r1(s.p50), p90Ms: r1(s.p90), p99Ms: r1(s.p99), maxMs: r1(s.max) };
}

export interface Report {
  tool: string;
  mode: RunResult['mode'];
  command: string;
  startedAt: string;
  durationSec: number;
  stopReason: string;
  target: { description: string; url: string; nodes: number; pids: number[] };
  machine: Record<string, unknown>;
  result: {
    supportedUsers?: number;
    converged?: boolean;
    measuredFromSec: number;
    measuredSec: number;
    users: { avg: number | null; min: number; max: number };
    requestsPerSec: number | null;
    requests: number;
    latency: ReturnType<typeof latency>;
    errors: {
      http4xx: number;
      http5xx: number;
      timeouts: number;
      network: number;
      http5xxPercent: number | null;
      timeoutPercent: number | null;
      /** Timeouts by endpoint and where the request was stuck: connecting, or connected without an answer (on a new or a reused connection). */
      timeoutsByPhase: Record<string, number>;
      samples: string[];
    };
    websocket: {
      events: number;
      eventsPerSec: number | null;
      byType: Record<string, number>;
      delivery: ReturnType<typeof latency>;
      connects: number;
      reconnects: number;
      closes: number;
      errors: number;
    };
    loginFailures: number;
    actions: Record<
      string,
      { count: number; perMinutePerUser: number | null; failed: number; duration: ReturnType<typeof latency>; requests: ReturnType<typeof latency> }
    >;
    endpoints: Record<
      string,
      { count: number; perSec: number | null; http4xx: number; http5xx: number; timeouts: number; network: number; latency: ReturnType<typeof latency> }
    >;
    skippedCalls: Record<string, number>;
  };
  /** The whole run, ramp included. */
  whole: {
    requests: number;
    requestsPerSec: number | null;
    latency: ReturnType<typeof latency>;
    http5xx: number;
    timeouts: number;
    websocket: { events: number; connects: number; reconnects: number; closes: number };
  };
  resources: {
    server: { cpuPercentAvg: number | null; cpuPercentMax: number | null; rssMiBMax: number | null; rssMiBLast: number | null };
    postgresCpuPercentAvg: number | null;
    /** Average busy backends of the server's database by state and wait event. */
    postgresBackends: Record<string, number>;
    /** Average busy backends by the statement they ran, most first (absent in older reports). */
    postgresStatements?: Record<string, number>;
    /** Transactions per second committed by the server's database. */
    postgresXactPerSecAvg: number | null;
    machineCpuPercentAvg: number | null;
    /** Machine CPU not used by the server, PostgreSQL or this generator (nginx, other work on the machine). */
    otherCpuPercentAvg: number | null;
    cores: number;
    /**
     * The accept queue of the port the users connect to over the measured window: the most
     * connections seen waiting to be accepted, and the connections dropped because it was full
     * (their SYNs are retried after 1, 3, 7 s: requests that time out "connecting").
     */
    acceptQueue: { maxWaiting: number; dropped: number };
    /** CPU spent per request over the measured window (server, all PostgreSQL processes, this generator), and database transactions per request. */
    perRequest: { serverCpuMs: number | null; postgresCpuMs: number | null; generatorCpuMs: number | null; postgresXacts: number | null };
  };
  generator: RunResult['generator'] & { saturated: boolean; note: string; rssMiBMax: number | null };
  /** The whole run's slow ticks against its other ticks at a like load (null when none was slow). */
  stalls?: StallComparison | null;
  config: LoadTestConfig;
  timeline: RunResult['timeline'];
}

export function buildReport(opts: { result: RunResult; config: LoadTestConfig; target: Target; machine: Record<string, unknown>; command: string }): Report {
  const { result: r, config, target } = opts;
  const m = r.measured;
  const secs = Math.max(1e-9, m.seconds);
  const inMeasured = r.timeline.filter((p) => p.t >= r.measuredFromSec);
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const users = r.measuredUsers.avg;
  const actions: Report['result']['actions'] = {};
  for (const [name, a] of [...m.actions].sort((x, y) => y[1].count - x[1].count)) {
    actions[name] = {
      count: a.count,
      perMinutePerUser: users > 0 ? r3((a.count / secs / users) * 60) : null,
      failed: a.failed,
      duration: latency(a.duration.summary()),
      requests: latency(a.requests.summary()),
    };
  }
  const endpoints: Report['result']['endpoints'] = {};
  for (const [name, e] of [...m.endpoints].sort((x, y) => y[1].count - x[1].count)) {
    endpoints[name] = {
      count: e.count,
      perSec: r1(e.count / secs),
      http4xx: e.err4xx,
      http5xx: e.err5xx,
      timeouts: e.timeouts,
      network: e.network,
      latency: latency(e.latency.summary()),
    };
  }
  const eluSaturated = r.generator.saturatedTicks > 0.05 * Math.max(1, r.generator.ticks);
  const machineAvg = avg(inMeasured.map((p) => p.resources.machineCpuPercent));
  const cores = r.timeline[0]?.resources.cores ?? 1;
  const notes: string[] = [];
  notes.push(
    `peak event-loop utilisation of a worker ${r.generator.peakElu.toFixed(2)} (saturated at ≥ ${config.generator.saturationElu}) in ${r.generator.saturatedTicks} of ${r.generator.ticks} ticks`,
  );
  notes.push(
    `generator CPU ${r.generator.avgCpuPercent.toFixed(0)} % of one core on average, ${r.generator.peakCpuPercent.toFixed(0)} % at peak, over ${r.generator.workers} worker thread(s)`,
  );
  if (machineAvg > cores * 100 * 0.9)
    notes.push(`the machine was ${machineAvg.toFixed(0)} % busy of ${cores * 100} %: server, PostgreSQL and generator competed for the cores`);
  return {
    tool: 'mmchat load test (apps/loadtest), Mattermost load-test-ng load model',
    mode: r.mode,
    command: opts.command,
    startedAt: r.startedAt,
    durationSec: r.durationSec,
    stopReason: r.stopReason,
    target: { description: target.description, url: target.url, nodes: target.nodes, pids: target.pids },
    machine: opts.machine,
    result: {
      supportedUsers: r.supportedUsers,
      converged: r.converged,
      measuredFromSec: r.measuredFromSec,
      measuredSec: r1(m.seconds) ?? 0,
      users: { avg: r1(users), min: r.measuredUsers.min === Infinity ? 0 : r.measuredUsers.min, max: r.measuredUsers.max },
      requestsPerSec: r1(m.all.count / secs),
      requests: m.all.count,
      latency: latency(m.all.latency.summary()),
      errors: {
        http4xx: m.all.err4xx,
        http5xx: m.all.err5xx,
        timeouts: m.all.timeouts,
        network: m.all.network,
        http5xxPercent: m.all.count ? r3(((m.all.err5xx + m.all.network) / m.all.count) * 100) : null,
        timeoutPercent: m.all.count ? r3((m.all.timeouts / m.all.count) * 100) : null,
        timeoutsByPhase: Object.fromEntries([...m.timeoutPhases].sort((a, b) => b[1] - a[1])),
        samples: m.errorSamples,
      },
      websocket: {
        events: m.eventCount(),
        eventsPerSec: r1(m.eventCount() / secs),
        byType: Object.fromEntries([...m.events].sort((a, b) => b[1] - a[1])),
        delivery: latency(m.delivery.summary()),
        ...m.ws,
      },
      loginFailures: m.loginFailures,
      actions,
      endpoints,
      skippedCalls: Object.fromEntries([...r.total.skipped].sort((a, b) => b[1] - a[1])),
    },
    whole: {
      requests: r.total.all.count,
      requestsPerSec: r1(r.total.all.count / Math.max(1e-9, r.total.seconds)),
      latency: latency(r.total.all.latency.summary()),
      http5xx: r.total.all.err5xx + r.total.all.network,
      timeouts: r.total.all.timeouts,
      websocket: { events: r.total.eventCount(), connects: r.total.ws.connects, reconnects: r.total.ws.reconnects, closes: r.total.ws.closes },
    },
    resources: {
      server: {
        cpuPercentAvg: r1(avg(inMeasured.map((p) => p.resources.serverCpuPercent))),
        cpuPercentMax: r1(Math.max(...r.timeline.map((p) => p.resources.serverCpuPercent), 0)),
        rssMiBMax: r1(Math.max(...r.timeline.map((p) => p.resources.serverRssMiB), 0)),
        rssMiBLast: r1(r.timeline.at(-1)?.resources.serverRssMiB ?? NaN),
      },
      postgresCpuPercentAvg: r1(avg(inMeasured.map((p) => p.resources.postgresCpuPercent))),
      postgresBackends: averageByKey(
        inMeasured.map((p) => p.pgBackends),
        Infinity,
      ),
      postgresStatements: averageByKey(
        inMeasured.map((p) => p.pgStatements),
        STATEMENTS_SHOWN,
      ),
      postgresXactPerSecAvg: r1(avg(inMeasured.map((p) => p.pgXactPerSec ?? NaN).filter(Number.isFinite))),
      machineCpuPercentAvg: r1(machineAvg),
      otherCpuPercentAvg: r1(
        avg(
          inMeasured.map((p) =>
            Math.max(0, p.resources.machineCpuPercent - p.resources.serverCpuPercent - p.resources.postgresCpuPercent - p.resources.generatorCpuPercent),
          ),
        ),
      ),
      cores,
      acceptQueue: {
        maxWaiting: Math.max(0, ...inMeasured.map((p) => p.resources.acceptQueue ?? 0)),
        dropped: inMeasured.reduce((n, p) => n + (p.resources.listenOverflows ?? 0), 0),
      },
      perRequest: perRequest(inMeasured),
    },
    generator: {
      ...r.generator,
      saturated: eluSaturated,
      note: notes.join('; '),
      rssMiBMax: r1(Math.max(...r.timeline.map((p) => p.resources.generatorRssMiB), 0)),
    },
    stalls: compareStalls(r.timeline, config.coordinator.thresholds.avgRequestMs),
    config,
    timeline: r.timeline,
  };
}

/** CPU ms per request from the timeline: Σ cpu% · interval / Σ requests. */
function perRequest(points: RunResult['timeline']): Report['resources']['perRequest'] {
  let reqs = 0;
  let server = 0;
  let pgCpu = 0;
  let gen = 0;
  let xacts = 0;
  for (let i = 1; i < points.length; i++) {
    const dt = points[i].t - points[i - 1].t;
    reqs += points[i].reqPerSec * dt;
    server += (points[i].resources.serverCpuPercent / 100) * dt * 1000;
    pgCpu += (points[i].resources.postgresCpuPercent / 100) * dt * 1000;
    gen += (points[i].resources.generatorCpuPercent / 100) * dt * 1000;
    xacts += (points[i].pgXactPerSec ?? 0) * dt;
  }
  const per = (v: number, d = 10) => (reqs > 0 ? Math.round((v / reqs) * d) / d : null);
  return { serverCpuMs: per(server, 100), postgresCpuMs: per(pgCpu, 100), generatorCpuMs: per(gen, 100), postgresXacts: per(xacts, 100) };
}

const STATEMENTS_SHOWN = 10;

/** Writes report.json and chart.svg into `dir`; returns their paths. */
export function writeReport(dir: string, report: Report): { json: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const svg = join(dir, 'chart.svg');
  writeFileSync(json, JSON.stringify(report, null, 2));
  writeChart(svg, report);
  return { json, svg };
}

/** The chart of a report (users and latency over time) as an SVG file. */
export function writeChart(path: string, report: Report): void {
  const res = report.result;
  const subtitle =
    report.mode === 'unbounded'
      ? `unbounded: supported users ${res.supportedUsers}${res.converged ? '' : ' (not converged)'}; ${report.target.description}`
      : `bounded: ${res.users.max} users; ${res.requestsPerSec} req/s, p99 ${res.latency.p99Ms} ms; ${report.target.description}`;
  const t = report.config.coordinator.thresholds;
  writeFileSync(
    path,
    renderChart({
      title: `Load test, ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
      subtitle: subtitle.slice(0, 125),
      timeline: report.timeline,
      supportedUsers: res.supportedUsers,
      p99ThresholdMs: t.p99RequestMs,
      avgThresholdMs: t.avgRequestMs,
    }),
  );
}

/** The timeouts by endpoint and phase, `POST /users/ids: connecting 3, …`, or '' when there were none. */
export function timeoutPhasesText(report: Report): string {
  return Object.entries(report.result.errors.timeoutsByPhase ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** The accept queue over the measured window, or '' for a report from before it was sampled. */
export function acceptQueueText(report: Report): string {
  const aq = report.resources.acceptQueue;
  return aq ? `at most ${aq.maxWaiting} connections waiting, ${aq.dropped} dropped as it was full` : '';
}

export function summaryText(report: Report): string {
  const r = report.result;
  const lines: string[] = [];
  lines.push(`mode ${report.mode}, ${report.durationSec} s, stopped: ${report.stopReason}`);
  if (r.supportedUsers !== undefined) lines.push(`SUPPORTED USERS: ${r.supportedUsers}${r.converged ? '' : ' (not converged: average of the last window)'}`);
  lines.push(`measured over ${r.measuredSec} s from t=${r.measuredFromSec} s: users avg ${r.users.avg} (min ${r.users.min}, max ${r.users.max})`);
  lines.push(
    `requests ${r.requests} (${r.requestsPerSec}/s): avg ${r.latency.avgMs} ms, p50 ${r.latency.p50Ms} ms, p99 ${r.latency.p99Ms} ms; 4xx ${r.errors.http4xx}, 5xx ${r.errors.http5xx} (${r.errors.http5xxPercent} %), timeouts ${r.errors.timeouts} (${r.errors.timeoutPercent} %), network ${r.errors.network}`,
  );
  const phases = timeoutPhasesText(report);
  if (phases) lines.push(`timeouts by endpoint and phase: ${phases}`);
  lines.push(
    `websocket: ${r.websocket.events} events (${r.websocket.eventsPerSec}/s), post → event p50 ${r.websocket.delivery.p50Ms} ms, p99 ${r.websocket.delivery.p99Ms} ms over ${r.websocket.delivery.count} deliveries; reconnects ${r.websocket.reconnects}`,
  );
  const pr = report.resources.perRequest;
  lines.push(
    `per request: server ${pr.serverCpuMs} ms CPU, PostgreSQL ${pr.postgresCpuMs} ms CPU and ${pr.postgresXacts} transactions, generator ${pr.generatorCpuMs} ms CPU`,
  );
  lines.push(
    `server CPU avg ${report.resources.server.cpuPercentAvg} % (max ${report.resources.server.cpuPercentMax} %), RSS max ${report.resources.server.rssMiBMax} MiB; PostgreSQL CPU avg ${report.resources.postgresCpuPercentAvg} %; machine ${report.resources.machineCpuPercentAvg} % of ${report.resources.cores * 100} % (other processes ${report.resources.otherCpuPercentAvg} %)`,
  );
  const queue = acceptQueueText(report);
  if (queue) lines.push(`accept queue of the port the users connect to: ${queue}`);
  const backends = Object.entries(report.resources.postgresBackends)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  if (backends) lines.push(`PostgreSQL: ${report.resources.postgresXactPerSecAvg} transactions/s; backends busy on average: ${backends}`);
  const statements = Object.entries(report.resources.postgresStatements ?? {})
    .map(([k, n]) => `${n} ${k}`)
    .join(' | ');
  if (statements) lines.push(`PostgreSQL's busy backends on average by statement: ${statements}`);
  if (report.stalls) lines.push(stallText(report.stalls));
  lines.push(`generator: ${report.generator.note}${report.generator.saturated ? ' — SATURATED: latencies include its own queueing' : ''}`);
  const top = Object.entries(r.actions)
    .slice(0, 8)
    .map(([k, v]) => `${k} ${v.count} (p99 ${v.requests.p99Ms} ms)`);
  lines.push(`actions: ${top.join(', ')}`);
  if (Object.keys(r.skippedCalls).length)
    lines.push(
      `skipped calls (routes this server lacks): ${Object.entries(r.skippedCalls)
        .map(([k, v]) => `${k} ×${v}`)
        .join(', ')}`,
    );
  if (r.errors.samples.length) lines.push(`error samples: ${r.errors.samples.slice(0, 5).join(' | ')}`);
  return lines.join('\n');
}
