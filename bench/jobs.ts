/**
 * `npm run bench:jobs`: the BullMQ queue driver (libs/jobs) against the machine's Redis, with 1
 * and 3 workers, each a process of its own (as nodes are) running one BullMqDriver with one
 * Worker of concurrency 1 (a node runs one worker per job type).
 *
 *  - drain throughput: N jobs queued first, then the workers start; jobs/s until the last one is done;
 *  - enqueue-to-start latency: jobs queued at a fixed rate while the workers idle-wait; the time
 *    from enqueue() being called to the handler starting, p50/p99 (same process, same clock).
 *
 * Handlers do no work, so this measures the queue itself: what every job pays before its own
 * work. Writes bench-results/jobs.json and the "## bench:jobs" section of docs/benchmarks.md.
 * BENCH_REDIS_ADDRESS (default 127.0.0.1:6379); keys live under a random prefix, deleted after.
 */
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { BullMqDriver, parseRedisAddress } from '#jobs';
import { ADMIN_DSN, deleteRedisKeys, sleep } from '#testing';
import { Redis } from 'ioredis';
import { machineInfo, MachineInfo } from './machine.js';
import { publishResults, ROOT } from './run.js';
import { rate, round, summarize, Summary } from './stats.js';

const ADDRESS = process.env.BENCH_REDIS_ADDRESS ?? '127.0.0.1:6379';
const DRAIN_JOBS = 5000;
const PACED_RATE = 200; // jobs/s
const PACED_SECONDS = 10;
const SECTION = '## bench:jobs';

interface Run {
  workers: number;
  drain: { jobs: number; seconds: number; jobsPerSecond: number };
  paced: { rate: number; jobs: number; latencyMs: Summary };
}

/** High-resolution epoch milliseconds: comparable between processes on one machine. */
const now = () => performance.timeOrigin + performance.now();

interface WorkerReport {
  count: number;
  last: number;
  latencies: number[];
}

/** A worker process: one driver, working the queues the parent names, reporting on request. */
async function workerProcess(prefix: string): Promise<void> {
  const driver = new BullMqDriver({ address: ADDRESS, prefix, stalledAfterMs: 30_000 });
  await driver.waitUntilConnected(5000);
  const reports = new Map<string, WorkerReport>();
  const handle = async (msg: { work?: string; report?: string; close?: true }): Promise<void> => {
    if (msg.work) {
      const r: WorkerReport = { count: 0, last: 0, latencies: [] };
      reports.set(msg.work, r);
      driver.work(
        msg.work,
        async (d) => {
          const t = now();
          r.count++;
          r.last = t;
          if (d.data.t) r.latencies.push(t - Number(d.data.t));
        },
        { concurrency: 1 },
      );
    } else if (msg.report) {
      process.send!({ report: reports.get(msg.report) ?? { count: 0, last: 0, latencies: [] } });
    } else if (msg.close) {
      await driver.close();
      process.exit(0);
    }
  };
  process.on('message', (msg: Parameters<typeof handle>[0]) => {
    handle(msg).catch((err: unknown) => {
      console.error('bench worker:', err);
      process.exit(1);
    });
  });
  process.send!({ ready: true });
}

class WorkerChild {
  private waiting: Array<(r: WorkerReport) => void> = [];
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { report?: WorkerReport }) => {
      if (m.report) this.waiting.shift()?.(m.report);
    });
  }

  static async start(prefix: string): Promise<WorkerChild> {
    const child = fork(fileURLToPath(import.meta.url), ['worker', prefix], { stdio: 'inherit' });
    await new Promise<void>((ok, fail) => {
      child.once('message', () => ok());
      child.once('exit', (code) => fail(new Error(`worker exited with ${code}`)));
    });
    return new WorkerChild(child);
  }

  work(queue: string): void {
    this.child.send({ work: queue });
  }

  report(queue: string): Promise<WorkerReport> {
    return new Promise((ok) => {
      this.waiting.push(ok);
      this.child.send({ report: queue });
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ close: true });
    await Promise.race([exited, sleep(10_000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** Polls the workers until `total` deliveries of `queue` were handled; their reports. */
async function handled(children: WorkerChild[], queue: string, total: number, timeoutMs: number): Promise<WorkerReport[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reports = await Promise.all(children.map((c) => c.report(queue)));
    if (reports.reduce((n, r) => n + r.count, 0) >= total || Date.now() > deadline) return reports;
    await sleep(25);
  }
}

async function run(workers: number): Promise<Run> {
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const producer = new BullMqDriver({ address: ADDRESS, prefix, stalledAfterMs: 30_000 });
  const children: WorkerChild[] = [];
  try {
    if (!(await producer.waitUntilConnected(5000))) throw new Error(`Redis at ${ADDRESS} is not reachable`);
    for (let i = 0; i < workers; i++) children.push(await WorkerChild.start(prefix));

    // Drain: everything queued first, then the workers start.
    for (let i = 0; i < DRAIN_JOBS; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, DRAIN_JOBS - i) }, (_, k) => producer.enqueue('drain', `d${i + k}`)));
    }
    const drainStart = now();
    for (const c of children) c.work('drain');
    const drained = await handled(children, 'drain', DRAIN_JOBS, 120_000);
    const drainMs = Math.max(...drained.map((r) => r.last)) - drainStart;

    // Paced: a fixed rate of enqueues; latency from enqueue() to the handler's start.
    for (const c of children) c.work('paced');
    await sleep(1000); // the workers are waiting on an empty queue
    const total = PACED_RATE * PACED_SECONDS;
    const start = performance.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / PACED_RATE;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      sends.push(producer.enqueue('paced', `p${i}`, { t: String(now()) }));
    }
    await Promise.all(sends);
    const latencies = (await handled(children, 'paced', total, 30_000)).flatMap((r) => r.latencies);
    return {
      workers,
      drain: { jobs: DRAIN_JOBS, seconds: round(drainMs / 1000, 2), jobsPerSecond: round(rate(DRAIN_JOBS, drainMs), 0) },
      paced: { rate: PACED_RATE, jobs: latencies.length, latencyMs: roundSummary(summarize(latencies)) },
    };
  } finally {
    await Promise.all(children.map((c) => c.close()));
    await producer.close();
    await deleteRedisKeys(parseRedisAddress(ADDRESS), prefix);
  }
}

function roundSummary(s: Summary): Summary {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'count' ? v : round(v, 2)])) as unknown as Summary;
}

async function redisVersion(): Promise<string> {
  const redis = new Redis(parseRedisAddress(ADDRESS));
  try {
    return /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}

function render(machine: MachineInfo, redis: string, bullmq: string, runs: Run[], when: Date): string {
  const rows = runs.map(
    (r) =>
      `| ${r.workers} | ${r.drain.jobsPerSecond} jobs/s (${r.drain.jobs} jobs in ${r.drain.seconds} s) | ${r.paced.rate} jobs/s for ${PACED_SECONDS} s: ` +
      `p50 ${r.paced.latencyMs.p50} ms · p99 ${r.paced.latencyMs.p99} ms · max ${r.paced.latencyMs.max} ms (${r.paced.jobs} jobs) |`,
  );
  return [
    SECTION,
    '',
    'Command: `npm run bench:jobs` (builds the server and the benchmark, then runs `node dist-bench/bench/jobs.js`).',
    '',
    `Run ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine.nproc} cores (${machine.cpuModel}), ${machine.totalRamGiB} GiB RAM, ` +
      `Node ${machine.node}, Redis ${redis} on 127.0.0.1, BullMQ ${bullmq} (1-minute load average ${machine.loadAverage1m} before the run). ` +
      'The producer is one process; each worker is a process of its own (as nodes are) with one BullMqDriver and one BullMQ Worker of ' +
      'concurrency 1, as a node runs one worker per job type; handlers do no work. Redis, the producer and the workers share the 2 cores.',
    '',
    '| Workers | Drain throughput | Enqueue-to-start latency, paced |',
    '|---|---|---|',
    ...rows,
    '',
    `With 3 workers the drain rate is ${round(runs[1].drain.jobsPerSecond / runs[0].drain.jobsPerSecond, 2)}× that of one. A job that does ` +
      'nothing is all queue overhead (Redis round trips: fetch, lock, complete), so the ceiling is Redis and the 2 cores it shares with ' +
      'the worker processes, not the number of workers; more workers pay off when jobs spend their time waiting on PostgreSQL or files.',
    '',
    `Method: drain = ${DRAIN_JOBS} jobs queued before the workers start, timed from telling the workers to start until the last handler ran. ` +
      'Latency = from calling enqueue() (BullMQ Queue.add with a job id) to the start of the handler on a worker that was waiting on an ' +
      'empty queue, measured with high-resolution epoch clocks of the producer and worker processes (same machine); ' +
      'percentiles by nearest rank. This is the cost of the queue alone: a real job adds its claim and status writes in ' +
      'PostgreSQL (a few ms) and its own work. Raw JSON: `bench-results/jobs.json`.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const machine = await machineInfo(ADMIN_DSN);
  const redis = await redisVersion();
  const bullmq = JSON.parse(readFileSync(join(ROOT, 'node_modules/bullmq/package.json'), 'utf8')).version as string;
  const runs: Run[] = [];
  for (const workers of [1, 3]) {
    const r = await run(workers);
    console.log(JSON.stringify(r));
    runs.push(r);
  }
  const when = new Date();
  const results = { when: when.toISOString(), machine, redis, bullmq, runs };
  console.log(publishResults({ name: 'jobs', heading: SECTION, results, markdown: render(machine, redis, bullmq, runs, when) }));
}

(process.argv[2] === 'worker' ? workerProcess(process.argv[3]) : main()).then(
  () => (process.argv[2] === 'worker' ? undefined : process.exit(0)),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
