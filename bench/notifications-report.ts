/** The figures of `npm run bench:notifications` and how docs/benchmarks.md shows them. */
import type { MachineInfo } from './machine.js';
import { median, rate, round, summarize, type Summary } from './stats.js';

export const NOTIFICATIONS_SECTION = '## bench:notifications';
/** Post create p99 with notifications ÷ without, same run and server: the issue's "≤ 20 % slower". */
export const P99_RATIO_GOAL = 1.2;

/** CPU seconds each process used over a phase (its posting and, with notifications, the wait for its pushes). */
export interface PhaseCpu {
  wallSec: number;
  serverSec: number;
  proxySec: number;
  postgresSec: number;
  /** This process: the posting clients and the APNs, FCM and SMTP stand-ins. */
  benchSec: number;
  /** Busy CPU seconds of the whole machine (what exceeds the rest is other work on it). */
  machineSec: number;
}

/** What became of the pushes of a phase's posts. */
export interface PushDelivery {
  /** Posts × devices: every device gets every post. */
  expected: number;
  /** send_push requests the push proxy took (its service_notifications_total). */
  toProxy: number;
  /** Pushes the APNs and FCM stand-ins accepted for the phase's posts. */
  delivered: number;
  /** Provider requests answered with an error. */
  refused: number;
  /** Expected pushes the server never sent to the proxy (its bounded queue was full, or the proxy could not be reached). */
  notSent: number;
  /** The proxy took them but no provider accepted them. */
  lostInProxy: number;
  /** Delivered pushes a second, from the phase's first post to its last delivery. */
  perSec: number;
  /** From the end of posting to the last delivery, s. */
  drainSec: number;
  /** Post create_at (server clock) → the stand-in had the whole request (this machine's clock). */
  delayMs: Summary;
  /** Filled in by the benchmark from the proxy's metrics. */
  proxy?: ProxyTimings;
}

export interface PostRound {
  notifications: boolean;
  round: number;
  posts: number;
  /** Posts that @-mention an offline member (one email each with notifications). */
  mentionPosts: number;
  errors: number;
  errorSamples: string[];
  wallSec: number;
  postsPerSec: number;
  /** Server CPU over the posting window per post, ms (the pushes it still sends afterwards are in `cpu`). */
  serverCpuMsPerPost: number;
  latencyMs: Summary;
  cpu: PhaseCpu;
  push?: PushDelivery;
  emails?: { expected: number; received: number };
}

/** Posts at a fixed rate (open loop), to see delivery delay when the push path keeps up. */
export interface SteadyPhase {
  notifications: boolean;
  ratePerSec: number;
  durationSec: number;
  posts: number;
  errors: number;
  createMs: Summary;
  cpu: PhaseCpu;
  push?: PushDelivery;
}

export interface NotificationsResults {
  date: string;
  command: string;
  machine: MachineInfo;
  loadAveragesBefore: number[];
  loadAverageAfter1m: number;
  members: number;
  devices: { apple: number; android: number };
  posters: number;
  mentionEvery: number;
  roundSec: number;
  pushNotificationBuffer: number;
  pushContents: string;
  setupSec: number;
  rounds: PostRound[];
  /** Every latency of each kind's rounds together. */
  pooled: { off: Summary; on: Summary };
  summary: RoundsSummary;
  steady: SteadyPhase[];
  /** The server's "push queue is full" warnings (at most one per 10 s) and the drops they name (a lower bound). */
  serverDropWarnings: number;
  serverLoggedDrops: number;
  /** The server's warnings that it could not reach the proxy. */
  serverProxyFailures: number;
}

export interface RoundsSummary {
  offPostsPerSec: number;
  onPostsPerSec: number;
  /** On ÷ off posts/s (medians). */
  postsRatio: number;
  offP99Ms: number;
  onP99Ms: number;
  /** On ÷ off p99 over all samples of each kind. */
  p99Ratio: number;
  met: boolean;
  /** Pushes delivered a second in the median round with notifications. */
  pushesPerSec: number;
  expected: number;
  delivered: number;
  notSent: number;
}

/** The medians of each kind's rounds, the pooled p99s and their ratio, and the pushes of the rounds with notifications. */
export function summarizeRounds(rounds: PostRound[], pooled: { off: Summary; on: Summary }): RoundsSummary {
  const off = rounds.filter((r) => !r.notifications);
  const on = rounds.filter((r) => r.notifications);
  const offPostsPerSec = round(median(off.map((r) => r.postsPerSec)), 1);
  const onPostsPerSec = round(median(on.map((r) => r.postsPerSec)), 1);
  const p99Ratio = round(pooled.on.p99 / pooled.off.p99, 3);
  const pushes = on.map((r) => r.push).filter((p): p is PushDelivery => p !== undefined);
  const sum = (f: (p: PushDelivery) => number) => pushes.reduce((n, p) => n + f(p), 0);
  return {
    offPostsPerSec,
    onPostsPerSec,
    postsRatio: round(onPostsPerSec / offPostsPerSec, 3),
    offP99Ms: round(pooled.off.p99, 1),
    onP99Ms: round(pooled.on.p99, 1),
    p99Ratio,
    met: p99Ratio <= P99_RATIO_GOAL,
    pushesPerSec: round(median(pushes.map((p) => p.perSec)), 1),
    expected: sum((p) => p.expected),
    delivered: sum((p) => p.delivered),
    notSent: sum((p) => p.notSent),
  };
}

export interface CreatedPost {
  id: string;
  createAt: number;
}

export interface Receipt {
  postId: string;
  /** When the stand-in had the request (Date.now()). */
  at: number;
}

/**
 * The pushes of a phase's posts: which receipts are theirs (one per device and post), how long
 * each took from the post's creation, and how many the server or the proxy never passed on.
 * `startedAt` and `postingEndedAt` are Date.now() readings.
 */
export function pushDelivery(opts: {
  posts: CreatedPost[];
  receipts: Receipt[];
  devices: number;
  toProxy: number;
  refused: number;
  startedAt: number;
  postingEndedAt: number;
}): PushDelivery {
  const createdAt = new Map(opts.posts.map((p) => [p.id, p.createAt]));
  const delays: number[] = [];
  let last = opts.postingEndedAt;
  for (const r of opts.receipts) {
    const at = createdAt.get(r.postId);
    if (at === undefined) continue;
    delays.push(r.at - at);
    last = Math.max(last, r.at);
  }
  const expected = opts.posts.length * opts.devices;
  return {
    expected,
    toProxy: opts.toProxy,
    delivered: delays.length,
    refused: opts.refused,
    notSent: Math.max(0, expected - opts.toProxy),
    lostInProxy: Math.max(0, Math.min(expected, opts.toProxy) - delays.length),
    perSec: round(rate(delays.length, last - opts.startedAt), 1),
    drainSec: round((last - opts.postingEndedAt) / 1000, 1),
    delayMs: summarize(delays),
  };
}

/** Where a push spent its time in the proxy: means over a phase, from the proxy's histograms. */
export interface ProxyTimings {
  /** send_push (and ack) requests, from reading the request to the answer: the provider request included. */
  requestMs: number;
  apnsMs: number;
  fcmMs: number;
}

/** The mean of each of the proxy's duration histograms between two /metrics readings, ms. */
export function proxyTimings(before: string, after: string): ProxyTimings {
  const mean = (name: string) => {
    const count = sumCounter(after, `${name}_count`) - sumCounter(before, `${name}_count`);
    const sum = sumCounter(after, `${name}_sum`) - sumCounter(before, `${name}_sum`);
    return count > 0 ? round((sum * 1000) / count, 2) : NaN;
  };
  return {
    requestMs: mean('service_request_duration_seconds'),
    apnsMs: mean('service_apns_request_duration_seconds'),
    fcmMs: mean('service_fcm_request_duration_seconds'),
  };
}

/** The sum of a Prometheus counter over all its label sets, from /metrics text. */
export function sumCounter(metricsText: string, name: string): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) total += Number(m[2]);
  }
  return total;
}

/** The server's "push queue is full" warnings in its output, and the drops they name. */
export function dropWarnings(serverLogs: string): { warnings: number; dropped: number } {
  let warnings = 0;
  let dropped = 0;
  for (const m of serverLogs.matchAll(/the push queue is full[^\n]*?dropped (\d+) push notification/g)) {
    warnings++;
    dropped += Number(m[1]);
  }
  return { warnings, dropped };
}

/**
 * Server CPU a round with notifications used beyond what its posts cost without them (the
 * median off round's CPU per post), per push delivered, ms: the push path's price on the server
 * (the notifications engine's reads, the queue's jobs, the requests to the proxy).
 */
export function extraServerCpuPerPush(onRound: PostRound, offServerMsPerPost: number): number {
  const delivered = onRound.push?.delivered ?? 0;
  if (delivered === 0) return NaN;
  return round((onRound.cpu.serverSec * 1000 - onRound.posts * offServerMsPerPost) / delivered, 2);
}

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : `${round(v, 1)} ms`);
const sec = (v: number) => `${round(v, 1)} s`;
const range = (values: number[]) => `${round(Math.min(...values), 1)}–${round(Math.max(...values), 1)}`;
const int = (v: number) => v.toLocaleString('en-US');
const perPush = (cpuSec: number, pushes: number) => (pushes > 0 ? `${round((cpuSec * 1000) / pushes, 2)} ms` : '—');
const postsPerSecond = (n: number) => (n === 1 ? '1 post' : `${n} posts`);

/**
 * CPU per delivered push in each process: the steady phase with notifications less the same posts
 * without them (which also takes out what the processes burn idle), per push, ms.
 */
export function steadyCpuPerPush(on: SteadyPhase, off: SteadyPhase): { server: number; proxy: number; postgres: number; bench: number } | undefined {
  const pushes = on.push?.delivered ?? 0;
  if (pushes === 0) return undefined;
  const per = (f: (c: PhaseCpu) => number) => round(((f(on.cpu) - f(off.cpu)) * 1000) / pushes, 2);
  return { server: per((c) => c.serverSec), proxy: per((c) => c.proxySec), postgres: per((c) => c.postgresSec), bench: per((c) => c.benchSec) };
}

function costSentence(perPushMs: ReturnType<typeof steadyCpuPerPush>, off: PostRound[]): string {
  if (!perPushMs) return '- CPU per push: nothing was delivered in the steady phase.';
  const total = round(perPushMs.server + perPushMs.proxy + perPushMs.postgres + perPushMs.bench, 2);
  const post = round(median(off.map((x) => ((x.cpu.serverSec + x.cpu.postgresSec) * 1000) / Math.max(1, x.posts))), 2);
  return (
    `- CPU per delivered push (steady phase, less the same posts without notifications): server **${perPushMs.server} ms**, push proxy **${perPushMs.proxy} ms**, ` +
    `PostgreSQL ${perPushMs.postgres} ms, the stand-ins ${perPushMs.bench} ms: ${total} ms in all, where a post without notifications costs the server and PostgreSQL ${post} ms (median off round).`
  );
}

function pushSentence(r: NotificationsResults): string {
  const s = r.summary;
  const why =
    s.notSent > 0
      ? ` **${int(s.notSent)} (${round((s.notSent / s.expected) * 100, 1)} %) were never sent**: the server's push queue ` +
        `(EmailSettings.PushNotificationBuffer = ${r.pushNotificationBuffer}) was full` +
        (r.serverDropWarnings > 0 ? ` (its log warned ${r.serverDropWarnings} times, naming at least ${int(r.serverLoggedDrops)} drops)` : '') +
        (r.serverProxyFailures > 0 ? `, or the proxy could not be reached (${r.serverProxyFailures} warnings)` : '') +
        '.'
      : ' None was dropped.';
  return `- Pushes through the proxy to the APNs and FCM stand-ins: **${s.pushesPerSec}/s** (median round with notifications); ${int(s.delivered)} of ${int(s.expected)} expected delivered.${why}`;
}

export function renderNotificationsMarkdown(r: NotificationsResults): string {
  const m = r.machine;
  const s = r.summary;
  const off = r.rounds.filter((x) => !x.notifications);
  const on = r.rounds.filter((x) => x.notifications);
  const devices = r.devices.apple + r.devices.android;
  const steadyOn = r.steady.find((x) => x.notifications);
  const steadyOff = r.steady.find((x) => !x.notifications);
  const medianOf = (set: PostRound[], f: (x: PostRound) => number) => round(median(set.map(f)), 2);
  const lines = [
    NOTIFICATIONS_SECTION,
    '',
    `Command: \`${r.command}\` (builds the server and the benchmark, then runs \`node dist-bench/bench/notifications.js\`).`,
    '',
    `Run ${r.date} on ${m.nproc} cores (${m.cpuModel}), ${m.totalRamGiB} GiB RAM, Node ${m.node}, PostgreSQL ${m.postgres}. ` +
      `Load average before the run ${r.loadAveragesBefore.join(' / ')} (1 / 5 / 15 min), 1-minute ${r.loadAverageAfter1m} after it. ` +
      'Everything on this machine over 127.0.0.1: one server process on a fresh database, the push proxy (apps/push-proxy, its own process), ' +
      'and in the benchmark process the posting clients, the APNs stand-in (HTTP/2 + TLS, ES256 provider tokens verified on every request), ' +
      'the FCM stand-in (HTTP, OAuth access tokens) and the SMTP server (smtp-server, every mail parsed): all of them share the cores, so the push path competes with posting for CPU.',
    '',
    `One team and one public channel of ${int(r.members)} members (seeded through the REST API in ${r.setupSec} s). ` +
      `${devices} of them (${round((devices / r.members) * 100, 1)} %) signed in on a phone session each and registered a device there (` +
      `${r.devices.apple} \`apple_rn:\` APNs tokens, ${r.devices.android} \`android_rn:\` FCM registration tokens) with push notify prop \`all\`, ` +
      `so each post is a push to each of them (they have no WebSocket, so they are offline and the status rules allow it). ` +
      `${r.posters} other members post; every ${r.mentionEvery}th post @-mentions one more member (offline, no device): an email with notifications on. ` +
      `Pushes carry \`${r.pushContents}\` contents.`,
    '',
    `- **${s.met ? 'Met' : 'Missed'}** — Post create p99 with notifications vs without: ${ms(s.onP99Ms)} vs ${ms(s.offP99Ms)}, ` +
      `**×${s.p99Ratio}** (goal ≤ ×${P99_RATIO_GOAL}; all posts of the ${on.length} rounds of each kind).`,
    `- Posts/s with notifications vs without: ${s.onPostsPerSec} vs ${s.offPostsPerSec} (${round(s.postsRatio * 100, 1)} %; median rounds).`,
    pushSentence(r),
    `- Push delay, post created → provider got it: p50 ${ms(medianOf(on, (x) => x.push?.delayMs.p50 ?? NaN))}, ` +
      `p99 ${ms(medianOf(on, (x) => x.push?.delayMs.p99 ?? NaN))} at full posting load (median rounds)` +
      (steadyOn?.push
        ? `; at ${postsPerSecond(steadyOn.ratePerSec)}/s (${int(steadyOn.ratePerSec * devices)} pushes/s): p50 **${ms(steadyOn.push.delayMs.p50)}**, p99 **${ms(steadyOn.push.delayMs.p99)}** ` +
          `(${int(steadyOn.push.delivered)} of ${int(steadyOn.push.expected)} delivered).`
        : '.'),
    ...(steadyOn?.push && steadyOff ? [costSentence(steadyCpuPerPush(steadyOn, steadyOff), off)] : []),
    `- CPU with notifications (median rounds, posting and draining): server ${medianOf(on, (x) => x.cpu.serverSec)} s, push proxy ${medianOf(on, (x) => x.cpu.proxySec)} s, ` +
      `PostgreSQL ${medianOf(on, (x) => x.cpu.postgresSec)} s, this process ${medianOf(on, (x) => x.cpu.benchSec)} s; ` +
      `without: server ${medianOf(off, (x) => x.cpu.serverSec)} s, PostgreSQL ${medianOf(off, (x) => x.cpu.postgresSec)} s.`,
    '',
    '### Post create, notifications off and on',
    '',
    `${r.posters} clients at once, each posting to the big channel as soon as its previous post answered, ${r.roundSec} s a round; ` +
      `${off.length} rounds of each kind interleaved (off, on, off, …), switched by the admin through \`PUT /api/v4/config\` ` +
      '(EmailSettings.SendPushNotifications and SendEmailNotifications both false, or both true). ' +
      'After each round with notifications the benchmark waits until the providers and the SMTP server got nothing more for 2 s, so the next round starts with an empty queue.',
    '',
    '| Round | Notifications | Posts/s | p50 | p99 | max | Server CPU per post | Errors |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const x of r.rounds) {
    lines.push(
      `| ${x.round} | ${x.notifications ? 'on' : 'off'} | ${x.postsPerSec} | ${ms(x.latencyMs.p50)} | ${ms(x.latencyMs.p99)} | ${ms(x.latencyMs.max)} | ` +
        `${x.serverCpuMsPerPost} ms | ${x.errors} |`,
    );
  }
  for (const [label, set, pool] of [
    ['off', off, r.pooled.off],
    ['on', on, r.pooled.on],
  ] as const) {
    lines.push(
      `| **all** | **${label}** | **${round(median(set.map((x) => x.postsPerSec)), 1)}** (${range(set.map((x) => x.postsPerSec))}) | ${ms(pool.p50)} | **${ms(pool.p99)}** | ${ms(pool.max)} | ` +
        `${medianOf(set, (x) => x.serverCpuMsPerPost)} ms | ${set.reduce((n, x) => n + x.errors, 0)} |`,
    );
  }
  lines.push(
    '',
    '### Pushes and emails of the rounds with notifications',
    '',
    '| Round | Posts | Pushes expected | Taken by the proxy | Delivered | Not sent by the server | Pushes/s | Delay p50 | Delay p99 | Delay max | Drain | Proxy request (APNs / FCM) | Emails (expected / received) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const x of on) {
    const p = x.push!;
    lines.push(
      `| ${x.round} | ${x.posts} | ${int(p.expected)} | ${int(p.toProxy)} | ${int(p.delivered)} | ${int(p.notSent)} | ${p.perSec} | ${ms(p.delayMs.p50)} | ${ms(p.delayMs.p99)} | ` +
        `${ms(p.delayMs.max)} | ${sec(p.drainSec)} | ${ms(p.proxy?.requestMs)} (${ms(p.proxy?.apnsMs)} / ${ms(p.proxy?.fcmMs)}) | ` +
        `${x.emails ? `${x.emails.expected} / ${x.emails.received}` : '—'} |`,
    );
  }
  lines.push(
    '',
    '### CPU, server next to push proxy',
    '',
    'CPU seconds each process used during a round (with notifications: until the last push was delivered).',
    '',
    '| Round | Notifications | Wall | Server | Push proxy | PostgreSQL | This process | Machine | Server per post | Server per delivered push, beyond posting | Proxy per delivered push |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  const offMsPerPost = median(off.map((x) => (x.cpu.serverSec * 1000) / Math.max(1, x.posts)));
  for (const x of r.rounds) {
    const c = x.cpu;
    const extra = x.push ? extraServerCpuPerPush(x, offMsPerPost) : NaN;
    lines.push(
      `| ${x.round} | ${x.notifications ? 'on' : 'off'} | ${sec(c.wallSec)} | ${c.serverSec} s | ${c.proxySec} s | ${c.postgresSec} s | ${c.benchSec} s | ${c.machineSec} s | ` +
        `${perPush(c.serverSec, x.posts)} | ${Number.isNaN(extra) ? '—' : `${extra} ms`} | ${perPush(c.proxySec, x.push?.delivered ?? 0)} |`,
    );
  }
  if (steadyOn || steadyOff) {
    lines.push(
      '',
      '### At a steady rate',
      '',
      `${postsPerSecond(steadyOn?.ratePerSec ?? steadyOff?.ratePerSec ?? 0)} a second for ${steadyOn?.durationSec ?? steadyOff?.durationSec} s (open loop: sent on schedule whether or not earlier ones answered; ` +
        'latency from the scheduled time), with notifications, then without.',
      '',
      '| Notifications | Posts | Create p50 | Create p99 | Pushes expected | Delivered | Delay p50 | Delay p90 | Delay p99 | Delay max | Server CPU | Proxy CPU |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const x of [steadyOn, steadyOff]) {
      if (!x) continue;
      const p = x.push;
      lines.push(
        `| ${x.notifications ? 'on' : 'off'} | ${x.posts} | ${ms(x.createMs.p50)} | ${ms(x.createMs.p99)} | ${p ? int(p.expected) : '—'} | ${p ? int(p.delivered) : '—'} | ` +
          `${ms(p?.delayMs.p50)} | ${ms(p?.delayMs.p90)} | ${ms(p?.delayMs.p99)} | ${ms(p?.delayMs.max)} | ${x.cpu.serverSec} s | ${x.cpu.proxySec} s |`,
      );
    }
  }
  lines.push(
    '',
    'What each figure includes:',
    '',
    '- **Post create**: `POST /api/v4/posts` with a session token to the 201 answer. The notifications engine runs after the answer, so a slower post with notifications on means the push and email work took CPU (or database time) from the requests, not that they wait for it.',
    "- **Taken by the proxy**: the proxy's `service_notifications_total` over the round; **Not sent by the server**: expected − taken: the server's push queue (`EmailSettings.PushNotificationBuffer`, drained by its push workers, 4 per core) refuses notifications when full (counted, and logged at most every 10 s), so that posting never waits for pushes.",
    "- **Delivered**: requests the APNs and FCM stand-ins accepted (200) carrying the post's id; one per device and post. **Pushes/s**: delivered ÷ the time from the round's first post to its last delivery.",
    "- **Delay**: from the post's `create_at` (set by the server before it stores the post) to the stand-in having the whole request: the server's queue, its per-push reads (the device sessions, the badge count), the signed request to the proxy, the proxy's request to APNs (HTTP/2) or FCM. Both clocks are this machine's.",
    "- **CPU**: user + system time from /proc of the server, the proxy, the server database's PostgreSQL backends and this process; the machine's busy time beside them.",
    '',
    'Raw JSON: `bench-results/notifications.json`.',
  );
  return lines.join('\n') + '\n';
}

export function renderNotificationsTable(r: NotificationsResults): string {
  const s = r.summary;
  const steadyOn = r.steady.find((x) => x.notifications);
  return [
    `post create p99 with notifications ${ms(s.onP99Ms)} vs without ${ms(s.offP99Ms)}: ×${s.p99Ratio} (goal ≤ ×${P99_RATIO_GOAL}) — ${s.met ? 'met' : 'missed'}`,
    `posts/s with ${s.onPostsPerSec} vs without ${s.offPostsPerSec}`,
    `pushes ${s.pushesPerSec}/s to the providers; ${s.delivered}/${s.expected} delivered, ${s.notSent} not sent (queue full)`,
    ...(steadyOn?.push
      ? [`at ${postsPerSecond(steadyOn.ratePerSec)}/s: push delay p50 ${ms(steadyOn.push.delayMs.p50)}, p99 ${ms(steadyOn.push.delayMs.p99)}`]
      : []),
  ].join('\n');
}
