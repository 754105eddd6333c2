/**
 * Read-your-writes across nodes: two nodes on a primary with a streaming replica of its own
 * (startPostgresReplicaPair), replay paused. A user who posts through node 0 reads the post back
 * at once through node 1 (the fence went to node 1 before node 0 answered the post), while
 * another user reading through node 1 gets the replica's stale copy.
 */
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPostgresReplicaPair, type NewUser, type PostgresReplicaPair, type TestCluster } from '#testing';
import { openChannelWith, startFormedCluster } from './cluster-fixtures.js';

let pair: PostgresReplicaPair;
let cluster: TestCluster;
let alice: NewUser;
let bob: NewUser;
let channel: Channel;

const postIdsVia = async (user: NewUser, node: number) => (await cluster.clientAs(user, node).getPosts(channel.id, 0, 60)).order;

beforeAll(async () => {
  pair = await startPostgresReplicaPair();
  ({ cluster } = await startFormedCluster({
    nodes: 2,
    nginx: false,
    database: pair.database,
    env: {
      MM_SQLSETTINGS_DATASOURCE: pair.primary.url(),
      MM_SQLSETTINGS_DATASOURCEREPLICAS: JSON.stringify([pair.replica.url()]),
      // No lag limit: the replica stays in however far behind, so only the fence keeps Alice off it.
      MM_SQLSETTINGS_REPLICAMONITORINTERVALSECONDS: '1',
      MM_LOGSETTINGS_CONSOLELEVEL: 'INFO',
    },
  }));
  alice = await cluster.newUser({ via: 0 });
  bob = await cluster.newUser({ via: 1 });
  channel = await openChannelWith(alice, [bob]);
  await pair.caughtUp();
  for (const index of [0, 1]) await eventually(() => expect(cluster.node(index).logs).toMatch(/replica-0 is in service/), 15_000);
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  await pair?.stop();
}, 60_000);

describe('read replicas in a cluster', () => {
  it('a post made through one node is read back through the other with replay paused; another user reads stale', async () => {
    const posts: string[] = [];
    await pair.pauseReplay();
    try {
      for (let i = 0; i < 3; i++) {
        const post = await cluster.clientAs(alice, 0).createPost({ channel_id: channel.id, message: `paused ${i}` } as Post);
        posts.push(post.id);
        // Straight to the other node, the moment node 0 answered.
        expect(await postIdsVia(alice, 1)).toContain(post.id);
        expect(await postIdsVia(alice, 0)).toContain(post.id);
        // Bob, who wrote nothing, reads the replica: it has not replayed the post.
        expect(await postIdsVia(bob, 1)).not.toContain(post.id);
      }
    } finally {
      await pair.resumeReplay();
    }
    await pair.caughtUp();
    await eventually(async () => expect(await postIdsVia(bob, 1)).toEqual(expect.arrayContaining(posts)), 10_000);
  }, 60_000);
});
