import type { NodeInfo } from '#cluster';
import { describe, expect, it } from 'vitest';
import { clusterInfo } from './cluster-state.js';

const node = (id: string, startedAt: number): NodeInfo => ({
  id,
  clusterName: 'c',
  hostname: '127.0.0.2',
  gossipPort: 8074,
  streamingPort: 8075,
  version: '10.0.0',
  schemaVersion: 'm1',
  configHash: 'abc',
  startedAt,
});

describe('clusterInfo', () => {
  it("gives Mattermost's fields and the console's: leader, gossip state, start and uptime", () => {
    const info = clusterInfo(node('b', 1_000), { leaderId: 'b', suspected: [], now: 62_500 });
    expect(info).toEqual({
      id: 'b',
      version: '10.0.0',
      schema_version: 'm1',
      config_hash: 'abc',
      ipaddress: '127.0.0.2',
      hostname: '127.0.0.2',
      is_leader: true,
      gossip_state: 'alive',
      start_at: 1_000,
      uptime_seconds: 61,
      // A node that announced no release or protocol is of release 0.1.0.
      release: '0.1.0',
      protocol: 1,
    });
  });

  it('marks a suspected member and a follower; a clock behind the start gives 0 s, never less', () => {
    const info = clusterInfo(node('c', 5_000), { leaderId: 'a', suspected: ['c'], now: 4_000 });
    expect(info).toMatchObject({ is_leader: false, gossip_state: 'suspect', uptime_seconds: 0 });
  });
});
