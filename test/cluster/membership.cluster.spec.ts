/**
 * Membership as clients and operators see it: GET /api/v4/cluster/status on every node, the
 * ClusterDiscovery rows in the shared database, and events still flowing after nodes die, come
 * back, or freeze.
 */
import type { Channel } from '@mattermost/types/channels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSocket, eventually, GOSSIP_PORT, hostOf, NewUser, nodeHost, sleep, startCluster, STREAMING_PORT, TestCluster } from '#testing';
import { ChannelView, createPost, openChannelWith } from './cluster-fixtures.js';

/** All nodes list each other this soon after the last one is up (and after a restart). */
const JOIN_MS = 2000;
/** A dead or frozen node is gone from the others' status this soon. */
const EVICT_MS = 3000;
/** A node thawed after SIGCONT is back in everyone's status this soon. */
const REJOIN_MS = 5000;
/** Live nodes refresh their ClusterDiscovery row at least this often (Mattermost: every 60 s). */
const HEARTBEAT_BOUND_MS = 65_000;

let cluster: TestCluster;
let admin: NewUser;
let member: NewUser;
let channel: Channel;

/** How long after the last node was up every node listed all three (or why they never did). */
let formation: { ms: number } | { error: Error };

beforeAll(async () => {
  cluster = await startCluster();
  // afterAll stops the cluster if the rest fails.
  admin = await cluster.newUser({ via: 0 });
  const lastReady = Math.max(...cluster.nodes.map((n) => n.readyAt));
  try {
    await cluster.waitForMembership(admin, 10_000);
    formation = { ms: Date.now() - lastReady };
  } catch (err) {
    formation = { error: err as Error };
  }
  member = await cluster.newUser({ via: 1 });
  channel = await openChannelWith(admin, [member]);
});

afterAll(() => cluster?.stop());

interface DiscoveryRow {
  id: string;
  type: string;
  cluster_name: string;
  hostname: string;
  gossip_port: number;
  streaming_port: number;
  create_at: number;
  last_ping_at: number;
}

const discoveryRow = async (id: string) => (await cluster.query<DiscoveryRow>('SELECT * FROM cluster_discovery WHERE id = $1', [id]))[0];

/** Hosts that node `index` lists in its cluster status. */
async function hostsSeenBy(index: number): Promise<string[]> {
  return (await cluster.status(index, admin)).map(hostOf).sort();
}

/** Fails unless each of `observers` lists exactly `hosts`. */
async function expectListed(observers: number[], hosts: string[]) {
  for (const o of observers) expect(await hostsSeenBy(o), `cluster status on node ${o}`).toEqual([...hosts].sort());
}

/** A post made through node `via` reaches `socket` (on another node). */
async function expectFlow(via: number, socket: ClusterSocket, label: string) {
  const post = await createPost(cluster.clientAs(admin, via), channel.id, `${label} via node ${via}`);
  await socket.waitFor('posted', (e) => JSON.parse(e.data.post).id === post.id, 2000);
}

describe('cluster membership', () => {
  it('lists all three nodes on every node within 2 s of the last one starting, with their details', async () => {
    if ('error' in formation) throw formation.error;
    expect(formation.ms, 'ms from the last node up to full membership everywhere').toBeLessThanOrEqual(JOIN_MS);
    const ids = await cluster.waitForMembership(admin, 0);
    expect([...ids.keys()].sort()).toEqual([0, 1, 2]);
    expect(new Set(ids.values()).size).toBe(3);

    for (const n of [0, 1, 2]) {
      const infos = await cluster.status(n, admin);
      expect(infos).toHaveLength(3);
      for (const info of infos) {
        expect(info.id).toMatch(/^[a-z0-9]{26}$/);
        expect(info.version).toEqual(expect.any(String));
        expect(info.version).not.toBe('');
        expect(info.schema_version).not.toBe('');
        expect(info.config_hash).not.toBe('');
        expect(info.hostname).not.toBe('');
      }
    }

    // Every live node registered itself in the shared ClusterDiscovery table.
    for (const [index, id] of ids) {
      const row = await discoveryRow(id);
      expect(row, `discovery row of node ${index}`).toMatchObject({
        id,
        type: 'mattermost_app',
        cluster_name: cluster.clusterName,
        hostname: nodeHost(index),
        gossip_port: GOSSIP_PORT,
        streaming_port: STREAMING_PORT,
      });
      expect(row.last_ping_at).toBeGreaterThanOrEqual(row.create_at);
    }
  });

  it('drops a SIGKILLed node from the others within 3 s; its discovery row is no longer refreshed', async () => {
    const ids = await cluster.waitForMembership(admin, 5000);
    const victimId = ids.get(2)!;
    const killedAt = Date.now();
    await cluster.node(2).kill('SIGKILL');

    await eventually(() => expectListed([0, 1], [nodeHost(0), nodeHost(1)]), Math.max(0, killedAt + EVICT_MS - Date.now()));
    for (const n of [0, 1]) expect((await cluster.status(n, admin)).map((i) => i.id)).not.toContain(victimId);

    // The live nodes keep pinging; the dead one's row (if nobody cleaned it up yet) stays behind.
    await eventually(
      async () => {
        for (const n of [0, 1]) {
          const row = await discoveryRow(ids.get(n)!);
          expect(row, `discovery row of live node ${n}`).toBeDefined();
          expect(row.last_ping_at, `node ${n} refreshed its row after the kill`).toBeGreaterThan(killedAt);
        }
      },
      HEARTBEAT_BOUND_MS,
      500,
    );
    const stale = await discoveryRow(victimId);
    if (stale) expect(stale.last_ping_at, 'the killed node row was refreshed after the kill').toBeLessThanOrEqual(killedAt);
  });

  it('takes the killed node back when it restarts, under a new id, and events flow both ways', async () => {
    const before = await cluster.waitForMembership(admin, 1000);
    const restartedAt = Date.now();
    const node = await cluster.restart(2);
    const ids = await cluster.waitForMembership(admin, Math.max(0, node.readyAt + JOIN_MS - Date.now()));
    expect(ids.get(0)).toBe(before.get(0));
    expect(ids.get(1)).toBe(before.get(1));
    expect(ids.get(2)).toMatch(/^[a-z0-9]{26}$/);
    const row = await discoveryRow(ids.get(2)!);
    expect(row).toMatchObject({ hostname: nodeHost(2), cluster_name: cluster.clusterName });
    expect(row.create_at).toBeGreaterThanOrEqual(restartedAt);

    const onRestarted = await cluster.socket(cluster.clientAs(member, 2), 2);
    const onZero = await cluster.socket(cluster.clientAs(member, 0), 0);
    await expectFlow(0, onRestarted, 'to the restarted node');
    await expectFlow(2, onZero, 'from the restarted node');
  });

  it('evicts a node frozen for 10 s, and after SIGCONT takes it back cleanly: no duplicates, no silent gap for its clients', async () => {
    await cluster.waitForMembership(admin, 5000);
    const frozen = cluster.node(1);
    const onFrozen = await cluster.socket(cluster.clientAs(member, 1), 1);
    const view = new ChannelView(onFrozen, cluster.clientAs(member, 1), channel.id);
    const onZero = await cluster.socket(cluster.clientAs(member, 0), 0);
    await expectFlow(0, onFrozen, 'before the freeze');

    const stoppedAt = Date.now();
    await frozen.kill('SIGSTOP');
    await eventually(() => expectListed([0, 2], [nodeHost(0), nodeHost(2)]), Math.max(0, stoppedAt + EVICT_MS - Date.now()));

    // Posts while it is frozen and evicted: its client must get them by replay or by a resync.
    const during: string[] = [];
    for (const via of [0, 2, 0, 2]) during.push((await createPost(cluster.clientAs(admin, via), channel.id, `during the freeze via node ${via}`)).id);
    for (const id of during) await onZero.waitFor('posted', (e) => JSON.parse(e.data.post).id === id, 2000);

    await sleep(Math.max(0, stoppedAt + 10_000 - Date.now()));
    await frozen.kill('SIGCONT');
    await cluster.waitForMembership(admin, REJOIN_MS);

    await eventually(
      async () => {
        await view.settled();
        const known = view.known();
        const missing = during.filter((id) => !known.has(id));
        if (missing.length)
          throw new Error(`the client on the frozen node lacks ${missing.length} of the posts made during the freeze (resyncs: ${onFrozen.missedResyncs})`);
      },
      10_000,
      100,
    );
    expect(onFrozen.seqProblems()).toEqual([]);
    // Without a fresh hello, every missed post had to come over the socket itself.
    if (onFrozen.missedResyncs === 0) expect(onFrozen.postedIds(channel.id)).toEqual(expect.arrayContaining(during));
    expect(onFrozen.postedIds(channel.id).filter((id, i, all) => all.indexOf(id) !== i)).toEqual([]);

    await expectFlow(0, onFrozen, 'to the thawed node');
    await expectFlow(1, onZero, 'from the thawed node');
  });
});
