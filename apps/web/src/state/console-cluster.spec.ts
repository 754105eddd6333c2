import { describe, expect, it } from 'vitest';
import { clusterStatusFailed, clusterWarnings, formatUptime, initialClusterStatus, receivedClusterStatus, type ClusterNode } from './console-cluster';

const node = (hostname: string, extra: Partial<ClusterNode> = {}): ClusterNode => ({
  id: `id-${hostname}`,
  hostname,
  ipaddress: hostname,
  version: '10.0.0',
  schema_version: 'm1',
  config_hash: 'h1',
  ...extra,
});

describe('console cluster status', () => {
  it('keeps the nodes in hostname order (numeric parts as numbers) and when they came', () => {
    const s = receivedClusterStatus(initialClusterStatus, [node('127.0.0.10'), node('127.0.0.3'), node('127.0.0.1')], 42);
    expect(s.nodes.map((n) => n.hostname)).toEqual(['127.0.0.1', '127.0.0.3', '127.0.0.10']);
    expect(s).toMatchObject({ loaded: true, fetchedAt: 42, error: '' });
  });

  it('keeps the last nodes on screen when a refresh fails, with the error; the next answer clears it', () => {
    const ok = receivedClusterStatus(initialClusterStatus, [node('a')], 1);
    const failed = clusterStatusFailed(ok, 'down');
    expect(failed.nodes).toHaveLength(1);
    expect(failed.error).toBe('down');
    expect(receivedClusterStatus(failed, [node('a'), node('b')], 2).error).toBe('');
  });

  it('warns about differing config hashes and versions, and suspected nodes', () => {
    expect(clusterWarnings([node('a'), node('b')])).toEqual([]);
    const warnings = clusterWarnings([node('a'), node('b', { config_hash: 'h2', version: '10.1.0', gossip_state: 'suspect' })]);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/configurations/);
    expect(warnings[1]).toMatch(/versions/);
    expect(warnings[2]).toBe('Suspected of failure: b.');
  });

  it('formats uptimes', () => {
    expect([0, 59, 60, 3599, 3600, 3660, 86_399, 86_400, 90_000, undefined, -1].map(formatUptime)).toEqual([
      '0 s',
      '59 s',
      '1 min',
      '59 min',
      '1 h',
      '1 h 1 min',
      '23 h 59 min',
      '1 d',
      '1 d 1 h',
      '—',
      '—',
    ]);
  });
});
