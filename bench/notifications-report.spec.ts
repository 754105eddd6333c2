import { describe, expect, it } from 'vitest';
import {
  dropWarnings,
  extraServerCpuPerPush,
  proxyTimings,
  pushDelivery,
  renderNotificationsMarkdown,
  renderNotificationsTable,
  steadyCpuPerPush,
  summarizeRounds,
  sumCounter,
  type NotificationsResults,
  type PostRound,
  type PushDelivery,
} from './notifications-report.js';
import { summarize } from './stats.js';

const cpu = { wallSec: 10, serverSec: 4, proxySec: 2, postgresSec: 3, benchSec: 1, machineSec: 19 };

const push = (over: Partial<PushDelivery> = {}): PushDelivery => ({
  expected: 1000,
  toProxy: 800,
  delivered: 800,
  refused: 0,
  notSent: 200,
  lostInProxy: 0,
  perSec: 160,
  drainSec: 5,
  delayMs: summarize([100, 200, 5000]),
  proxy: { requestMs: 10, apnsMs: 9, fcmMs: 8 },
  ...over,
});

const roundOf = (notifications: boolean, n: number, postsPerSec: number, over: Partial<PostRound> = {}): PostRound => ({
  notifications,
  round: n,
  posts: postsPerSec * 10,
  mentionPosts: postsPerSec,
  errors: 0,
  errorSamples: [],
  wallSec: 10,
  postsPerSec,
  serverCpuMsPerPost: 3,
  latencyMs: summarize([10, 20, 30]),
  cpu,
  ...(notifications ? { push: push(), emails: { expected: postsPerSec, received: postsPerSec } } : {}),
  ...over,
});

const pooled = { off: summarize([10, 20, 100]), on: summarize([10, 30, 150]) };

describe('bench:notifications report', () => {
  it('compares the median rounds, the pooled p99s, and adds up the pushes of the rounds with notifications', () => {
    const rounds = [
      roundOf(false, 1, 100),
      roundOf(true, 1, 50, { push: push({ perSec: 150, expected: 500, delivered: 400, notSent: 100 }) }),
      roundOf(false, 2, 120),
      roundOf(true, 2, 60, { push: push({ perSec: 170, expected: 600, delivered: 600, notSent: 0 }) }),
      roundOf(false, 3, 110),
      roundOf(true, 3, 40, { push: push({ perSec: 160, expected: 400, delivered: 300, notSent: 100 }) }),
    ];
    expect(summarizeRounds(rounds, pooled)).toEqual({
      offPostsPerSec: 110,
      onPostsPerSec: 50,
      postsRatio: 0.455,
      offP99Ms: 100,
      onP99Ms: 150,
      p99Ratio: 1.5,
      met: false,
      pushesPerSec: 160,
      expected: 1500,
      delivered: 1300,
      notSent: 200,
    });
    expect(summarizeRounds(rounds, { off: pooled.off, on: summarize([10, 20, 120]) })).toMatchObject({ p99Ratio: 1.2, met: true });
  });

  it("counts a phase's receipts: only its posts', with each delay from the post's creation", () => {
    const d = pushDelivery({
      posts: [
        { id: 'a', createAt: 1_000 },
        { id: 'b', createAt: 1_500 },
      ],
      receipts: [
        { postId: 'a', at: 1_010 },
        { postId: 'a', at: 1_100 },
        { postId: 'b', at: 1_520 },
        { postId: 'earlier', at: 9_000 },
      ],
      devices: 3,
      toProxy: 4,
      refused: 1,
      startedAt: 900,
      postingEndedAt: 1_400,
    });
    expect(d).toMatchObject({ expected: 6, toProxy: 4, delivered: 3, refused: 1, notSent: 2, lostInProxy: 1 });
    expect(d.delayMs).toMatchObject({ count: 3, min: 10, p50: 20, max: 100 });
    // 3 pushes from the first post (900) to the last delivery (1,520): 620 ms.
    expect(d.perSec).toBe(4.8);
    expect(d.drainSec).toBe(0.1);
  });

  it('reads counters and histograms from the proxy’s /metrics text, over every label set', () => {
    const before = [
      '# HELP service_notifications_total Number of notifications sent',
      '# TYPE service_notifications_total counter',
      'service_notifications_total{platform="apple",type="message",transport=""} 10',
      'service_notifications_total{platform="android",type="message",transport=""} 5',
      'service_notifications_by_app_version_total{platform="apple_rn",app_version="1"} 99',
      'service_request_duration_seconds_sum 0.5',
      'service_request_duration_seconds_count 10',
      'service_apns_request_duration_seconds_sum 0.1',
      'service_apns_request_duration_seconds_count 10',
    ].join('\n');
    const after = [
      'service_notifications_total{platform="apple",type="message",transport=""} 110',
      'service_notifications_total{platform="android",type="message",transport=""} 105',
      'service_request_duration_seconds_sum 2.5',
      'service_request_duration_seconds_count 110',
      'service_apns_request_duration_seconds_sum 0.6',
      'service_apns_request_duration_seconds_count 60',
    ].join('\n');
    expect(sumCounter(before, 'service_notifications_total')).toBe(15);
    expect(sumCounter(after, 'service_notifications_total') - sumCounter(before, 'service_notifications_total')).toBe(200);
    expect(proxyTimings(before, after)).toEqual({ requestMs: 20, apnsMs: 10, fcmMs: NaN });
  });

  it('adds up the drops the server’s queue-full warnings name', () => {
    const logs = [
      '[Nest] 1 - WARN [push] the push queue is full (EmailSettings.PushNotificationBuffer 1000): dropped 1 push notification(s) since the last report; is the push proxy slow or down?',
      '[Nest] 1 - WARN [push] something else',
      '[Nest] 1 - WARN [push] the push queue is full (EmailSettings.PushNotificationBuffer 1000): dropped 4211 push notification(s) since the last report; is the push proxy slow or down?',
    ].join('\n');
    expect(dropWarnings(logs)).toEqual({ warnings: 2, dropped: 4212 });
    expect(dropWarnings('')).toEqual({ warnings: 0, dropped: 0 });
  });

  it("prices a delivered push on the server beyond the posts' own CPU", () => {
    // 5,000 ms in all, 100 posts at 3 ms each without notifications: 4,700 ms for 940 pushes.
    const on = roundOf(true, 1, 10, { cpu: { ...cpu, serverSec: 5 }, push: push({ delivered: 940 }) });
    expect(extraServerCpuPerPush(on, 3)).toBe(5);
    expect(extraServerCpuPerPush({ ...on, push: push({ delivered: 0 }) }, 3)).toBeNaN();
  });

  it('prices a push in each process from the steady phases with and without notifications', () => {
    const base = { ratePerSec: 1, durationSec: 20, posts: 20, errors: 0, createMs: summarize([10]) };
    const on = {
      ...base,
      notifications: true,
      cpu: { ...cpu, serverSec: 3.1, proxySec: 2.29, postgresSec: 1.61, benchSec: 1.45 },
      push: push({ delivered: 2000 }),
    };
    const off = { ...base, notifications: false, cpu: { ...cpu, serverSec: 0.63, proxySec: 0.21, postgresSec: 0.12, benchSec: 0.05 } };
    expect(steadyCpuPerPush(on, off)).toEqual({ server: 1.24, proxy: 1.04, postgres: 0.75, bench: 0.7 });
    expect(steadyCpuPerPush({ ...on, push: push({ delivered: 0 }) }, off)).toBeUndefined();
  });

  it('says whether the goal is met, and how many pushes the server never sent and why', () => {
    const rounds = [roundOf(false, 1, 100), roundOf(true, 1, 50)];
    const results: NotificationsResults = {
      date: '2026-12-05 06:00 UTC',
      command: 'npm run bench:notifications',
      machine: { nproc: 2, cpuModel: 'cpu', totalRamGiB: 24, node: 'v20', postgres: '15', loadAverage1m: 1 },
      loadAveragesBefore: [1, 1, 1],
      loadAverageAfter1m: 1,
      members: 1000,
      devices: { apple: 50, android: 50 },
      posters: 8,
      mentionEvery: 10,
      roundSec: 10,
      pushNotificationBuffer: 1000,
      pushContents: 'full',
      setupSec: 60,
      rounds,
      pooled,
      summary: summarizeRounds(rounds, pooled),
      steady: [
        {
          notifications: true,
          ratePerSec: 1,
          durationSec: 20,
          posts: 20,
          errors: 0,
          createMs: summarize([12, 14]),
          cpu,
          push: push({ expected: 2000, delivered: 2000, notSent: 0 }),
        },
        { notifications: false, ratePerSec: 1, durationSec: 20, posts: 20, errors: 0, createMs: summarize([11, 13]), cpu },
      ],
      serverDropWarnings: 2,
      serverLoggedDrops: 150,
      serverProxyFailures: 0,
    };
    const md = renderNotificationsMarkdown(results);
    expect(md.startsWith('## bench:notifications\n')).toBe(true);
    expect(md).toContain('**Missed** — Post create p99 with notifications vs without: 150 ms vs 100 ms, **×1.5** (goal ≤ ×1.2');
    expect(md).toContain('**160/s** (median round with notifications); 800 of 1,000 expected delivered.');
    expect(md).toContain('**200 (20 %) were never sent**');
    expect(md).toContain('(EmailSettings.PushNotificationBuffer = 1000) was full (its log warned 2 times, naming at least 150 drops)');
    expect(md).toContain('| 1 | 500 | 1,000 | 800 | 800 | 200 | 160 | 200 ms | 5000 ms | 5000 ms | 5 s | 10 ms (9 ms / 8 ms) | 50 / 50 |');
    expect(md).toContain('| on | 20 | 12 ms | 14 ms | 2,000 | 2,000 |');
    expect(md).toContain('at 1 post/s (100 pushes/s)');
    expect(md).toContain('1 post a second for 20 s');
    // Same CPU on and off in this fixture: nothing left per push.
    expect(md).toContain(
      'server **0 ms**, push proxy **0 ms**, PostgreSQL 0 ms, the stand-ins 0 ms: 0 ms in all, where a post without notifications costs the server and PostgreSQL 7 ms',
    );
    expect(md).toContain('Raw JSON: `bench-results/notifications.json`.');
    const met = { ...results, summary: { ...results.summary, met: true, p99Ratio: 1.1, notSent: 0 } };
    expect(renderNotificationsMarkdown(met)).toContain('**Met**');
    expect(renderNotificationsMarkdown(met)).toContain('None was dropped.');
    expect(renderNotificationsTable(results)).toContain('×1.5 (goal ≤ ×1.2) — missed');
  });
});
