import { describe, expect, it } from 'vitest';
import { CLUSTER_SECTION_HEADING, disturbed, otherCpu, renderMarkdown, type ClusterCpu, type ClusterResults } from './cluster-report.js';
import { replaceSection } from './report.js';
import { summarize } from './stats.js';

const cpu = (machineSec: number): ClusterCpu => ({ wallSec: 10, nodesSec: [5, 1, 1], postgresSec: 1, clientSec: 2, machineSec });

function results(): ClusterResults {
  const s = summarize([1, 2, 3]);
  const send = { sent: 3, elapsedMs: 10_000, maxSendLagMs: 0, windowWaits: 0, undeliverable: 0, grpcMessages: 10, cpuSec: 1 };
  const receive = { received: 3, outOfOrder: 0, missing: 0, latency: s, firstAt: 0, lastAt: 1000, cpuSec: 1 };
  const delivery = { node: 'B', received: 3, lost: 0, duplicates: 0, fromSend: s, fromSchedule: s };
  return {
    date: '2026-11-26 12:00 UTC',
    command: 'npm run bench:cluster',
    machine: { nproc: 2, cpuModel: 'cpu', totalRamGiB: 4, node: 'v20', postgres: '15', loadAverage1m: 0.1 },
    loadAverageAfter1m: 0.2,
    transport: {
      frameBytes: 600,
      runs: [{ label: 'rate-1000', ratePerSec: 1000, send, receive, wallSec: 10, otherCpuSec: 0, receivedPerSec: 3, lost: 0, inOrder: true }],
    },
    events: {
      typists: 8,
      connectionsPerTypist: 4,
      runs: [
        {
          label: 'REST typing on A',
          source: 'rest',
          ratePerSec: 1000,
          durationSec: 10,
          issued: 3,
          ok: 3,
          errors: 0,
          errorSamples: [],
          answeredPerSec: 1000,
          maxSendLagMs: 1,
          response: s,
          deliveries: [delivery, delivery, delivery],
          crossNodeFromSend: s,
          crossNodeFromSchedule: s,
          hop: s,
          sustained: true,
          cpu: cpu(12),
        },
      ],
    },
    detection: {
      pollMs: 50,
      nginxProbeGapMs: 10,
      maxMs: 1800,
      runs: [{ killed: 'C', detectedMs: 1800, perObserverMs: { A: 1800, B: 1750 }, nginx: { probes: 10, probeErrors: 0, triedDeadNode: 3, lastTriedMs: 90 } }],
    },
    join: { pollMs: 50, maxMs: 40, runs: [{ node: 'C', bootMs: 2000, registeredAfterSpawnMs: 1600, joinMs: 40, spawnToAllMs: 2100, listedBeforeReady: true }] },
    targets: [{ name: 'Join', target: '< 1 s', measured: '40 ms', met: true }],
    notes: ['a note'],
  };
}

describe('cluster report', () => {
  it('counts as "everything else" only what the nodes, PostgreSQL and the client did not use', () => {
    expect(otherCpu(cpu(12))).toBe(2);
    expect(otherCpu(cpu(5))).toBe(0);
    // 2 cores × 10 s: more than 2 CPU s of other work skews the phase.
    expect(disturbed(cpu(12), 2)).toBe(false);
    expect(disturbed(cpu(12.5), 2)).toBe(true);
  });

  it('renders its own section, which replaces only itself in docs/benchmarks.md', () => {
    const section = renderMarkdown(results());
    expect(section.startsWith(`${CLUSTER_SECTION_HEADING}\n`)).toBe(true);
    expect(section).toContain('| Join: < 1 s | 40 ms | yes |');
    expect(section).toContain('- a note');
    const doc = '# Benchmarks\n\n## bench:core\n\ncore figures\n\n## bench:cluster\n\nold\n';
    expect(replaceSection(doc, CLUSTER_SECTION_HEADING, section)).toBe(`# Benchmarks\n\n## bench:core\n\ncore figures\n\n${section}`);
  });
});
