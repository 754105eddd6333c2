import { describe, expect, it } from 'vitest';
import type { Membership, NodeInfo } from '#cluster';
import { Hub, newEvent, RecipientResolver, SocketLike } from '#realtime';
import { Msg } from './cluster-messages.js';
import { ClusterEventPublisher } from './cluster-publisher.js';
import { ConnectionMover } from './connection-mover.js';
import { HubReplication } from './hub-replication.js';
import { InMemoryNetwork, InMemoryTransport } from './in-memory-transport.js';
import { ShadowRegistry } from '#realtime';

class Socket implements SocketLike {
  readyState = 1;
  bufferedAmount = 0;
  frames: any[] = [];
  send(data: string) {
    this.frames.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  posts() {
    return this.frames.filter((f) => f.event === 'posted').map((f) => f.data.n);
  }
  seqs() {
    return this.frames.map((f) => f.seq);
  }
}

const members: RecipientResolver = {
  channelMemberIds: async () => new Set(['u1', 'u2', 'u3']),
  teamMemberIds: async () => new Set(['u1', 'u2', 'u3']),
};
const owner = (userId: string) => ({ userId, sessionId: 's', sessionExpiresAt: 0, roles: 'system_user' });

/** Membership as the mover sees it: the ids still alive on the network. */
function membershipOf(network: InMemoryNetwork): Membership {
  return { members: () => [...network.nodes.keys()].map((id) => ({ id }) as NodeInfo) } as Membership;
}

function node(network: InMemoryNetwork, id: string) {
  const transport = network.join(id);
  const hub = new Hub(members, { nodeId: id, serverVersion: () => 'v', replayCapacity: 384, inactiveTimeoutMs: 60_000, maxBufferedBytes: 1e9 });
  const publisher = new ClusterEventPublisher(hub, transport);
  const shadows = new ShadowRegistry(384);
  hub.setObserver(new HubReplication(transport, shadows));
  const mover = new ConnectionMover(hub, transport, membershipOf(network), shadows);
  return { id, transport, hub, publisher, mover };
}

async function settle(network: InMemoryNetwork) {
  for (let i = 0; i < 5; i++) {
    await Promise.all([...network.nodes.values()].map((t: InMemoryTransport) => t.flushed()));
    await new Promise((r) => setImmediate(r));
  }
}

const post = (n: number) => newEvent('posted', { channel_id: 'c1' }, { n });

describe('events across nodes', () => {
  it('reach sockets on every node exactly once, in order', async () => {
    const net = new InMemoryNetwork();
    const [a, b, c] = ['A', 'B', 'C'].map((id) => node(net, id));
    const sockets = [a, b, c].map((n, i) => {
      const s = new Socket();
      n.hub.connect(owner(`u${i + 1}`), s);
      return s;
    });
    await settle(net);
    for (let n = 1; n <= 30; n++) [a, b, c][n % 3].publisher.publish(post(n));
    await settle(net);
    // Each socket sees every post once; per-origin order holds (the global interleaving may differ).
    for (const s of sockets) {
      expect([...s.posts()].sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      for (const origin of [0, 1, 2]) {
        const fromOrigin = s.posts().filter((n: number) => n % 3 === origin);
        expect(fromOrigin).toEqual([...fromOrigin].sort((x, y) => x - y));
      }
      expect(s.seqs()).toEqual(s.seqs().map((_, i) => i));
    }
  });
});

describe('confirmed events (posts)', () => {
  it('reach the publishing node’s sockets only after every peer has them, and later events wait behind them', async () => {
    const net = new InMemoryNetwork();
    const [a, b] = ['A', 'B'].map((id) => node(net, id));
    const onA = new Socket();
    a.hub.connect(owner('u1'), onA);
    // The request reaches B only when the test lets it (as over a slow link).
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const request = a.transport.request.bind(a.transport);
    a.transport.request = async (...args: Parameters<typeof request>) => {
      await gate;
      return request(...args);
    };
    await settle(net);
    const published = a.publisher.publishConfirmed(post(1));
    a.publisher.publish(post(2));
    await settle(net);
    // Had A died now, no client would have seen post 1: announcing it again for A duplicates nothing.
    expect(onA.posts()).toEqual([]);
    release();
    await published;
    await settle(net);
    expect(onA.posts()).toEqual([1, 2]);
    expect(onA.seqs()).toEqual(onA.seqs().map((_, i) => i));
  });
  it('published at once on two nodes, do not wait for each other (each is confirmed once the other has taken it)', async () => {
    const net = new InMemoryNetwork();
    const [a, b] = ['A', 'B'].map((id) => node(net, id));
    const onA = new Socket();
    a.hub.connect(owner('u1'), onA);
    const onB = new Socket();
    b.hub.connect(owner('u2'), onB);
    await settle(net);
    // Each node's queue holds its own post until the other confirms it. A confirmation that
    // waited for its delivery waited behind that post: both nodes stalled until their requests
    // timed out (the in-memory transport has no timeout, so this test would not end).
    await Promise.all([a.publisher.publishConfirmed(post(1)), b.publisher.publishConfirmed(post(2))]);
    await settle(net);
    expect([onA.posts().sort(), onB.posts().sort()]).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });
});

describe('moving a client between nodes', () => {
  it('resumes on another node after its node died, including what was published in between', async () => {
    const net = new InMemoryNetwork();
    const [a, b] = ['A', 'B'].map((id) => node(net, id));
    const first = new Socket();
    const conn = a.hub.connect(owner('u1'), first);
    await settle(net);
    for (let n = 1; n <= 5; n++) b.publisher.publish(post(n));
    await settle(net);
    const seen = first.frames.length; // hello + 5 posts
    net.kill('A');
    for (let n = 6; n <= 8; n++) b.publisher.publish(post(n));
    await settle(net);
    const second = new Socket();
    const moved = await b.mover.resume(conn.id, seen - 2, owner('u1'), second); // the client missed the last two frames
    expect(moved).not.toBeNull();
    b.publisher.publish(post(9));
    await settle(net);
    expect(second.posts()).toEqual([4, 5, 6, 7, 8, 9]);
    expect(second.seqs()).toEqual([4, 5, 6, 7, 8, 9]);
  });

  it('takes a connection over from a live node without losing or repeating events', async () => {
    const net = new InMemoryNetwork();
    const [a, b] = ['A', 'B'].map((id) => node(net, id));
    const first = new Socket();
    const conn = a.hub.connect(owner('u1'), first);
    await settle(net);
    a.publisher.publish(post(1));
    await settle(net);
    a.hub.disconnected(conn, first);
    a.publisher.publish(post(2)); // buffered on A while the client is away
    b.publisher.publish(post(3));
    const second = new Socket();
    const moved = await b.mover.resume(conn.id, 2, owner('u1'), second);
    expect(moved).not.toBeNull();
    a.publisher.publish(post(4));
    await settle(net);
    expect(second.posts()).toEqual([2, 3, 4]);
    expect(a.hub.has(conn.id)).toBe(false);
  });

  it('refuses to move someone else’s connection', async () => {
    const net = new InMemoryNetwork();
    const [a, b] = ['A', 'B'].map((id) => node(net, id));
    const conn = a.hub.connect(owner('u1'), new Socket());
    await settle(net);
    expect(await b.mover.resume(conn.id, 1, owner('u2'), new Socket())).toBeNull();
    expect(a.hub.has(conn.id)).toBe(true);
  });
});

describe('a draining node handing its connections over', () => {
  const drain = (n: ReturnType<typeof node>) =>
    n.hub.drain((connectionId, userId, state) => n.transport.broadcast({ type: Msg.WsHandoff, payload: { connectionId, userId, state } }), 1001, 'draining');

  it('the client resumes where it lands from the handed state, with what was published meanwhile, nothing twice', async () => {
    const net = new InMemoryNetwork();
    const [a, b, c] = ['A', 'B', 'C'].map((id) => node(net, id));
    const first = new Socket();
    const conn = a.hub.connect(owner('u1'), first);
    await settle(net);
    a.publisher.publish(post(1));
    c.publisher.publish(post(2));
    await settle(net);
    b.mover.nodeDraining('A');
    c.mover.nodeDraining('A');
    expect(await drain(a)).toBe(1);
    expect(first.readyState).toBe(3);
    a.publisher.publish(post(3)); // a request still finishing on A
    c.publisher.publish(post(4));
    await settle(net);
    const second = new Socket();
    const moved = await b.mover.resume(conn.id, 3, owner('u1'), second); // it saw hello, 1, 2
    expect(moved).not.toBeNull();
    c.publisher.publish(post(5));
    await settle(net);
    // Each once (origins interleave as B processed them), numbered on from where the client was.
    expect([...second.posts()].sort()).toEqual([3, 4, 5]);
    expect(second.seqs()).toEqual([3, 4, 5]);
  });

  it('a handoff another node has since taken up is not used again; the newer one is', async () => {
    const net = new InMemoryNetwork();
    const [a, b, c] = ['A', 'B', 'C'].map((id) => node(net, id));
    const conn = a.hub.connect(owner('u1'), new Socket());
    await settle(net);
    await drain(a);
    await settle(net);
    // B takes it up (C keeps A's handoff until B's connection record arrives).
    const onB = new Socket();
    expect(await b.mover.resume(conn.id, 1, owner('u1'), onB)).not.toBeNull();
    for (let n = 1; n <= 3; n++) c.publisher.publish(post(n));
    await settle(net);
    expect(onB.posts()).toEqual([1, 2, 3]);
    // Now B drains: C must resume from B's state (seq 4), not from A's stale one (which ends at 1).
    c.mover.nodeDraining('B');
    await drain(b);
    await settle(net);
    const onC = new Socket();
    expect(await c.mover.resume(conn.id, 4, owner('u1'), onC)).not.toBeNull();
    c.publisher.publish(post(4));
    await settle(net);
    expect(onC.posts()).toEqual([4]);
    expect(onC.seqs()).toEqual([4]);
  });
});
