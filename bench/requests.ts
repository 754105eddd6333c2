/**
 * `npm run bench:requests`: what one request costs the server's CPU, for the requests that make up
 * most of the load test's traffic (issue 17: ≤ 0.4 ms of server CPU per request), next to a bare
 * `node:http` server answering the same requests with bytes of the same size, measured in the same
 * run with the same client: the ratio is the price of everything between the socket and the bytes
 * (routing, middleware, authentication, permission checks, serialising), free of the machine's speed.
 *
 * One server, a fresh database, a team of USERS users and a channel with posts; then, route by
 * route, 16 requests in flight for PHASE_SEC over keep-alive connections (the way the web app's
 * browser and the load test talk), reading the server's and its PostgreSQL backends' CPU from /proc.
 * Every route's rows are in the server's caches after the first requests, as at steady state.
 *
 * BENCH_PHASE_SEC, BENCH_ROUNDS and BENCH_ROUTES (names, comma-separated) shrink a run while developing;
 * BENCH_BASELINE_ENTRY=<worktree>/dist/apps/server/main.js measures an earlier build beside this one, route by
 * route and round by round (the change is the median of the paired rounds' ratios: a shared machine's
 * noise moves both halves of a pair alike); BENCH_SERVER_NODE_OPTIONS adds Node options to this build's server (not the baseline's: with
 * the baseline entry set to this build, the A/B of an option), BENCH_SERVER_ENV='MM_X_Y=v;…' settings; BENCH_SERVER_CPU_PROFILE=<folder> writes a V8 CPU profile of the
 * server per route (<n>.cpuprofile, in the order of the table).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { ADMIN_DSN, sleep, startServer, type TestServer } from '#testing';
import { closedLoop, mapLimit } from './load.js';
import { cpuSeconds, cpuSplit, machineInfo, type CpuSplit, type MachineInfo } from './machine.js';
import { publishResults, ROOT, runBench } from './run.js';
import { seedTeam } from './team-seed.js';
import { round } from './stats.js';

const COMMAND = 'npm run bench:requests';
const HEADING = '## bench:requests';
const USERS = 200;
const POSTS = 100;
const IDS_PER_LIST = 20; // the web app asks for the statuses and profiles of a page of posts' authors
const CONCURRENCY = 16;
const PHASE_MS = Number(process.env.BENCH_PHASE_SEC ?? 4) * 1000;
const WARM_MS = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const PASSWORD = 'Bench-passw0rd!';
const TARGET_MS = 0.4;
/** A baseline build's dist/apps/server/main.js (a worktree of an earlier commit, built): measured beside this build, round by round. */
const BASELINE_ENTRY = process.env.BENCH_BASELINE_ENTRY ? resolve(process.env.BENCH_BASELINE_ENTRY) : undefined;
const PROFILE_DIR = process.env.BENCH_SERVER_CPU_PROFILE ? resolve(process.env.BENCH_SERVER_CPU_PROFILE) : undefined;

interface Request {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

interface Route {
  /** As in the capacity report's table by route. */
  name: string;
  /** Share of the load test's requests, % (bench:capacity's table by route, 2026-12-05); none for a route it does not weigh. */
  loadShare?: number;
  request: (i: number) => Request;
}

interface RouteResult {
  name: string;
  loadShare?: number;
  requests: number;
  perSec: number;
  responseBytes: number;
  serverMsPerRequest: number;
  serverMsRounds: number[];
  postgresMsPerRequest: number;
  bareMsPerRequest: number;
  ratio: number;
  /** With BENCH_BASELINE_ENTRY: the baseline build's figures, and the change of this build's server CPU per request. */
  baselineServerMsPerRequest?: number;
  baselinePostgresMsPerRequest?: number;
  baselinePerSec?: number;
  changePercent?: number;
}

export interface RequestsResults {
  machine: MachineInfo;
  phaseSec: number;
  rounds: number;
  /** This build's commit, and the baseline's (BENCH_BASELINE_ENTRY) when one was measured beside it. */
  commit: string;
  baseline?: string;
  routes: RouteResult[];
  /** Server CPU per request of the measured routes weighted by their shares of the load test's requests. */
  weightedServerMs: number;
  weightedBaselineServerMs?: number;
}

function log(msg: string) {
  console.log(`[bench:requests ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

const open: { servers: TestServer[]; bare?: ChildProcess; probeDir?: string } = { servers: [] };

/** One keep-alive connection per request in flight, as a browser's would be. */
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(base: URL, token: string | undefined, req: Request, bareBytes?: number): Promise<{ status: number; bytes: number }> {
  return new Promise((resolvePromise, reject) => {
    const headers: Record<string, string> = { 'X-Requested-With': 'XMLHttpRequest' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (bareBytes !== undefined) headers['X-Bench-Bytes'] = String(bareBytes);
    if (req.body !== undefined) headers['Content-Type'] = 'application/json';
    const r = http.request({ host: base.hostname, port: base.port, method: req.method, path: req.path, headers, agent }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () =>
        res.statusCode! < 400 ? resolvePromise({ status: res.statusCode!, bytes }) : reject(new Error(`${req.method} ${req.path}: ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

/**
 * The reference: node:http alone, in its own process like the server, answering each request after
 * reading its body with as many bytes of JSON as the client asks for (X-Bench-Bytes: the server's
 * answer to the same request) and Mattermost's response headers' count.
 */
async function startBare(): Promise<{ child: ChildProcess; url: URL }> {
  const source = `
    const http = require('node:http');
    const bodies = new Map();
    http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const bytes = Number(req.headers['x-bench-bytes'] ?? 2);
        let body = bodies.get(bytes);
        if (!body) bodies.set(bytes, (body = Buffer.from(JSON.stringify({ pad: 'x'.repeat(Math.max(0, bytes - 10)) }))));
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('X-Request-Id', Math.random().toString(36).slice(2));
        res.setHeader('X-Version-Id', '10.11.0.1.0123456789abcdef.false');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Referrer-Policy', 'no-referrer');
        res.setHeader('Content-Length', body.length);
        res.end(body);
      });
    }).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  open.bare = child;
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, url: new URL(`http://127.0.0.1:${chunk.toString().trim()}`) };
}

async function stopBare(child: ChildProcess) {
  child.kill();
  await once(child, 'exit').catch(() => undefined);
  open.bare = undefined;
}

async function seed(server: TestServer) {
  const { townSquare, profiles } = await seedTeam(server, USERS, PASSWORD, 16);
  const tokens = await mapLimit(profiles.slice(0, CONCURRENCY), 4, async (p) => {
    const c = server.client();
    await c.login(p.username, PASSWORD);
    return c.getToken();
  });
  // Every sixth post a reply to one three posts back, near the load test's 18 % of replies, so a
  // page of the channel has threads to bring along.
  const postIds: string[] = [];
  for (let i = 0; i < POSTS; i++) {
    const author = server.client();
    author.setToken(tokens[i % tokens.length]);
    const rootId = i % 6 === 5 ? postIds[i - 3] : '';
    const created = await author.createPost({
      channel_id: townSquare.id,
      root_id: rootId,
      message: `post ${i} of the bench, a sentence or two long like a chat message`,
    } as any);
    postIds.push(created.id);
  }
  return { userIds: profiles.map((p) => p.id), channelId: townSquare.id, tokens, middlePostId: postIds[POSTS / 2] };
}

function routes(userIds: string[], channelId: string, middlePostId: string): Route[] {
  const ids = (i: number) => JSON.stringify(Array.from({ length: IDS_PER_LIST }, (_, k) => userIds[(i * 7 + k) % userIds.length]));
  return [
    { name: 'users.image', loadShare: 44, request: (i) => ({ method: 'GET', path: `/api/v4/users/${userIds[i % userIds.length]}/image?_=0` }) },
    { name: 'status.byIds', loadShare: 24, request: (i) => ({ method: 'POST', path: '/api/v4/users/status/ids', body: ids(i) }) },
    { name: 'users.byIds', loadShare: 17, request: (i) => ({ method: 'POST', path: '/api/v4/users/ids', body: ids(i) }) },
    {
      name: 'channels.view',
      loadShare: 4.4,
      request: () => ({ method: 'POST', path: '/api/v4/channels/members/me/view', body: JSON.stringify({ channel_id: channelId }) }),
    },
    { name: 'channels.stats', loadShare: 2.2, request: () => ({ method: 'GET', path: `/api/v4/channels/${channelId}/stats?exclude_files_count=true` }) },
    { name: 'posts.channelPosts', loadShare: 1.5, request: () => ({ method: 'GET', path: `/api/v4/channels/${channelId}/posts?page=0&per_page=30` }) },
    // ScrollChannel's page of older posts (getPostsBefore), around a post in the middle of the seed.
    { name: 'posts.before', request: () => ({ method: 'GET', path: `/api/v4/channels/${channelId}/posts?before=${middlePostId}&page=0&per_page=30` }) },
    // As the load test's first visit to a channel asks for it: collapsed threads on (the server's default).
    {
      name: 'posts.unread',
      loadShare: 1.9,
      request: () => ({
        method: 'GET',
        path: `/api/v4/users/me/channels/${channelId}/posts/unread?limit_after=30&limit_before=30&skipFetchThreads=false&collapsedThreads=true&collapsedThreadsExtended=false`,
      }),
    },
    { name: 'users.me', request: () => ({ method: 'GET', path: '/api/v4/users/me' }) },
    // Last, for it grows the channel the post lists read. 16 posts in flight to one channel: every
    // one queues on the channel row's lock, so req/s here is the post transaction's throughput too.
    {
      name: 'posts.create',
      loadShare: 1.1,
      request: (i) => ({
        method: 'POST',
        path: '/api/v4/posts',
        body: JSON.stringify({ channel_id: channelId, message: `bench post ${i}, a sentence or two long like a chat message` }),
      }),
    },
  ];
}

/** Toggles the server's V8 profiler (bench/server-probe.ts) around a route's phases. */
function toggleProfiler(server: TestServer) {
  if (PROFILE_DIR) process.kill(server.pid, 'SIGUSR2');
}

/** A server under test with its seeded data: this build, or the baseline's (BENCH_BASELINE_ENTRY). */
interface Target {
  server: TestServer;
  tokens: string[];
  routes: Route[];
}

interface ServerPhase {
  requests: number;
  serverMs: number;
  postgresMs: number;
  bytes: number;
  wallSec: number;
}

/** One route on one server for PHASE_MS, after a warm-up (the rows in the caches, the code optimised, the connections open). */
async function measureServer(target: Target, route: Route): Promise<ServerPhase> {
  const { server, tokens } = target;
  const base = new URL(server.url);
  await closedLoop(CONCURRENCY, WARM_MS, (i) => send(base, tokens[i % tokens.length], route.request(i)));
  let bytes = 0;
  const { result, cpu } = await cpuSplit(server, ADMIN_DSN, () =>
    closedLoop(CONCURRENCY, PHASE_MS, async (i) => {
      const r = await send(base, tokens[i % tokens.length], route.request(i));
      bytes = r.bytes;
    }),
  );
  if (result.errors) throw new Error(`${route.name}: ${result.errors} errors, e.g. ${result.errorSamples[0]}`);
  const n = result.latencies.length;
  return { requests: n, serverMs: (cpu.serverSec * 1000) / n, postgresMs: (cpu.postgresSec * 1000) / n, bytes, wallSec: cpu.wallSec };
}

/** The bare reference answering the same requests with as many bytes, for PHASE_MS. */
async function measureBare(bare: URL, barePid: number, route: Route, bytes: number): Promise<number> {
  await closedLoop(CONCURRENCY, WARM_MS, (i) => send(bare, 'token', route.request(i), bytes));
  const before = cpuSeconds(barePid);
  const reference = await closedLoop(CONCURRENCY, PHASE_MS, (i) => send(bare, 'token', route.request(i), bytes));
  return ((cpuSeconds(barePid) - before) * 1000) / reference.latencies.length;
}

/** The short commit of the checkout a path is in. */
function commitOf(path: string): string {
  return execFileSync('git', ['-C', path, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function startTarget(entry?: string): Promise<Target> {
  const server = await startServer(
    {
      MM_RATELIMITSETTINGS_ENABLE: 'false',
      NODE_OPTIONS: `--import ${join(import.meta.dirname, 'server-probe.js')} ${(!entry && process.env.BENCH_SERVER_NODE_OPTIONS) || ''}`.trim(),
      BENCH_PROBE_DIR: open.probeDir!,
      ...Object.fromEntries(
        (process.env.BENCH_SERVER_ENV ?? '')
          .split(';')
          .filter(Boolean)
          .map((kv) => kv.split('=', 2)),
      ),
      ...(PROFILE_DIR && !entry ? { BENCH_CPU_PROFILE_DIR: PROFILE_DIR } : {}),
    },
    { entry },
  );
  open.servers.push(server);
  const { userIds, channelId, tokens, middlePostId } = await seed(server);
  const only = process.env.BENCH_ROUTES?.split(',');
  return { server, tokens, routes: routes(userIds, channelId, middlePostId).filter((r) => !only || only.includes(r.name)) };
}

async function main(): Promise<RequestsResults> {
  const machine = await machineInfo(ADMIN_DSN);
  log(`${machine.nproc} cores, ${machine.cpuModel}, Node ${machine.node}, PostgreSQL ${machine.postgres}, load ${machine.loadAverage1m}`);
  open.probeDir = mkdtempSync(join(tmpdir(), 'mm-bench-probe-'));
  const current = await startTarget();
  const baseline = BASELINE_ENTRY ? await startTarget(BASELINE_ENTRY) : undefined;
  const { child, url: bare } = await startBare();
  log(`seeded ${USERS} users and ${POSTS} posts${baseline ? ' on each server' : ''}`);
  // Rounds interleave the routes (and, with a baseline, the two builds, in alternating order), so
  // that a noisy minute on a shared machine spoils one round of each rather than all of one; each
  // figure is the median of its rounds.
  const phases = new Map<string, Array<{ current: ServerPhase; baseline?: ServerPhase; bareMs: number }>>(current.routes.map((r) => [r.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, route] of current.routes.entries()) {
      if (round === 0) toggleProfiler(current.server);
      const baseRoute = baseline?.routes[index];
      let cur: ServerPhase;
      let base: ServerPhase | undefined;
      if (baseline && round % 2 === 1) {
        base = await measureServer(baseline, baseRoute!);
        cur = await measureServer(current, route);
      } else {
        cur = await measureServer(current, route);
        if (baseline) base = await measureServer(baseline, baseRoute!);
      }
      if (round === 0) toggleProfiler(current.server);
      phases.get(route.name)!.push({ current: cur, baseline: base, bareMs: await measureBare(bare, child.pid!, route, cur.bytes) });
    }
    log(`round ${round + 1} of ${ROUNDS} done`);
  }
  const results = current.routes.map((route): RouteResult => {
    const p = phases.get(route.name)!;
    const serverMs = median(p.map((x) => x.current.serverMs));
    const bareMs = median(p.map((x) => x.bareMs));
    const requests = p.reduce((sum, x) => sum + x.current.requests, 0);
    return {
      name: route.name,
      loadShare: route.loadShare,
      requests,
      perSec: round(requests / p.reduce((sum, x) => sum + x.current.wallSec, 0)),
      responseBytes: p[0].current.bytes,
      serverMsPerRequest: round(serverMs, 3),
      serverMsRounds: p.map((x) => round(x.current.serverMs, 3)),
      postgresMsPerRequest: round(median(p.map((x) => x.current.postgresMs)), 3),
      bareMsPerRequest: round(bareMs, 3),
      ratio: round(serverMs / bareMs, 1),
      ...(baseline
        ? {
            baselineServerMsPerRequest: round(median(p.map((x) => x.baseline!.serverMs)), 3),
            baselinePostgresMsPerRequest: round(median(p.map((x) => x.baseline!.postgresMs)), 3),
            baselinePerSec: round(p.reduce((sum, x) => sum + x.baseline!.requests, 0) / p.reduce((sum, x) => sum + x.baseline!.wallSec, 0)),
            // Each round's pair ran back to back: the median of their ratios is the change.
            changePercent: round((median(p.map((x) => x.current.serverMs / x.baseline!.serverMs)) - 1) * 100, 1),
          }
        : {}),
    };
  });
  const weighted = (ms: (r: RouteResult) => number | undefined) => {
    const shared = results.filter((r) => r.loadShare !== undefined && ms(r) !== undefined);
    const total = shared.reduce((sum, r) => sum + r.loadShare!, 0);
    return round(shared.reduce((sum, r) => sum + r.loadShare! * ms(r)!, 0) / total, 3);
  };
  return {
    machine,
    phaseSec: PHASE_MS / 1000,
    rounds: ROUNDS,
    commit: commitOf(ROOT),
    baseline: BASELINE_ENTRY ? commitOf(dirname(BASELINE_ENTRY)) : undefined,
    routes: results,
    weightedServerMs: weighted((r) => r.serverMsPerRequest),
    weightedBaselineServerMs: baseline ? weighted((r) => r.baselineServerMsPerRequest) : undefined,
  };
}

export function renderTable(r: RequestsResults): string {
  const ab = r.baseline !== undefined;
  const rows = r.routes.map(
    (x) =>
      `| \`${x.name}\` | ${x.loadShare === undefined ? '—' : `${x.loadShare} %`} | ${x.perSec} | ${x.responseBytes} | **${x.serverMsPerRequest} ms** | ${x.postgresMsPerRequest} ms | ${x.bareMsPerRequest} ms | ×${x.ratio} |` +
      (ab
        ? ` ${x.baselinePerSec} | ${x.baselineServerMsPerRequest} ms | ${x.baselinePostgresMsPerRequest} ms | ${x.changePercent! > 0 ? '+' : ''}${x.changePercent} % |`
        : ''),
  );
  const head =
    "| Route | Share of the load test's requests | req/s (16 in flight) | response bytes | server CPU / request | PostgreSQL CPU / request | bare node:http CPU / request | server ÷ bare |";
  return [
    head + (ab ? ' baseline req/s | baseline server CPU / request | baseline PostgreSQL CPU / request | server CPU change (median of paired rounds) |' : ''),
    '|---|---|---|---|---|---|---|---|' + (ab ? '---|---|---|---|' : ''),
    ...rows,
  ].join('\n');
}

function renderMarkdown(r: RequestsResults): string {
  const m = r.machine;
  return [
    HEADING,
    '',
    `Command: \`${COMMAND}\` (builds the server and the benchmark, then runs \`node dist-bench/bench/requests.js\`).`,
    '',
    `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${m.nproc} cores (${m.cpuModel}), Node ${m.node}, PostgreSQL ${m.postgres}; the server, PostgreSQL and the client on this machine over 127.0.0.1 (1-minute load average ${m.loadAverage1m} before the run).`,
    '',
    `Method: one server, a fresh database, ${USERS} users in a team, ${POSTS} posts in its Town Square; per route, ${CONCURRENCY} requests in flight on keep-alive connections for ${r.phaseSec} s after a ${WARM_MS / 1000} s warm-up (rows cached, code optimised), the server's and its PostgreSQL backends' CPU time read from /proc. The reference is node:http alone in its own process, answering the same requests from the same client with as many bytes and Mattermost's response headers, measured right after each route. ${r.rounds} rounds, the routes interleaved in each; every figure is the median of its rounds (the server's per round in the raw JSON). Target (issue 17): server CPU ≤ ${TARGET_MS} ms per request under the load test's mix.`,
    '',
    renderTable(r),
    '',
    `Weighted by their shares of the load test's requests, these routes cost the server **${r.weightedServerMs} ms** of CPU per request` +
      (r.weightedBaselineServerMs !== undefined
        ? ` at ${r.commit}, against ${r.weightedBaselineServerMs} ms at ${r.baseline} (measured beside it, same run).`
        : ` at ${r.commit}.`) +
      ` The load test itself costs more per request than this (bench:capacity's steady hold: its other routes, WebSocket traffic, thousands of idle connections, requests arriving one at a time rather than 16 in flight).`,
    '',
  ].join('\n');
}

const isDevelopmentRun =
  PHASE_MS !== 4000 || ROUNDS !== 6 || !!PROFILE_DIR || !!process.env.BENCH_SERVER_NODE_OPTIONS || !!process.env.BENCH_ROUTES || !!process.env.BENCH_SERVER_ENV;

await runBench({
  command: COMMAND,
  log,
  main,
  cleanup: async () => {
    if (open.bare) await stopBare(open.bare);
    await Promise.all(open.servers.splice(0).map((server) => server.stop().catch(() => undefined)));
    if (open.probeDir) rmSync(open.probeDir, { recursive: true, force: true });
    agent.destroy();
  },
  publish: (results) => publishResults({ name: 'requests', heading: HEADING, results, markdown: renderMarkdown(results), developmentRun: isDevelopmentRun }),
  table: renderTable,
  failureOutput: () => (open.servers[0]?.logs ? `server output (tail):\n${open.servers[0].logs.slice(-4000)}\n` : undefined),
});
