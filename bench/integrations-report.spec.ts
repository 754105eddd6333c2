import { describe, expect, it } from 'vitest';
import { renderIntegrationsMarkdown, throughputSummary, type IntegrationsResults, type ThroughputRound } from './integrations-report.js';
import { summarize } from './stats.js';

const roundOf = (kind: 'rest' | 'webhook', n: number, postsPerSec: number): ThroughputRound => ({
  kind,
  round: n,
  posts: postsPerSec * 8,
  errors: 0,
  wallSec: 8,
  postsPerSec,
  serverCpuMsPerPost: 2,
  latencyMs: summarize([10, 20, 30]),
});

describe('bench:integrations report', () => {
  it('compares the median rounds of each kind', () => {
    const rounds = [
      roundOf('rest', 1, 100),
      roundOf('webhook', 1, 95),
      roundOf('rest', 2, 120),
      roundOf('webhook', 2, 90),
      roundOf('rest', 3, 110),
      roundOf('webhook', 3, 99),
    ];
    expect(throughputSummary(rounds)).toEqual({ rest: 110, webhook: 95, ratio: 0.864 });
  });

  it('says whether the goal is met and shows both phases of delivery', () => {
    const results: IntegrationsResults = {
      date: '2026-12-05 03:00 UTC',
      command: 'npm run bench:integrations',
      machine: { nproc: 2, cpuModel: 'cpu', totalRamGiB: 24, node: 'v20', postgres: '15', loadAverage1m: 1 },
      loadAveragesBefore: [1, 1, 1],
      loadAverageAfter1m: 1,
      concurrency: 8,
      roundSec: 8,
      rounds: [roundOf('rest', 1, 100), roundOf('webhook', 1, 95)],
      restPostsPerSec: 100,
      webhookPostsPerSec: 95,
      ratio: 0.95,
      deliveryRatePerSec: 20,
      deliverySec: 15,
      delivery: [
        { withHook: true, posts: 300, errors: 0, createMs: summarize([5, 6]), deliveryMs: summarize([3, 4, 9]), delivered: 300 },
        { withHook: false, posts: 300, errors: 0, createMs: summarize([5, 6]) },
      ],
    };
    const md = renderIntegrationsMarkdown(results);
    expect(md).toContain('**Met** — Incoming webhook posts/s vs REST post create: 95 vs 100 posts/s, **95 %** (goal ≥ 90 %)');
    expect(md).toContain('p50 **4 ms**, p99 **9 ms** (300 of 300 posts delivered once each)');
    expect(md).toContain('| without (baseline) | 300 | 5 ms | 6 ms | — | — | — | — |');
    expect(renderIntegrationsMarkdown({ ...results, ratio: 0.5 })).toContain('**Missed**');
  });
});
