/**
 * `npm run bench:integrations`: webhooks on one server (issue 14).
 *
 *  1. incoming webhook posts per second (`POST /hooks/{id}`) next to REST post create
 *     (`POST /api/v4/posts`) in the same run, on the same server, with the same number of clients
 *     (each on its own channel), rounds of the two interleaved: goal ≥ 90 % of REST;
 *  2. outgoing webhook delivery: posts at a steady rate whose first word triggers an outgoing
 *     webhook, and the time from each post's creation to a receiver in this process getting the
 *     request (p50, p99); then the same posts without the webhook, to show post creation is not
 *     slowed by it.
 *
 * Writes bench-results/integrations.json and the "## bench:integrations" section of
 * docs/benchmarks.md. BENCH_INTEGRATIONS_ROUND_SEC (seconds a round), BENCH_INTEGRATIONS_ROUNDS and
 * BENCH_INTEGRATIONS_DELIVERY_SEC change a run while developing it (bench-results/integrations.dev.json only).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import type { Channel } from '@mattermost/types/channels';
import type { IncomingWebhook, OutgoingWebhook } from '@mattermost/types/integrations';
import type { Team } from '@mattermost/types/teams';
import { ADMIN_DSN, sleep, startServer, type TestServer } from '#testing';
import {
  INTEGRATIONS_SECTION,
  renderIntegrationsMarkdown,
  renderIntegrationsTable,
  throughputSummary,
  type DeliveryPhase,
  type IntegrationsResults,
  type ThroughputRound,
} from './integrations-report.js';
import { closedLoop, openLoop } from './load.js';
import { cpuSeconds, machineInfo } from './machine.js';
import { publishResults, runBench } from './run.js';
import { rate, round, summarize } from './stats.js';

const COMMAND = 'npm run bench:integrations';
const CONCURRENCY = 8;
const ROUND_SEC = Number(process.env.BENCH_INTEGRATIONS_ROUND_SEC ?? 8);
const ROUNDS = Number(process.env.BENCH_INTEGRATIONS_ROUNDS ?? 3);
const DELIVERY_RATE = 20;
const DELIVERY_SEC = Number(process.env.BENCH_INTEGRATIONS_DELIVERY_SEC ?? 15);
const TRIGGER = 'benchtrigger';

function log(msg: string) {
  process.stdout.write(`[bench:integrations ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

const open = { server: undefined as TestServer | undefined, receiver: undefined as Server | undefined };

async function cleanup() {
  const { server, receiver } = open;
  open.server = undefined;
  open.receiver = undefined;
  if (receiver) await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await server?.stop().catch(() => undefined);
}

/** The receiver of the outgoing webhook: when each post id arrived (Date.now(), this machine's clock). */
async function startReceiver(arrivals: Map<string, number[]>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const { post_id: postId } = JSON.parse(Buffer.concat(chunks).toString()) as { post_id: string };
      arrivals.set(postId, [...(arrivals.get(postId) ?? []), at]);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

async function ok(res: Response): Promise<string> {
  const body = await res.text();
  if (!res.ok) throw new Error(`${res.status}: ${body.slice(0, 200)}`);
  return body;
}

interface Senders {
  rest: (worker: number, i: number) => Promise<unknown>;
  webhook: (worker: number, i: number) => Promise<unknown>;
}

function senders(server: TestServer, token: string, channels: Channel[], hooks: IncomingWebhook[]): Senders {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' };
  return {
    rest: async (w, i) =>
      ok(
        await fetch(`${server.url}/api/v4/posts`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ channel_id: channels[w].id, message: `rest post ${i} of the benchmark` }),
        }),
      ),
    webhook: async (w, i) =>
      ok(
        await fetch(`${server.url}/hooks/${hooks[w].id}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ text: `webhook post ${i} of the benchmark` }),
        }),
      ),
  };
}

/** One round of one kind: CONCURRENCY clients over CONCURRENCY channels, for ROUND_SEC. */
async function throughputRound(server: TestServer, kind: 'rest' | 'webhook', n: number, send: Senders): Promise<ThroughputRound> {
  const cpu0 = cpuSeconds(server.pid);
  // Requests are spread over the channels in turn (closedLoop numbers them globally).
  const result = await closedLoop(CONCURRENCY, ROUND_SEC * 1000, (i) => send[kind](i % CONCURRENCY, i));
  const cpu = cpuSeconds(server.pid) - cpu0;
  const posts = result.latencies.length;
  const r: ThroughputRound = {
    kind,
    round: n,
    posts,
    errors: result.errors,
    wallSec: round(result.elapsedMs / 1000, 2),
    postsPerSec: round(rate(posts, result.elapsedMs), 1),
    serverCpuMsPerPost: round((cpu * 1000) / Math.max(1, posts), 2),
    latencyMs: summarize(result.latencies),
  };
  log(
    `${kind} round ${n}: ${r.postsPerSec} posts/s, p50 ${round(r.latencyMs.p50, 1)} ms, ${r.errors} errors${result.errorSamples[0] ? ` (${result.errorSamples[0]})` : ''}`,
  );
  return r;
}

/** DELIVERY_RATE posts a second for DELIVERY_SEC through REST; with the hook, when each reached the receiver. */
async function deliveryPhase(server: TestServer, token: string, channel: Channel, withHook: boolean, arrivals: Map<string, number[]>): Promise<DeliveryPhase> {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' };
  const created: Array<{ id: string; createAt: number }> = [];
  const result = await openLoop(DELIVERY_RATE, DELIVERY_SEC * 1000, async (i) => {
    const body = await ok(
      await fetch(`${server.url}/api/v4/posts`, { method: 'POST', headers, body: JSON.stringify({ channel_id: channel.id, message: `${TRIGGER} post ${i}` }) }),
    );
    const post = JSON.parse(body) as { id: string; create_at: number };
    created.push({ id: post.id, createAt: post.create_at });
  });
  const phase: DeliveryPhase = { withHook, posts: created.length, errors: result.errors, createMs: summarize(result.latencies) };
  if (withHook) {
    const deadline = Date.now() + 30_000;
    while (created.some((p) => !arrivals.has(p.id)) && Date.now() < deadline) await sleep(100);
    // Late duplicates would show up now.
    await sleep(1000);
    phase.delivered = created.filter((p) => arrivals.get(p.id)?.length === 1).length;
    phase.deliveryMs = summarize(created.filter((p) => arrivals.has(p.id)).map((p) => arrivals.get(p.id)![0] - p.createAt));
  }
  log(
    `delivery ${withHook ? 'with' : 'without'} the hook: create p50 ${round(phase.createMs.p50, 1)} ms` +
      (phase.deliveryMs ? `, delivery p50 ${round(phase.deliveryMs.p50, 1)} ms, p99 ${round(phase.deliveryMs.p99, 1)} ms` : ''),
  );
  return phase;
}

async function main(): Promise<IntegrationsResults> {
  const machine = await machineInfo(ADMIN_DSN);
  const loadAveragesBefore = loadavg().map((v) => round(v, 2));
  log(`${machine.nproc} cores, ${machine.cpuModel}, Node ${machine.node}, load ${loadAveragesBefore.join(' ')}`);
  const server = await startServer({ MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS: '127.0.0.1' });
  open.server = server;
  const admin = await server.newUser({ username: 'benchadmin' });
  const team = await admin.client.createTeam({ name: `bench-hooks-${Date.now()}`, display_name: 'Hooks', type: 'O' } as Team);
  const channels: Channel[] = [];
  const hooks: IncomingWebhook[] = [];
  for (let w = 0; w < CONCURRENCY; w++) {
    const channel = await admin.client.createChannel({ team_id: team.id, name: `bench-hooks-${w}`, display_name: `Hooks ${w}`, type: 'O' } as Channel);
    channels.push(channel);
    hooks.push(await admin.client.createIncomingWebhook({ channel_id: channel.id, display_name: `bench ${w}` }));
  }
  const token = admin.client.getToken();
  const send = senders(server, token, channels, hooks);

  log('warming up');
  for (let i = 0; i < 50; i++) await Promise.all([send.rest(i % CONCURRENCY, i), send.webhook(i % CONCURRENCY, i)]);

  const rounds: ThroughputRound[] = [];
  for (let n = 1; n <= ROUNDS; n++) {
    rounds.push(await throughputRound(server, 'rest', n, send));
    rounds.push(await throughputRound(server, 'webhook', n, send));
  }
  const { rest, webhook, ratio } = throughputSummary(rounds);

  const arrivals = new Map<string, number[]>();
  const receiver = await startReceiver(arrivals);
  open.receiver = receiver.server;
  const deliveryChannel = channels[0];
  const outgoing = await admin.client.createOutgoingWebhook({
    team_id: team.id,
    trigger_words: [TRIGGER],
    trigger_when: 0,
    callback_urls: [receiver.url],
    content_type: 'application/json',
    display_name: 'bench receiver',
  } as OutgoingWebhook);
  const delivery: DeliveryPhase[] = [await deliveryPhase(server, token, deliveryChannel, true, arrivals)];
  await admin.client.removeOutgoingWebhook(outgoing.id);
  delivery.push(await deliveryPhase(server, token, deliveryChannel, false, arrivals));

  return {
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    command: COMMAND,
    machine,
    loadAveragesBefore,
    loadAverageAfter1m: round(loadavg()[0], 2),
    concurrency: CONCURRENCY,
    roundSec: ROUND_SEC,
    rounds,
    restPostsPerSec: rest,
    webhookPostsPerSec: webhook,
    ratio,
    deliveryRatePerSec: DELIVERY_RATE,
    deliverySec: DELIVERY_SEC,
    delivery,
  };
}

const DEVELOPMENT_RUN = ['BENCH_INTEGRATIONS_ROUND_SEC', 'BENCH_INTEGRATIONS_ROUNDS', 'BENCH_INTEGRATIONS_DELIVERY_SEC'].some((k) => process.env[k]);

await runBench({
  command: 'bench:integrations',
  log,
  main,
  cleanup,
  publish: (results) =>
    publishResults({
      name: 'integrations',
      heading: INTEGRATIONS_SECTION,
      results,
      markdown: renderIntegrationsMarkdown(results),
      developmentRun: DEVELOPMENT_RUN,
    }),
  table: renderIntegrationsTable,
  failureOutput: () => (open.server?.logs ? `server output (tail):\n${open.server.logs.slice(-4000)}\n` : undefined),
});
