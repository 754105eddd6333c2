/**
 * Reliable WebSockets across nodes. A client reconnects with connection_id + sequence_number;
 * wherever it lands it gets every event it missed on the same connection, or, when that is
 * impossible, a new connection_id and a fresh `hello` (and then refetches over REST). Never a
 * silent gap: the raw sequence numbers are checked, and the posts it has at the end are all
 * the posts.
 */
import type { Channel } from '@mattermost/types/channels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSocket, eventually, NewUser, TestCluster } from '#testing';
import { ChannelView, createPost, duplicates, openChannelWith, startFormedCluster } from './cluster-fixtures.js';

let cluster: TestCluster;
let admin: NewUser;
let member: NewUser;
let channel: Channel;

beforeAll(async () => {
  ({ cluster, admin } = await startFormedCluster());
  member = await cluster.newUser({ via: 0 });
  channel = await openChannelWith(admin, [member]);
});

afterAll(() => cluster?.stop());

interface Made {
  id: string;
  node: number;
}

/** Posts through the given nodes in turn (by the admin, who is not the watched user). */
async function postVia(nodes: number[], label: string): Promise<Made[]> {
  const made: Made[] = [];
  for (const [i, node] of nodes.entries())
    made.push({ id: (await createPost(cluster.clientAs(admin, node), channel.id, `${label} #${i} via node ${node}`)).id, node });
  return made;
}

/** Posts from one origin node arrive in the order that node made them. */
function expectOriginOrder(socket: ClusterSocket, made: Made[]) {
  for (const node of new Set(made.map((m) => m.node))) {
    const expected = made.filter((m) => m.node === node).map((m) => m.id);
    const mine = new Set(expected);
    expect(
      socket.postedIds(channel.id).filter((id) => mine.has(id)),
      `posts made via node ${node}`,
    ).toEqual(expected);
  }
}

const about = (id: string) => (e: { data: Record<string, any> }) => typeof e.data?.post === 'string' && JSON.parse(e.data.post).id === id;

describe('reconnecting to another node', () => {
  it('resumes on another live node, on the same connection, with every event missed in between; again and again', async () => {
    const socket = await cluster.socket(cluster.clientAs(member, 0), 0, { minRetryMs: 1500 });
    const firstId = socket.connectionId;
    const warm = await postVia([1, 2], 'warm-up');
    for (const m of warm) await socket.waitFor('posted', about(m.id), 2000);

    // Bounce 0 → 1 → 2 → 0, with posts from every node made while the client is away.
    const all = [...warm];
    for (const [hop, next] of [1, 2, 0].entries()) {
      const connections = socket.connections;
      socket.target = cluster.wsUrl(next);
      socket.dropConnection();
      const gap = await postVia([0, 1, 2, 0, 1, 2], `gap ${hop}`);
      all.push(...gap);
      expect(socket.connections, 'the gap posts were made before the client reconnected').toBe(connections);
      await eventually(() => {
        const got = new Set(socket.postedIds(channel.id));
        const missing = gap.filter((m) => !got.has(m.id));
        if (missing.length) throw new Error(`hop ${hop} to node ${next}: ${missing.length} of ${gap.length} missed posts not replayed`);
      }, 5000);
      expect(socket.connections).toBe(connections + 1);
    }

    expect(socket.connectionId).toBe(firstId);
    expect(socket.helloIds()).toEqual([firstId]);
    expect(socket.missedResyncs).toBe(0);
    expect(socket.seqProblems()).toEqual([]);
    expect(duplicates(socket.postedIds(channel.id))).toEqual([]);
    expect(new Set(socket.postedIds(channel.id))).toEqual(new Set(all.map((m) => m.id)));
    expectOriginOrder(socket, all);

    // And it keeps working where it landed.
    const [after] = await postVia([2], 'after the hops');
    await socket.waitFor('posted', about(after.id), 2000);
    socket.close();
  });

  it('after its node is killed, reconnects through nginx and gets everything published meanwhile: replayed, or a fresh hello and a refetch', async () => {
    const socket = await cluster.socket(cluster.clientAs(member, 1), 1, { minRetryMs: 2000 });
    const view = new ChannelView(socket, cluster.clientAs(member, 'nginx'), channel.id);
    const firstId = socket.connectionId;
    const warm = await postVia([0, 2], 'before the kill');
    for (const m of warm) await socket.waitFor('posted', about(m.id), 2000);

    // From now on the client reconnects the way a real one does: through the load balancer.
    socket.target = cluster.wsUrl('nginx');
    await cluster.node(1).kill('SIGKILL');
    const gap = await postVia([0, 2, 0, 2, 0, 2], 'while between nodes');
    expect(socket.connections, 'the gap posts were made before the client reconnected').toBe(1);

    const expected = [...warm, ...gap].map((m) => m.id);
    await eventually(
      async () => {
        await view.settled();
        const have = view.known();
        const missing = expected.filter((id) => !have.has(id));
        if (missing.length)
          throw new Error(`${missing.length} posts neither replayed nor refetched (connections ${socket.connections}, resyncs ${socket.missedResyncs})`);
      },
      15_000,
      100,
    );

    expect(socket.seqProblems()).toEqual([]);
    expect(duplicates(socket.postedIds(channel.id))).toEqual([]);
    if (socket.missedResyncs === 0) {
      // Resumed: same connection, and the gap came over the socket, in order per origin.
      expect(socket.connectionId).toBe(firstId);
      expect(socket.helloIds()).toEqual([firstId]);
      expect(socket.postedIds(channel.id)).toEqual(expect.arrayContaining(gap.map((m) => m.id)));
      expectOriginOrder(socket, [...warm, ...gap]);
    } else {
      // Not resumable: a new connection id announced by a fresh hello, and a refetch after it.
      expect(socket.missedResyncs).toBe(1);
      const ids = socket.helloIds();
      expect(ids).toHaveLength(2);
      expect(ids[0]).toBe(firstId);
      expect(ids[1]).not.toBe(firstId);
      expect(view.refetches).toBe(1);
    }

    // Live again on its new node.
    const [after] = await postVia([2], 'after the reconnect');
    await socket.waitFor('posted', about(after.id), 2000);
  });
});
