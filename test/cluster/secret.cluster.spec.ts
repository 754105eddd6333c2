/**
 * The cluster secret: a node with the same cluster name and database but the wrong secret finds
 * the others (through ClusterDiscovery) yet can neither join the membership nor exchange events.
 */
import type { Channel } from '@mattermost/types/channels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterNode, hostOf, NewUser, nodeHost, sleep, TestCluster } from '#testing';
import { createPost, openChannelWith, startFormedCluster } from './cluster-fixtures.js';

/** Long enough for a legitimate node to have joined twice over. */
const WATCH_MS = 6000;

let cluster: TestCluster;
let admin: NewUser;
let member: NewUser;
let channel: Channel;
let intruder: ClusterNode;

beforeAll(async () => {
  ({ cluster, admin } = await startFormedCluster({ nginx: false }));
  member = await cluster.newUser({ via: 0 });
  channel = await openChannelWith(admin, [member]);
});

afterAll(() => cluster?.stop());

describe('a node with the wrong cluster secret', () => {
  it('starts on its own but never appears in the cluster, nor the cluster in it', async () => {
    intruder = await cluster.addNode({ secret: `not-the-secret-${Date.now()}` });
    expect(intruder.host).toBe(nodeHost(3));
    const members = [0, 1, 2].map(nodeHost).sort();

    // Watch for a while: at no point does anyone list it, and it lists only itself.
    const until = Date.now() + WATCH_MS;
    while (Date.now() < until) {
      for (const n of [0, 1, 2]) expect((await cluster.status(n, admin)).map(hostOf).sort(), `cluster status on node ${n}`).toEqual(members);
      expect((await cluster.status(3, admin)).map(hostOf), 'cluster status on the intruder').toEqual([intruder.host]);
      await sleep(250);
    }
  });

  it('gets no events from the cluster and sends none into it', async () => {
    const inside = await cluster.socket(cluster.clientAs(member, 1), 1);
    const onIntruder = await cluster.socket(cluster.clientAs(member, 3), 3);

    // Shared database, so both sides can write; events must not cross the secret.
    const fromCluster = await createPost(cluster.clientAs(admin, 0), channel.id, 'from inside the cluster');
    const fromIntruder = await createPost(cluster.clientAs(admin, 3), channel.id, 'from the intruder');
    await inside.waitFor('posted', (e) => JSON.parse(e.data.post).id === fromCluster.id, 2000);
    await onIntruder.waitFor('posted', (e) => JSON.parse(e.data.post).id === fromIntruder.id, 2000);
    await onIntruder.expectNone('posted', (e) => JSON.parse(e.data.post).id === fromCluster.id, 2000);
    await inside.expectNone('posted', (e) => JSON.parse(e.data.post).id === fromIntruder.id, 0);

    // The cluster itself is unharmed.
    const onTwo = await cluster.socket(cluster.clientAs(member, 2), 2);
    const later = await createPost(cluster.clientAs(admin, 1), channel.id, 'still flowing');
    await onTwo.waitFor('posted', (e) => JSON.parse(e.data.post).id === later.id, 2000);
    for (const n of [0, 1, 2]) expect((await cluster.status(n, admin)).map(hostOf).sort()).toEqual([0, 1, 2].map(nodeHost).sort());
  });
});
