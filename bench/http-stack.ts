/**
 * `npm run bench:http-stack`: what each layer between the socket and a handler costs in CPU per
 * request, on this machine, in one run (issue 17: the server's CPU per request). The same answer,
 * GET /api/v4/users/{id}/image's 317-byte picture with its headers, from node:http alone, from
 * Express with one route, from Express with as many layers before the route as this server has
 * before its later hot routes, from NestJS with one route, and from NestJS with two async global
 * guards and three global interceptors as this server runs (bench/http-stack-server.ts). Each in
 * its own process, 16 requests in flight on keep-alive connections, the process's CPU time read
 * from /proc; ROUNDS rounds, the variants interleaved, medians reported. bench:requests measures
 * the server itself on the same routes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { join } from 'node:path';
import { ADMIN_DSN } from '#testing';
import { closedLoop } from './load.js';
import { cpuSeconds, machineInfo, type MachineInfo } from './machine.js';
import { publishResults, runBench } from './run.js';
import { median, round } from './stats.js';

const COMMAND = 'npm run bench:http-stack';
const HEADING = '## bench:http-stack';
const CONCURRENCY = 16;
const WARM_MS = 1_500;
const PHASE_MS = Number(process.env.BENCH_PHASE_SEC ?? 4) * 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Layers (15 middlewares, then routes) in front of the route in `express-big`: this server has 163 before POST /users/status/ids. */
const LAYERS = 180;

/** Each stack, and the one it adds layers to (what the table's "added" column compares it with). */
const VARIANTS: Array<{ name: string; what: string; over?: string }> = [
  { name: 'bare', what: 'node:http alone' },
  { name: 'express', what: 'Express 5, one route', over: 'bare' },
  { name: 'express-big', what: `Express 5, ${LAYERS} layers before the route (15 middlewares, then routes)`, over: 'express' },
  { name: 'nest', what: 'NestJS 12 on Express, one controller route', over: 'express' },
  { name: 'nest-pipeline', what: 'NestJS, plus two async global guards and three global interceptors', over: 'nest' },
  { name: 'fastify', what: 'Fastify 5, one route', over: 'bare' },
  { name: 'nest-fastify', what: 'NestJS 12 on its Fastify adapter, one controller route', over: 'fastify' },
  { name: 'nest-fastify-pipeline', what: 'NestJS on Fastify, plus the same guards and interceptors', over: 'nest-fastify' },
];

interface VariantResult {
  name: string;
  what: string;
  msPerRequest: number;
  rounds: number[];
  perSec: number;
}

interface HttpStackResults {
  machine: MachineInfo;
  phaseSec: number;
  rounds: number;
  variants: VariantResult[];
}

function log(msg: string) {
  console.log(`[bench:http-stack ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

const running = new Set<ReturnType<typeof spawn>>();

async function measure(variant: string): Promise<{ ms: number; perSec: number }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'http-stack-server.js'), variant], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, HTTP_STACK_LAYERS: String(LAYERS) },
  });
  running.add(child);
  try {
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    const port = Number(chunk.toString().trim());
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const get = () =>
      new Promise<void>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: '/api/v4/users/abcdefghijklmnopqrstuvwxyz/image?_=0', agent }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${variant}: ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end();
      });
    await closedLoop(CONCURRENCY, WARM_MS, get);
    const before = cpuSeconds(child.pid!);
    const result = await closedLoop(CONCURRENCY, PHASE_MS, get);
    const cpu = cpuSeconds(child.pid!) - before;
    agent.destroy();
    if (result.errors) throw new Error(`${variant}: ${result.errors} errors, e.g. ${result.errorSamples[0]}`);
    const n = result.latencies.length;
    return { ms: (cpu * 1000) / n, perSec: n / (PHASE_MS / 1000) };
  } finally {
    child.kill();
    await once(child, 'exit').catch(() => undefined);
    running.delete(child);
  }
}

async function main(): Promise<HttpStackResults> {
  const machine = await machineInfo(ADMIN_DSN);
  log(`${machine.nproc} cores, ${machine.cpuModel}, Node ${machine.node}`);
  const samples = new Map<string, Array<{ ms: number; perSec: number }>>(VARIANTS.map((v) => [v.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of VARIANTS) samples.get(v.name)!.push(await measure(v.name));
    log(`round ${r + 1} of ${ROUNDS} done`);
  }
  return {
    machine,
    phaseSec: PHASE_MS / 1000,
    rounds: ROUNDS,
    variants: VARIANTS.map((v) => {
      const s = samples.get(v.name)!;
      return {
        name: v.name,
        what: v.what,
        msPerRequest: round(median(s.map((x) => x.ms)), 3),
        rounds: s.map((x) => round(x.ms, 3)),
        perSec: round(median(s.map((x) => x.perSec))),
      };
    }),
  };
}

export function renderTable(r: HttpStackResults): string {
  const bare = r.variants[0].msPerRequest;
  return [
    '| Stack | CPU / request | added by this layer | ÷ bare | req/s (16 in flight) |',
    '|---|---|---|---|---|',
    ...r.variants.map((v) => {
      const base = VARIANTS.find((x) => x.name === v.name)?.over;
      const previous = r.variants.find((x) => x.name === base);
      const added = previous
        ? `${v.msPerRequest - previous.msPerRequest >= 0 ? '+' : ''}${round(v.msPerRequest - previous.msPerRequest, 3)} ms (over ${previous.name})`
        : '—';
      return `| \`${v.name}\`: ${v.what} | **${v.msPerRequest} ms** | ${added} | ×${round(v.msPerRequest / bare, 1)} | ${v.perSec} |`;
    }),
  ].join('\n');
}

function renderMarkdown(r: HttpStackResults): string {
  const m = r.machine;
  return [
    HEADING,
    '',
    `Command: \`${COMMAND}\` (builds the benchmark, then runs \`node dist-bench/bench/http-stack.js\`).`,
    '',
    `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${m.nproc} cores (${m.cpuModel}), Node ${m.node}; server and client on this machine over 127.0.0.1 (1-minute load average ${m.loadAverage1m} before the run).`,
    '',
    `Method: the same answer (GET /api/v4/users/{id}/image's 317-byte picture and its headers) from each stack in its own process (bench/http-stack-server.ts), ${CONCURRENCY} requests in flight on keep-alive connections for ${r.phaseSec} s after a ${WARM_MS / 1000} s warm-up, the process's CPU time read from /proc; ${r.rounds} rounds, the stacks interleaved, medians (each round's in the raw JSON, bench-results/http-stack.json).`,
    '',
    renderTable(r),
    '',
  ].join('\n');
}

await runBench({
  command: COMMAND,
  log,
  main,
  cleanup: async () => {
    for (const child of running) child.kill();
  },
  publish: (results) =>
    publishResults({ name: 'http-stack', heading: HEADING, results, markdown: renderMarkdown(results), developmentRun: PHASE_MS !== 4000 || ROUNDS !== 5 }),
  table: renderTable,
  failureOutput: () => undefined,
});
