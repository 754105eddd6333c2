/**
 * The cluster's metrics on each node's metrics listener (MetricsSettings, on the node's own
 * address): gossip members by state, ping round trips, the streams' bytes per peer after a post
 * crosses nodes, Mattermost's cluster event and request families, and a killed node seen as
 * suspect, then gone. Each node's text passes promtool.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, METRICS_PORT, metricSample, NewUser, nodeHost, type TestCluster } from '#testing';
import { createPost, openChannelWith, startFormedCluster } from './cluster-fixtures.js';

let cluster: TestCluster;
let admin: NewUser;
let nodeIds: Map<number, string>;

beforeAll(async () => {
  ({ cluster, admin, nodeIds } = await startFormedCluster({ env: { MM_METRICSSETTINGS_ENABLE: 'true' } }));
});

afterAll(() => cluster?.stop());

const scrape = async (node: number) => (await fetch(`http://${nodeHost(node)}:${METRICS_PORT}/metrics`)).text();
const id = (node: number) => nodeIds.get(node)!;

describe('cluster metrics', () => {
  it('shows on every node three members alive, none suspect, and answered gossip pings; promtool finds nothing', async () => {
    await eventually(async () => {
      for (const node of [0, 1, 2]) {
        const text = await scrape(node);
        expect(metricSample(text, 'mattermost_cluster_gossip_members', { state: 'alive' }), `node ${node}`).toBe(3);
        expect(metricSample(text, 'mattermost_cluster_gossip_members', { state: 'suspect' }), `node ${node}`).toBe(0);
        expect(metricSample(text, 'mattermost_cluster_gossip_ping_rtt_seconds_count')).toBeGreaterThan(0);
        for (const peer of [0, 1, 2].filter((p) => p !== node))
          expect(metricSample(text, 'mattermost_cluster_stream_connected', { peer: id(peer) }), `node ${node} → ${peer}`).toBe(1);
      }
    }, 10_000);
    for (const node of [0, 1, 2]) {
      const check = spawnSync('promtool', ['check', 'metrics'], { input: await scrape(node), encoding: 'utf8' });
      expect(check.stdout + check.stderr, `node ${node}`).toBe('');
    }
  });

  it('counts the bytes, messages and requests of a post that crosses nodes', async () => {
    const member = await cluster.newUser({ via: 1, admin });
    const channel = await openChannelWith(admin, [member]);
    const socket = await cluster.socket(member.client, 1);
    const [sender, receiver] = [await scrape(0), await scrape(1)];
    const sent = (text: string) => metricSample(text, 'mattermost_cluster_stream_sent_bytes_total', { peer: id(1) });
    const received = (text: string) => metricSample(text, 'mattermost_cluster_stream_received_bytes_total', { peer: id(0) });
    const posted = (text: string, name: string, label: string) => metricSample(text, name, { [label]: 'posted' }) || 0;
    const post = await createPost(cluster.clientAs(admin, 0), channel.id, 'across the cluster');
    await socket.waitFor('posted', (e) => JSON.parse(e.data.post).id === post.id, 5_000);
    await eventually(async () => {
      const [s, r] = [await scrape(0), await scrape(1)];
      expect(sent(s)).toBeGreaterThan(sent(sender) + post.message.length);
      expect(received(r)).toBeGreaterThan(received(receiver) + post.message.length);
      // `posted` goes to peers as a confirmed request (Mattermost's reliable send): timed and counted by type.
      expect(metricSample(s, 'mattermost_cluster_cluster_request_duration_seconds_count')).toBeGreaterThan(
        metricSample(sender, 'mattermost_cluster_cluster_request_duration_seconds_count'),
      );
      expect(metricSample(s, 'mattermost_cluster_event_type_totals', { name: 'ws_event_confirmed' })).toBeGreaterThan(0);
      // Published on node 0, broadcast by the hubs of both.
      expect(posted(s, 'mattermost_websocket_event_total', 'type')).toBe(posted(sender, 'mattermost_websocket_event_total', 'type') + 1);
      expect(posted(r, 'mattermost_websocket_event_total', 'type')).toBe(posted(receiver, 'mattermost_websocket_event_total', 'type'));
      expect(posted(r, 'mattermost_websocket_broadcasts_total', 'name')).toBe(posted(receiver, 'mattermost_websocket_broadcasts_total', 'name') + 1);
      expect(metricSample(r, 'mattermost_http_websockets_total')).toBe(1);
    }, 5_000);
    socket.close();
  });

  it('shows a killed node as suspect, then gone: two members alive and its streams no longer listed', async () => {
    const suspicions = async (node: number) => metricSample(await scrape(node), 'mattermost_cluster_gossip_suspicions_total');
    const before = [await suspicions(0), await suspicions(1)];
    await cluster.node(2).kill('SIGKILL');
    await eventually(async () => {
      for (const node of [0, 1]) {
        const text = await scrape(node);
        expect(metricSample(text, 'mattermost_cluster_gossip_members', { state: 'alive' }), `node ${node}`).toBe(2);
        expect(metricSample(text, 'mattermost_cluster_gossip_members', { state: 'suspect' }), `node ${node}`).toBe(0);
        expect(metricSample(text, 'mattermost_cluster_gossip_suspicions_total')).toBeGreaterThan(before[node]);
        expect(metricSample(text, 'mattermost_cluster_stream_connected', { peer: id(2) })).toBeNaN();
      }
    }, 10_000);
  });
});
