/**
 * `npm run bench:notifications`: notifications on one server (issue 15), over the real push path:
 * server → push proxy (apps/push-proxy, its own process) → APNs and FCM stand-ins, and mail to a
 * real SMTP server, all on loopback.
 *
 *  1. A team and one public channel of 1,000 members; 10 % of them have a device on a session of
 *     their own (half APNs, half FCM) and want a push for every post (notify prop push = all).
 *  2. Post create with notifications off and on (EmailSettings.SendPushNotifications and
 *     SendEmailNotifications through PUT /api/v4/config), rounds interleaved on the same server:
 *     posts/s, p50/p99, server CPU; goal: p99 with notifications ≤ 1.2 × without.
 *  3. The pushes of the rounds with notifications: how many reached the providers, how fast, how
 *     long after the post, and how many the server's bounded queue dropped; the emails of the
 *     posts that mention an offline member.
 *  4. The CPU of the server, the push proxy, PostgreSQL and this process side by side; then a
 *     steady post rate, to see the delivery delay when the push path keeps up.
 *
 * Writes bench-results/notifications.json and the "## bench:notifications" section of
 * docs/benchmarks.md. BENCH_NOTIFICATIONS_ROUND_SEC, BENCH_NOTIFICATIONS_ROUNDS,
 * BENCH_NOTIFICATIONS_MEMBERS and BENCH_NOTIFICATIONS_STEADY_RATE change a run while developing it
 * (bench-results/notifications.dev.json only); so does BENCH_SERVER_CPU_PROFILE=<folder>, which
 * writes a V8 CPU profile of the server for each round and steady phase into that folder
 * (round-<n>-<on|off>.cpuprofile, steady-<on|off>.cpuprofile).
 */
import { existsSync, renameSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import {
  ADMIN_DSN,
  apnsDeviceToken,
  clientFor,
  fcmRegistrationToken,
  sleep,
  startApnsServer,
  startFcmServer,
  startPushProxy,
  startServer,
  startSmtpServer,
  type ApnsServer,
  type FcmServer,
  type PushProxyProcess,
  type SmtpHarness,
  type TestServer,
} from '#testing';
import { closedLoop, mapLimit, openLoop, type LoadResult } from './load.js';
import { backendPids, cpuSeconds, machineBusySeconds, machineInfo } from './machine.js';
import {
  dropWarnings,
  NOTIFICATIONS_SECTION,
  proxyTimings,
  pushDelivery,
  renderNotificationsMarkdown,
  renderNotificationsTable,
  summarizeRounds,
  sumCounter,
  type CreatedPost,
  type NotificationsResults,
  type PhaseCpu,
  type PostRound,
  type PushDelivery,
  type Receipt,
  type SteadyPhase,
} from './notifications-report.js';
import { publishResults, runBench } from './run.js';
import { rate, round, summarize } from './stats.js';

const COMMAND = 'npm run bench:notifications';
const MEMBERS = Number(process.env.BENCH_NOTIFICATIONS_MEMBERS ?? 1000);
/** 10 % of the members have a device. */
const DEVICES = Math.round(MEMBERS / 10);
const CONCURRENCY = 8;
const ROUND_SEC = Number(process.env.BENCH_NOTIFICATIONS_ROUND_SEC ?? 10);
const ROUNDS = Number(process.env.BENCH_NOTIFICATIONS_ROUNDS ?? 3);
/** 1 post/s is 100 pushes/s: within what the push path delivered on this machine (about 150–200/s), so the queue stays short. */
const STEADY_RATE = Number(process.env.BENCH_NOTIFICATIONS_STEADY_RATE ?? 3);
const STEADY_SEC = 20;
/** Every n-th post @-mentions an offline member without a device: one email. */
const MENTION_EVERY = 10;
const SEED_CONCURRENCY = 16;
const LOGIN_CONCURRENCY = 8;
const BATCH = 200; // under the server's 256 users per batch request
/** Delivery is over when the providers and the SMTP server got nothing for this long (or all arrived). */
const QUIET_MS = 2000;
const DRAIN_TIMEOUT_MS = 60_000;
const WARMUP_POSTS = 20;
const PASSWORD = 'Bench-passw0rd!';
const POST_TEXT = 'the quick brown fox jumps over the lazy dog';
const PUSH_METRIC = 'service_notifications_total';
const PROFILE_DIR = process.env.BENCH_SERVER_CPU_PROFILE ? resolve(process.env.BENCH_SERVER_CPU_PROFILE) : undefined;

function log(msg: string) {
  process.stdout.write(`[bench:notifications ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Everything that must be released however the run ends. */
const open = {
  server: undefined as TestServer | undefined,
  proxy: undefined as PushProxyProcess | undefined,
  apns: undefined as ApnsServer | undefined,
  fcm: undefined as FcmServer | undefined,
  smtp: undefined as SmtpHarness | undefined,
};

async function cleanup() {
  const { server, proxy, apns, fcm, smtp } = open;
  Object.assign(open, { server: undefined, proxy: undefined, apns: undefined, fcm: undefined, smtp: undefined });
  // The server first (it stops pushing), then the proxy, then what the proxy talks to.
  await server?.stop().catch(() => undefined);
  await proxy?.stop().catch(() => undefined);
  await apns?.stop().catch(() => undefined);
  await fcm?.stop().catch(() => undefined);
  await smtp?.close().catch(() => undefined);
}

async function ok(res: Response): Promise<string> {
  const body = await res.text();
  if (!res.ok) throw new Error(`${res.status}: ${body.slice(0, 200)}`);
  return body;
}

interface Poster {
  token: string;
}

interface World {
  server: TestServer;
  proxy: PushProxyProcess;
  apns: ApnsServer;
  fcm: FcmServer;
  smtp: SmtpHarness;
  admin: Client4;
  channel: Channel;
  posters: Poster[];
  /** Offline members without a device, mentioned in turn. */
  mentionable: string[];
  devices: { apple: number; android: number };
}

/** The members: created by the admin, added to the team and the channel in batches. */
async function seedMembers(server: TestServer, admin: Client4, team: Team, channel: Channel): Promise<UserProfile[]> {
  const users = await mapLimit(
    Array.from({ length: MEMBERS }, (_, i) => i),
    SEED_CONCURRENCY,
    (i) => admin.createUser({ username: `notify${i}`, email: `notify${i}@example.com`, password: PASSWORD } as UserProfile, '', ''),
  );
  const ids = users.map((u) => u.id);
  for (let i = 0; i < ids.length; i += BATCH) await admin.addUsersToTeam(team.id, ids.slice(i, i + BATCH));
  for (let i = 0; i < ids.length; i += BATCH) await admin.addToChannels(ids.slice(i, i + BATCH), channel.id);
  return users;
}

/**
 * A phone session for each device user: signed in, the device registered on that session
 * (PUT /users/sessions/device), push notify prop `all`. Half APNs, half FCM.
 */
async function registerDevices(server: TestServer, users: UserProfile[]): Promise<{ apple: number; android: number }> {
  const platforms = await mapLimit(users, LOGIN_CONCURRENCY, async (u, i) => {
    const phone = clientFor(server.url);
    const me = await phone.login(u.username, PASSWORD);
    const apple = i % 2 === 0;
    const deviceId = apple ? `apple_rn:${apnsDeviceToken()}` : `android_rn:${fcmRegistrationToken()}`;
    await ok(
      await fetch(`${server.url}/api/v4/users/sessions/device`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${phone.getToken()}`, 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
        body: JSON.stringify({ device_id: deviceId }),
      }),
    );
    await phone.patchMe({ notify_props: { ...me.notify_props, push: 'all' } } as Partial<UserProfile>);
    return apple;
  });
  return { apple: platforms.filter(Boolean).length, android: platforms.filter((a) => !a).length };
}

async function setUp(): Promise<World & { setupSec: number }> {
  const t0 = Date.now();
  const smtp = (open.smtp = await startSmtpServer());
  const apns = (open.apns = await startApnsServer());
  const fcm = (open.fcm = await startFcmServer());
  const proxy = (open.proxy = await startPushProxy({ apns, fcm }));
  const server = (open.server = await startServer({
    MM_RATELIMITSETTINGS_ENABLE: 'false',
    MM_EMAILSETTINGS_PUSHNOTIFICATIONSERVER: proxy.url,
    ...smtp.env,
    ...(PROFILE_DIR ? { NODE_OPTIONS: `--import ${join(import.meta.dirname, 'server-probe.js')}`, BENCH_CPU_PROFILE_DIR: PROFILE_DIR } : {}),
  }));
  log(`server pid ${server.pid} on ${server.url}, push proxy pid ${proxy.pid} on ${proxy.url}, APNs ${apns.url}, FCM ${fcm.url}, SMTP port ${smtp.port}`);
  const admin = (await server.newUser({ username: 'benchadmin', password: PASSWORD })).client;
  const team = await admin.createTeam({ name: `bench-notify-${Date.now()}`, display_name: 'Notify', type: 'O' } as Team);
  const channel = await admin.createChannel({ team_id: team.id, name: 'bench-notify', display_name: 'Notify', type: 'O' } as Channel);
  const users = await seedMembers(server, admin, team, channel);
  log(`${users.length} members in the channel after ${round((Date.now() - t0) / 1000)} s`);
  const devices = await registerDevices(server, users.slice(0, DEVICES));
  const posterUsers = users.slice(DEVICES, DEVICES + CONCURRENCY);
  const posters = await mapLimit(posterUsers, LOGIN_CONCURRENCY, async (u) => {
    const c = clientFor(server.url);
    await c.login(u.username, PASSWORD);
    return { token: c.getToken() };
  });
  const setupSec = round((Date.now() - t0) / 1000, 1);
  log(`${devices.apple} APNs and ${devices.android} FCM devices registered, ${posters.length} posters signed in; set up in ${setupSec} s`);
  return {
    server,
    proxy,
    apns,
    fcm,
    smtp,
    admin,
    channel,
    posters,
    mentionable: users.slice(DEVICES + CONCURRENCY).map((u) => u.username),
    devices,
    setupSec,
  };
}

/** Both kinds of notification on or off, as an admin does it: the whole config back through PUT /api/v4/config. */
async function setNotifications(admin: Client4, on: boolean): Promise<void> {
  const cfg = await admin.getConfig();
  cfg.EmailSettings.SendPushNotifications = on;
  cfg.EmailSettings.SendEmailNotifications = on;
  const saved = await admin.updateConfig(cfg);
  if (saved.EmailSettings.SendPushNotifications !== on || saved.EmailSettings.SendEmailNotifications !== on) throw new Error('the config did not take');
}

/** The pushes the stand-ins accepted since the last call (by post id), and how many requests they refused; then forgets them. */
function takeReceipts(w: World): { receipts: Receipt[]; refused: number } {
  const receipts: Receipt[] = [
    ...w.apns.accepted.map((d) => ({ postId: String(d.payload.post_id ?? ''), at: d.at })),
    ...w.fcm.accepted.map((d) => ({ postId: d.message.data?.post_id ?? '', at: d.at })),
  ];
  const refused = w.apns.requests.filter((r) => r.status !== 200).length + w.fcm.requests.filter((r) => r.status !== 200).length;
  // Bounded memory over the run: every push of a round is a record with its payload.
  w.apns.accepted.length = 0;
  w.apns.requests.length = 0;
  w.fcm.accepted.length = 0;
  w.fcm.requests.length = 0;
  return { receipts, refused };
}

/** Waits until every push and mail arrived, or nothing arrived for QUIET_MS (the rest was dropped), at most DRAIN_TIMEOUT_MS. */
async function drain(w: World, pushes: number, mails: number): Promise<void> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  let seen = -1;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    if (w.apns.accepted.length + w.fcm.accepted.length >= pushes && w.smtp.mails.length >= mails) return;
    const now = w.apns.requests.length + w.fcm.requests.length + w.smtp.mails.length;
    if (now !== seen) {
      seen = now;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= QUIET_MS) return;
    await sleep(100);
  }
  log(`still delivering after ${DRAIN_TIMEOUT_MS / 1000} s; counting what arrived`);
}

interface CpuMark {
  at: number;
  server: number;
  proxy: number;
  postgres: Map<number, number>;
  bench: NodeJS.CpuUsage;
  machine: number;
}

async function postgresCpu(w: World): Promise<Map<number, number>> {
  const m = new Map<number, number>();
  for (const pid of await backendPids(ADMIN_DSN, w.server.database)) {
    try {
      m.set(pid, cpuSeconds(pid));
    } catch {
      /* the backend ended meanwhile */
    }
  }
  return m;
}

async function cpuMark(w: World): Promise<CpuMark> {
  return {
    at: Date.now(),
    server: cpuSeconds(w.server.pid),
    proxy: cpuSeconds(w.proxy.pid),
    postgres: await postgresCpu(w),
    bench: process.cpuUsage(),
    machine: machineBusySeconds(),
  };
}

async function cpuSince(w: World, m: CpuMark): Promise<PhaseCpu> {
  const bench = process.cpuUsage(m.bench);
  let postgres = 0;
  for (const [pid, sec] of await postgresCpu(w)) postgres += sec - (m.postgres.get(pid) ?? 0);
  return {
    wallSec: round((Date.now() - m.at) / 1000, 2),
    serverSec: round(cpuSeconds(w.server.pid) - m.server, 2),
    proxySec: round(cpuSeconds(w.proxy.pid) - m.proxy, 2),
    postgresSec: round(postgres, 2),
    benchSec: round((bench.user + bench.system) / 1e6, 2),
    machineSec: round(machineBusySeconds() - m.machine, 2),
  };
}

let postSeq = 0;

/** Posts of a phase: what was created, and how many mention someone. */
function poster(w: World) {
  const created: CreatedPost[] = [];
  let mentions = 0;
  const send = async (i: number) => {
    const seq = postSeq++;
    const mention = seq % MENTION_EVERY === 0 ? w.mentionable[Math.floor(seq / MENTION_EVERY) % w.mentionable.length] : undefined;
    const message = `${mention ? `@${mention} ` : ''}bench notification ${seq}: ${POST_TEXT}`;
    const body = await ok(
      await fetch(`${w.server.url}/api/v4/posts`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${w.posters[i % w.posters.length].token}`, 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
        body: JSON.stringify({ channel_id: w.channel.id, message }),
      }),
    );
    const post = JSON.parse(body) as { id: string; create_at: number };
    created.push({ id: post.id, createAt: post.create_at });
    if (mention) mentions++;
  };
  return { send, created, mentions: () => mentions };
}

/**
 * Runs `load` with notifications `on` and, with them, waits for its pushes and mails: the CPU of
 * the whole, the server's CPU while posting, and what became of the pushes.
 */
async function measured<L extends LoadResult>(
  w: World,
  on: boolean,
  load: (send: (i: number) => Promise<void>) => Promise<L>,
): Promise<{ result: L; posts: CreatedPost[]; mentions: number; serverPostingSec: number; cpu: PhaseCpu; push?: PushDelivery; mails?: number }> {
  takeReceipts(w);
  w.smtp.mails.length = 0;
  const metrics0 = await w.proxy.metrics();
  const p = poster(w);
  const mark = await cpuMark(w);
  const result = await load(p.send);
  const postingEndedAt = Date.now();
  const serverPostingSec = cpuSeconds(w.server.pid) - mark.server;
  if (!on) return { result, posts: p.created, mentions: p.mentions(), serverPostingSec, cpu: await cpuSince(w, mark) };
  await drain(w, p.created.length * DEVICES, p.mentions());
  const cpu = await cpuSince(w, mark);
  const { receipts, refused } = takeReceipts(w);
  const metrics = await w.proxy.metrics();
  const push = pushDelivery({
    posts: p.created,
    receipts,
    devices: DEVICES,
    toProxy: sumCounter(metrics, PUSH_METRIC) - sumCounter(metrics0, PUSH_METRIC),
    refused,
    startedAt: mark.at,
    postingEndedAt,
  });
  push.proxy = proxyTimings(metrics0, metrics);
  return { result, posts: p.created, mentions: p.mentions(), serverPostingSec, cpu, push, mails: w.smtp.mails.length };
}

let profilesWritten = 0;

/** With BENCH_SERVER_CPU_PROFILE, a CPU profile of the server during `fn` (bench/server-probe.ts starts and stops it on SIGUSR2). */
async function profiled<T>(w: World, label: string, fn: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return fn();
  process.kill(w.server.pid, 'SIGUSR2');
  try {
    return await fn();
  } finally {
    process.kill(w.server.pid, 'SIGUSR2');
    const file = join(PROFILE_DIR, `${++profilesWritten}.cpuprofile`);
    for (let i = 0; i < 100 && !existsSync(file); i++) await sleep(100);
    if (existsSync(file)) renameSync(file, join(PROFILE_DIR, `${label}.cpuprofile`));
  }
}

async function postRound(w: World, on: boolean, n: number, pooled: number[]): Promise<PostRound> {
  await setNotifications(w.admin, on);
  const m = await profiled(w, `round-${n}-${on ? 'on' : 'off'}`, () => measured(w, on, (send) => closedLoop(CONCURRENCY, ROUND_SEC * 1000, send)));
  pooled.push(...m.result.latencies);
  const posts = m.result.latencies.length;
  const r: PostRound = {
    notifications: on,
    round: n,
    posts,
    mentionPosts: m.mentions,
    errors: m.result.errors,
    errorSamples: m.result.errorSamples,
    wallSec: round(m.result.elapsedMs / 1000, 2),
    postsPerSec: round(rate(posts, m.result.elapsedMs), 1),
    serverCpuMsPerPost: round((m.serverPostingSec * 1000) / Math.max(1, posts), 2),
    latencyMs: summarize(m.result.latencies),
    cpu: m.cpu,
    ...(m.push ? { push: m.push, emails: { expected: m.mentions, received: m.mails ?? 0 } } : {}),
  };
  log(
    `round ${n} notifications ${on ? 'on' : 'off'}: ${r.postsPerSec} posts/s, p50 ${round(r.latencyMs.p50, 1)} ms, p99 ${round(r.latencyMs.p99, 1)} ms, ` +
      `server ${r.cpu.serverSec} s, proxy ${r.cpu.proxySec} s, ${r.errors} errors${r.errorSamples[0] ? ` (${r.errorSamples[0]})` : ''}` +
      (r.push
        ? `; pushes ${r.push.delivered}/${r.push.expected} (${r.push.notSent} not sent), ${r.push.perSec}/s, delay p50 ${round(r.push.delayMs.p50, 1)} ms, ` +
          `p99 ${round(r.push.delayMs.p99, 1)} ms, drained in ${r.push.drainSec} s; ` +
          `proxy request ${r.push.proxy?.requestMs} ms (APNs ${r.push.proxy?.apnsMs} ms, FCM ${r.push.proxy?.fcmMs} ms); emails ${r.emails!.received}/${r.emails!.expected}`
        : ''),
  );
  return r;
}

async function steadyPhase(w: World, on: boolean): Promise<SteadyPhase> {
  await setNotifications(w.admin, on);
  const m = await profiled(w, `steady-${on ? 'on' : 'off'}`, () => measured(w, on, (send) => openLoop(STEADY_RATE, STEADY_SEC * 1000, send)));
  const phase: SteadyPhase = {
    notifications: on,
    ratePerSec: STEADY_RATE,
    durationSec: STEADY_SEC,
    posts: m.result.latencies.length,
    errors: m.result.errors,
    createMs: summarize(m.result.latencies),
    cpu: m.cpu,
    ...(m.push ? { push: m.push } : {}),
  };
  log(
    `steady ${STEADY_RATE}/s, notifications ${on ? 'on' : 'off'}: create p50 ${round(phase.createMs.p50, 1)} ms, p99 ${round(phase.createMs.p99, 1)} ms` +
      (phase.push
        ? `, pushes ${phase.push.delivered}/${phase.push.expected}, delay p50 ${round(phase.push.delayMs.p50, 1)} ms, p99 ${round(phase.push.delayMs.p99, 1)} ms, ` +
          `proxy request ${phase.push.proxy?.requestMs} ms (APNs ${phase.push.proxy?.apnsMs} ms, FCM ${phase.push.proxy?.fcmMs} ms)`
        : ''),
  );
  return phase;
}

/** One post with notifications must reach every device (else the figures would measure nothing), then some posts of each kind. */
async function warmUp(w: World): Promise<void> {
  await setNotifications(w.admin, true);
  const first = await measured(w, true, async (send) => {
    const t0 = Date.now();
    await send(0);
    return { latencies: [Date.now() - t0], errors: 0, errorSamples: [], elapsedMs: Date.now() - t0 };
  });
  if (first.push!.delivered !== DEVICES) {
    throw new Error(
      `the first post reached ${first.push!.delivered} of ${DEVICES} devices (proxy took ${first.push!.toProxy}, providers refused ${first.push!.refused})`,
    );
  }
  log(`the first post reached all ${DEVICES} devices in ${round(first.push!.delayMs.max, 1)} ms`);
  for (const on of [true, false]) {
    await setNotifications(w.admin, on);
    await measured(w, on, async (send) => {
      for (let i = 0; i < WARMUP_POSTS; i++) await send(i);
      return { latencies: [], errors: 0, errorSamples: [], elapsedMs: 0 };
    });
  }
}

async function main(): Promise<NotificationsResults> {
  const machine = await machineInfo(ADMIN_DSN);
  const loadAveragesBefore = loadavg().map((v) => round(v, 2));
  log(`${machine.nproc} cores, ${machine.cpuModel}, Node ${machine.node}, load ${loadAveragesBefore.join(' ')}`);
  const w = await setUp();
  const cfg = await w.admin.getConfig();

  log('warming up');
  await warmUp(w);

  const rounds: PostRound[] = [];
  const pooled = { off: [] as number[], on: [] as number[] };
  for (let n = 1; n <= ROUNDS; n++) {
    rounds.push(await postRound(w, false, n, pooled.off));
    rounds.push(await postRound(w, true, n, pooled.on));
  }
  const pooledSummary = { off: summarize(pooled.off), on: summarize(pooled.on) };
  const steady = [await steadyPhase(w, true), await steadyPhase(w, false)];
  const drops = dropWarnings(w.server.logs);

  return {
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    command: COMMAND,
    machine,
    loadAveragesBefore,
    loadAverageAfter1m: round(loadavg()[0], 2),
    members: MEMBERS,
    devices: w.devices,
    posters: CONCURRENCY,
    mentionEvery: MENTION_EVERY,
    roundSec: ROUND_SEC,
    pushNotificationBuffer: cfg.EmailSettings.PushNotificationBuffer,
    pushContents: cfg.EmailSettings.PushNotificationContents,
    setupSec: w.setupSec,
    rounds,
    pooled: pooledSummary,
    summary: summarizeRounds(rounds, pooledSummary),
    steady,
    serverDropWarnings: drops.warnings,
    serverLoggedDrops: drops.dropped,
    serverProxyFailures: (w.server.logs.match(/the push proxy could not be reached/g) ?? []).length,
  };
}

const DEVELOPMENT_RUN = [
  'BENCH_NOTIFICATIONS_ROUND_SEC',
  'BENCH_NOTIFICATIONS_ROUNDS',
  'BENCH_NOTIFICATIONS_MEMBERS',
  'BENCH_NOTIFICATIONS_STEADY_RATE',
  'BENCH_SERVER_CPU_PROFILE',
].some((k) => process.env[k]);

await runBench({
  command: 'bench:notifications',
  log,
  main,
  cleanup,
  publish: (results) =>
    publishResults({
      name: 'notifications',
      heading: NOTIFICATIONS_SECTION,
      results,
      markdown: renderNotificationsMarkdown(results),
      developmentRun: DEVELOPMENT_RUN,
    }),
  table: renderNotificationsTable,
  failureOutput: () => {
    const parts = [];
    if (open.server?.logs) parts.push(`server output (tail):\n${open.server.logs.slice(-4000)}\n`);
    if (open.proxy?.logs) parts.push(`push proxy output (tail):\n${open.proxy.logs.slice(-3000)}\n`);
    return parts.length ? parts.join('') : undefined;
  },
});
