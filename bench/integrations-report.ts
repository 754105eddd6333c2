/** The figures of `npm run bench:integrations` and how docs/benchmarks.md shows them. */
import type { MachineInfo } from './machine.js';
import { median, round, type Summary } from './stats.js';

export const INTEGRATIONS_SECTION = '## bench:integrations';
/** Incoming webhook posts/s ÷ REST post creates/s, same run, server and concurrency. */
export const RATIO_GOAL = 0.9;

export interface ThroughputRound {
  kind: 'rest' | 'webhook';
  round: number;
  posts: number;
  errors: number;
  wallSec: number;
  postsPerSec: number;
  /** Server CPU per post, ms. */
  serverCpuMsPerPost: number;
  latencyMs: Summary;
}

export interface DeliveryPhase {
  /** With the outgoing webhook configured, or the same posts without it (the baseline). */
  withHook: boolean;
  posts: number;
  errors: number;
  /** POST /api/v4/posts, from the scheduled send to the answer. */
  createMs: Summary;
  /** From the post's create_at (server clock) to the receiver getting the request (same machine clock); with the hook only. */
  deliveryMs?: Summary;
  /** Requests the receiver got for this phase's posts (one each expected). */
  delivered?: number;
}

export interface IntegrationsResults {
  date: string;
  command: string;
  machine: MachineInfo;
  loadAveragesBefore: number[];
  loadAverageAfter1m: number;
  concurrency: number;
  roundSec: number;
  rounds: ThroughputRound[];
  restPostsPerSec: number;
  webhookPostsPerSec: number;
  ratio: number;
  deliveryRatePerSec: number;
  deliverySec: number;
  delivery: DeliveryPhase[];
}

/** The medians of each kind's rounds and their ratio. */
export function throughputSummary(rounds: ThroughputRound[]): { rest: number; webhook: number; ratio: number } {
  const rest = round(median(rounds.filter((r) => r.kind === 'rest').map((r) => r.postsPerSec)), 1);
  const webhook = round(median(rounds.filter((r) => r.kind === 'webhook').map((r) => r.postsPerSec)), 1);
  return { rest, webhook, ratio: round(webhook / rest, 3) };
}

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : `${round(v, 1)} ms`);
const range = (values: number[]) => `${round(Math.min(...values), 1)}–${round(Math.max(...values), 1)}`;

export function renderIntegrationsMarkdown(r: IntegrationsResults): string {
  const m = r.machine;
  const met = r.ratio >= RATIO_GOAL;
  const rest = r.rounds.filter((x) => x.kind === 'rest');
  const hooks = r.rounds.filter((x) => x.kind === 'webhook');
  const withHook = r.delivery.find((d) => d.withHook)!;
  const baseline = r.delivery.find((d) => !d.withHook)!;
  const lines = [
    INTEGRATIONS_SECTION,
    '',
    `Command: \`${r.command}\` (builds the server and the benchmark, then runs \`node dist-bench/bench/integrations.js\`).`,
    '',
    `Run ${r.date} on ${m.nproc} cores (${m.cpuModel}), ${m.totalRamGiB} GiB RAM, Node ${m.node}, PostgreSQL ${m.postgres}. ` +
      `Load average before the run ${r.loadAveragesBefore.join(' / ')} (1 / 5 / 15 min), 1-minute ${r.loadAverageAfter1m} after it. ` +
      'The machine was shared with other work while this ran (other test runs on the same 2 cores), so the absolute figures move from run to run; ' +
      'the ratio compares rounds interleaved in the same minutes. One server process on a fresh database; the benchmark (clients and the receiver) in another process on the same machine, over 127.0.0.1.',
    '',
    `- **${met ? 'Met' : 'Missed'}** — Incoming webhook posts/s vs REST post create: ${r.webhookPostsPerSec} vs ${r.restPostsPerSec} posts/s, **${round(r.ratio * 100, 1)} %** (goal ≥ ${RATIO_GOAL * 100} %).`,
    `- Outgoing webhook delivery, post created → receiver got it: p50 **${ms(withHook.deliveryMs?.p50)}**, p99 **${ms(withHook.deliveryMs?.p99)}** ` +
      `(${withHook.delivered} of ${withHook.posts} posts delivered once each).`,
    `- Post creation with the outgoing webhook configured: p50 ${ms(withHook.createMs.p50)}, p99 ${ms(withHook.createMs.p99)}; without it: p50 ${ms(baseline.createMs.p50)}, p99 ${ms(baseline.createMs.p99)}.`,
    '',
    '### Incoming webhook posts vs REST post create',
    '',
    `${r.concurrency} clients at once over ${r.concurrency} public channels (one incoming webhook each; requests go to the channels in turn), each sending as soon as its previous post answered, ${r.roundSec} s a round; ` +
      `${rest.length} rounds of each kind, interleaved (REST, webhook, REST, …). The figure is the median round, the range in brackets.`,
    '',
    '| Kind | Posts/s (range) | p50 | p99 | Server CPU per post | Errors |',
    '|---|---|---|---|---|---|',
  ];
  for (const [label, set] of [
    ['REST `POST /api/v4/posts`', rest],
    ['Incoming webhook `POST /hooks/{id}`', hooks],
  ] as const) {
    const mid = median(set.map((x) => x.postsPerSec));
    const at = set.find((x) => x.postsPerSec === mid) ?? set[0];
    lines.push(
      `| ${label} | **${round(mid, 1)}** (${range(set.map((x) => x.postsPerSec))}) | ${ms(at.latencyMs.p50)} | ${ms(at.latencyMs.p99)} | ` +
        `${round(median(set.map((x) => x.serverCpuMsPerPost)), 2)} ms | ${set.reduce((n, x) => n + x.errors, 0)} |`,
    );
  }
  lines.push(
    '',
    '### Outgoing webhook delivery',
    '',
    `${r.deliveryRatePerSec} posts a second for ${r.deliverySec} s (open loop: sent on schedule whether or not earlier ones answered), ` +
      'each starting with the trigger word of one outgoing webhook (JSON) whose callback is a node:http receiver in the benchmark process that answers an empty body; ' +
      'then the same posts with no outgoing webhook, as the baseline of post creation.',
    '',
    '| Phase | Posts | Create p50 | Create p99 | Delivery p50 | Delivery p90 | Delivery p99 | Delivery max |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const d of [withHook, baseline]) {
    lines.push(
      `| ${d.withHook ? 'with the outgoing webhook' : 'without (baseline)'} | ${d.posts} | ${ms(d.createMs.p50)} | ${ms(d.createMs.p99)} | ` +
        `${ms(d.deliveryMs?.p50)} | ${ms(d.deliveryMs?.p90)} | ${ms(d.deliveryMs?.p99)} | ${ms(d.deliveryMs?.max)} |`,
    );
  }
  lines.push(
    '',
    'What each figure includes:',
    '',
    "- **REST post create**: `POST /api/v4/posts` with a session token, `{channel_id, message}`, to the 201 answer: the session, `create_post`, the post stored with its channel counters, the `posted` event, and matching the team's outgoing webhooks (none in this phase).",
    '- **Incoming webhook**: `POST /hooks/{id}` with `{"text": …}` (`application/json`), no session, to the plain-text `ok`: the hook and its owner read, Slack markup processed, the post stored and announced as the hook owner\'s with `from_webhook`.',
    "- **Delivery**: from the post's `create_at` (set by the server before it stores the post) to the moment the receiver has the whole request; both clocks are this machine's. The request leaves only after the post is committed and announced, through the SSRF guard (`127.0.0.1` is allowed by `AllowedUntrustedInternalConnections`), on a new connection per request as Mattermost's client does.",
    '',
    'Raw JSON: `bench-results/integrations.json`.',
  );
  return lines.join('\n') + '\n';
}

export function renderIntegrationsTable(r: IntegrationsResults): string {
  const withHook = r.delivery.find((d) => d.withHook)!;
  return [
    `incoming webhook ${r.webhookPostsPerSec} posts/s vs REST ${r.restPostsPerSec} posts/s: ${round(r.ratio * 100, 1)} % (goal ≥ ${RATIO_GOAL * 100} %)`,
    `outgoing delivery p50 ${ms(withHook.deliveryMs?.p50)}, p99 ${ms(withHook.deliveryMs?.p99)} (${withHook.delivered}/${withHook.posts})`,
  ].join('\n');
}
