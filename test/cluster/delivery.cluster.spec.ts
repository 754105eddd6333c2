/**
 * Event fan-out across nodes: a client connected to any node receives every post made through
 * any node, exactly once, and posts made through one node arrive in the order they were made.
 */
import type { Channel } from '@mattermost/types/channels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSocket, eventually, NewUser, TestCluster } from '#testing';
import { channelPostIds, channelWith, createPost, duplicates, startFormedCluster, teamWith } from './cluster-fixtures.js';

const NODES = [0, 1, 2];
const POSTS_PER_POSTER = 8;

let cluster: TestCluster;
let admin: NewUser;
let members: NewUser[];
let outsider: NewUser;
let pub: Channel;
let priv: Channel;

beforeAll(async () => {
  ({ cluster, admin } = await startFormedCluster());
  // Each member signs up through a different node.
  members = [];
  for (const n of NODES) members.push(await cluster.newUser({ via: n }));
  outsider = await cluster.newUser({ via: 2 });
  const team = await teamWith(admin, [...members, outsider]);
  pub = await channelWith(admin, team, 'O', members);
  priv = await channelWith(admin, team, 'P', members);
});

afterAll(() => cluster?.stop());

interface Made {
  id: string;
  channelId: string;
  node: number;
}

describe('posts across nodes', () => {
  it('reach every member connected to any node exactly once, in the order each node made them, and no one else', async () => {
    // Every member holds a socket on every node; the outsider (on the team, in neither channel) too.
    const sockets: Array<{ user: NewUser; node: number; socket: ClusterSocket }> = [];
    for (const user of members) for (const node of NODES) sockets.push({ user, node, socket: await cluster.socket(cluster.clientAs(user, node), node) });
    const outsiderSockets = await Promise.all(NODES.map((n) => cluster.socket(cluster.clientAs(outsider, n), n)));

    // One poster per channel and node, each posting one message after the other (awaiting each
    // 201), all six at once: every post has a known origin node and position.
    const made: Made[] = [];
    await Promise.all(
      [pub, priv].flatMap((channel) =>
        NODES.map(async (node) => {
          const client = cluster.clientAs(members[node], node);
          for (let i = 0; i < POSTS_PER_POSTER; i++) {
            const post = await createPost(client, channel.id, `${channel.name} via node ${node} #${i}`);
            made.push({ id: post.id, channelId: channel.id, node });
          }
        }),
      ),
    );
    const allIds = made.map((m) => m.id);
    expect(new Set(allIds).size).toBe(2 * NODES.length * POSTS_PER_POSTER);

    await eventually(() => {
      for (const { node, socket } of sockets) {
        const got = new Set(socket.postedIds());
        const missing = allIds.filter((id) => !got.has(id));
        if (missing.length) throw new Error(`a socket on node ${node} is missing ${missing.length} posts`);
      }
    }, 15_000);
    // Late duplicates would arrive after the last original.
    await new Promise((r) => setTimeout(r, 1000));

    for (const { user, node, socket } of sockets) {
      const where = `${user.user.username} on node ${node}`;
      const ids = socket.postedIds();
      expect(duplicates(ids), `duplicates for ${where}`).toEqual([]);
      expect(new Set(ids), `posts for ${where}`).toEqual(new Set(allIds));
      for (const channel of [pub, priv]) {
        for (const origin of NODES) {
          const expected = made.filter((m) => m.channelId === channel.id && m.node === origin).map((m) => m.id);
          const fromOrigin = new Set(expected);
          const received = socket.postedIds(channel.id).filter((id) => fromOrigin.has(id));
          expect(received, `order of ${channel.name} posts made via node ${origin}, seen by ${where}`).toEqual(expected);
        }
      }
      expect(socket.seqProblems(), `event stream of ${where}`).toEqual([]);
      expect(socket.count('hello'), `hellos for ${where}`).toBe(1);
    }

    for (const [node, socket] of outsiderSockets.entries()) {
      expect(socket.posted(pub.id).length + socket.posted(priv.id).length, `outsider on node ${node}`).toBe(0);
    }

    // Every node answers the same channel history.
    for (const channel of [pub, priv]) {
      const lists = await Promise.all(NODES.map((n) => channelPostIds(cluster.clientAs(admin, n), channel.id)));
      for (const list of lists) expect(list).toEqual(lists[0]);
      expect(new Set(lists[0])).toEqual(new Set(made.filter((m) => m.channelId === channel.id).map((m) => m.id)));
    }
  });

  it('delivers edits and deletions made through one node to sockets on the others, once each', async () => {
    const [alice, bob] = members;
    const sockets = [await cluster.socket(cluster.clientAs(bob, 1), 1), await cluster.socket(cluster.clientAs(bob, 2), 2)];
    const about = (id: string) => (e: { data: Record<string, any> }) => typeof e.data?.post === 'string' && JSON.parse(e.data.post).id === id;
    // Each step waits for its event everywhere before the next one is made (different origins
    // are not ordered with each other; each event on its own must arrive).
    const post = await createPost(cluster.clientAs(alice, 0), pub.id, 'to be edited');
    for (const s of sockets) await s.waitFor('posted', about(post.id));
    await cluster.clientAs(alice, 1).patchPost({ id: post.id, message: 'edited via node 1' } as any);
    for (const s of sockets) expect(JSON.parse((await s.waitFor('post_edited', about(post.id))).data.post).message).toBe('edited via node 1');
    await cluster.clientAs(alice, 2).deletePost(post.id);
    for (const s of sockets) await s.waitFor('post_deleted', about(post.id));
    await new Promise((r) => setTimeout(r, 500));
    for (const s of sockets) {
      expect(s.events.filter(about(post.id)).map((e) => e.event)).toEqual(['posted', 'post_edited', 'post_deleted']);
      expect(s.seqProblems()).toEqual([]);
    }
  });
});
