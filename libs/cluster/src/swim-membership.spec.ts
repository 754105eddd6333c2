import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { freeUdpPort, testNodeId, testNodeInfo, waitUntil } from '../test-fixtures/swim-test-kit.js';
import type { NodeInfo } from './contracts.js';
import { LeaderElector } from './leader.js';
import { parseNodeInfo, SwimMembership, SwimMembershipOptions } from './swim-membership.js';

// Three nodes in this process on 127.0.0.1/2/3, all on the same gossip port: only possible because
// each socket binds its own address (happn-swim alone binds 0.0.0.0).
const ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const SECRET = 'test-secret-0123456789abcdef';

let running: SwimMembership[] = [];

afterEach(async () => {
  await Promise.all(running.map((m) => m.stop()));
  running = [];
});

function node(address: string, port: number, options: Partial<SwimMembershipOptions> = {}, info: Partial<NodeInfo> = {}) {
  const membership = new SwimMembership({
    self: testNodeInfo(address, port, info),
    bindAddress: address,
    secrets: [SECRET],
    ...options,
  });
  running.push(membership);
  return membership;
}

const ids = (m: SwimMembership) => m.members().map((n) => n.id);

describe('SwimMembership (in process)', () => {
  it('binds only its own address, so three nodes share one port, and they all see each other within 2 s', async () => {
    const port = await freeUdpPort(ADDRESSES);
    const [a, b, c] = ADDRESSES.map((address) => node(address, port));
    const started = Date.now();
    await a.start([]);
    await b.start([`127.0.0.1:${port}`]);
    await c.start([`127.0.0.1:${port}`]);
    expect(ADDRESSES.map((_, i) => [a, b, c][i].address())).toEqual(ADDRESSES.map((address) => ({ address, port })));

    const all = [a, b, c].map((m) => m.self().id).sort();
    await waitUntil(() => [a, b, c].every((m) => ids(m).join() === all.join()), 2000, 'all three to see each other');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(a.members()).toEqual([a, b, c].map((m) => m.self()).sort((x, y) => (x.id < y.id ? -1 : 1)));
  });

  it('measures the round trips of its pings and counts suspicions (for the metrics endpoint)', async () => {
    const port = await freeUdpPort(ADDRESSES);
    const [a, b] = ADDRESSES.slice(0, 2).map((address) => node(address, port));
    await a.start([]);
    await b.start([`127.0.0.1:${port}`]);
    await waitUntil(() => a.stats().pingRtt.count >= 3, 3000, 'pings to be answered');
    const rtt = a.stats().pingRtt;
    expect(rtt.sum / rtt.count).toBeLessThan(0.2); // loopback
    expect(a.stats().suspicions).toBe(0);
    // b stops answering (a frozen process): a suspects it.
    (b as unknown as { swim: { net: { udpSocket: Socket } } }).swim.net.udpSocket.removeAllListeners('message');
    await waitUntil(() => a.stats().suspicions >= 1, 3000, 'a to suspect b');
  });

  it('fails to start with a clear error when its address:port is taken', async () => {
    const port = await freeUdpPort(ADDRESSES);
    await node('127.0.0.1', port).start([]);
    await expect(node('127.0.0.1', port).start([])).rejects.toThrow(/cannot bind the gossip socket to 127.0.0.1:\d+/);
  });

  it('emits join with the NodeInfo, update when metadata changes, and leave at once on a graceful stop', async () => {
    const port = await freeUdpPort(ADDRESSES);
    const a = node('127.0.0.1', port);
    const b = node('127.0.0.2', port);
    const c = node('127.0.0.3', port);
    const seenByA: Array<[string, NodeInfo]> = [];
    for (const event of ['join', 'leave', 'update'] as const) a.on(event, (n) => seenByA.push([event, n]));
    const updatesAtC: NodeInfo[] = [];
    c.on('update', (n) => updatesAtC.push(n));
    await a.start([]);
    await b.start([`127.0.0.1:${port}`]);
    await c.start([`127.0.0.1:${port}`]);
    await waitUntil(() => ids(a).length === 3 && ids(c).length === 3, 2000, 'three members');
    expect(seenByA.find(([e, n]) => e === 'join' && n.id === b.self().id)?.[1]).toEqual(b.self());

    b.updateSelf({ configHash: 'hash-2', version: '11.1.0' });
    const tookMs = await waitUntil(
      () => [a, c].every((m) => m.members().find((n) => n.id === b.self().id)?.configHash === 'hash-2'),
      2000,
      'the metadata change to reach every node',
    );
    expect(tookMs).toBeLessThan(1000);
    expect(seenByA.filter(([e]) => e === 'update').map(([, n]) => [n.id, n.configHash, n.version])).toEqual([[b.self().id, 'hash-2', '11.1.0']]);
    expect(updatesAtC.at(-1)).toEqual(b.self());

    const leftAt = Date.now();
    await b.stop();
    await waitUntil(() => ids(a).length === 2 && ids(c).length === 2, 1000, 'a graceful leave to be seen');
    expect(Date.now() - leftAt).toBeLessThan(1000);
    expect(seenByA.filter(([e]) => e === 'leave').map(([, n]) => n.id)).toEqual([b.self().id]);
    expect(b.members()).toEqual([b.self()]);
  });

  it('lets a node restarted at the same address with a new id replace its previous life', async () => {
    const port = await freeUdpPort(ADDRESSES);
    const a = node('127.0.0.1', port);
    const events: string[] = [];
    a.on('join', (n) => events.push(`join ${n.id}`));
    a.on('leave', (n) => events.push(`leave ${n.id}`));
    await a.start([]);
    const first = node('127.0.0.2', port);
    await first.start([`127.0.0.1:${port}`]);
    await waitUntil(() => ids(a).length === 2, 2000, 'the first life to join');
    await first.stop();
    await waitUntil(() => ids(a).length === 1, 1000, 'the first life to leave');

    const second = node('127.0.0.2', port);
    await second.start([`127.0.0.1:${port}`]);
    await waitUntil(() => ids(a).includes(second.self().id), 2000, 'the second life to join');
    expect(events).toEqual([`join ${first.self().id}`, `leave ${first.self().id}`, `join ${second.self().id}`]);
  });

  it('drops and counts datagrams sealed with a secret it does not hold: a node with the wrong secret cannot join', async () => {
    const port = await freeUdpPort(ADDRESSES);
    const a = node('127.0.0.1', port);
    const b = node('127.0.0.2', port);
    const intruder = node('127.0.0.3', port, { secrets: ['some-other-secret-0123456789'] });
    await a.start([]);
    await b.start([`127.0.0.1:${port}`]);
    await intruder.start([`127.0.0.1:${port}`, `127.0.0.2:${port}`]);
    await waitUntil(() => ids(a).length === 2, 2000, 'a and b to meet');
    await new Promise((r) => setTimeout(r, 1000));
    expect(ids(a)).not.toContain(intruder.self().id);
    expect(ids(b)).not.toContain(intruder.self().id);
    expect(intruder.members()).toEqual([intruder.self()]);
    expect(a.stats().rejectedDatagrams + b.stats().rejectedDatagrams).toBeGreaterThan(0);
    expect(intruder.stats().rejectedDatagrams).toBe(0); // nobody answers it
  });

  it('takes a captured datagram once: sent again from another address it is dropped, counted and unanswered', async () => {
    const port = await freeUdpPort([...ADDRESSES, '127.0.0.4']);
    const sockets: Socket[] = [];
    const listen = async (address: string) => {
      const socket = createSocket('udp4');
      sockets.push(socket);
      const got: Buffer[] = [];
      socket.on('message', (m) => got.push(m));
      await new Promise<void>((r) => socket.bind(port, address, () => r()));
      return { socket, got };
    };
    try {
      // a's first datagrams to a seed that is not up yet: someone on the network keeps a copy.
      const seed = await listen('127.0.0.3');
      const a = node('127.0.0.1', port);
      await a.start([`127.0.0.3:${port}`]);
      await waitUntil(() => seed.got.length > 0, 2000, 'a datagram to the seed');
      const captured = seed.got[0];
      await new Promise<void>((r) => seed.socket.close(() => r()));
      sockets.splice(0, 1);

      // The seed comes up; the datagram, arriving late, is taken once.
      const c = node('127.0.0.3', port);
      await c.start([]);
      const attacker = await listen('127.0.0.4');
      const sendFromAttacker = (to: string) => new Promise<void>((r) => attacker.socket.send(captured, port, to, () => r()));
      await sendFromAttacker('127.0.0.3');
      await waitUntil(() => ids(c).includes(a.self().id), 2000, 'c to take the datagram from a');
      expect(c.stats().replayedDatagrams).toBe(0);
      // Sent again, from another address: dropped and counted, and nothing is answered there.
      await sendFromAttacker('127.0.0.3');
      await waitUntil(() => c.stats().replayedDatagrams === 1, 2000, 'the replay to be counted');
      // Sent to another node than it was meant for: dropped and counted too.
      const b = node('127.0.0.2', port);
      await b.start([]);
      await sendFromAttacker('127.0.0.2');
      await waitUntil(() => b.stats().replayedDatagrams === 1, 2000, 'the misdirected copy to be counted');
      await new Promise((r) => setTimeout(r, 300));
      expect(attacker.got).toEqual([]);
      expect(ids(b)).toEqual([b.self().id]);
      expect(c.stats().rejectedDatagrams + b.stats().rejectedDatagrams).toBe(0);
    } finally {
      await Promise.all(sockets.map((s) => new Promise((r) => s.close(() => r(undefined)))));
    }
  });

  it('keeps a cluster together through a rolling secret rotation (old+new, then new+old, then new)', async () => {
    const port = await freeUdpPort(ADDRESSES);
    const OLD = 'old-secret-0123456789abcdef';
    const NEW = 'new-secret-0123456789abcdef';
    // Mid-rotation: a still seals with the old secret, b already seals with the new one.
    const a = node('127.0.0.1', port, { secrets: [OLD, NEW] });
    const b = node('127.0.0.2', port, { secrets: [NEW, OLD] });
    await a.start([]);
    await b.start([`127.0.0.1:${port}`]);
    await waitUntil(() => ids(a).length === 2 && ids(b).length === 2, 2000, 'old+new and new+old to meet');
    // Last step on a third node: only the new secret; it talks with b (which seals with new).
    const c = node('127.0.0.3', port, { secrets: [NEW] });
    await c.start([`127.0.0.2:${port}`]);
    await waitUntil(() => ids(b).length === 3, 2000, 'new-only to join new+old');
    expect(a.stats().rejectedDatagrams + b.stats().rejectedDatagrams).toBe(0);
  });

  it('agrees on one leader, the lowest id, and moves leadership when the leader leaves', async () => {
    const port = await freeUdpPort(ADDRESSES);
    const [a, b, c] = ADDRESSES.map((address, i) => node(address, port, {}, { id: testNodeId(String(i)) }));
    const electors = [a, b, c].map((m) => new LeaderElector(m));
    const changes: string[] = [];
    electors[2].onChange((leaderId, isLeader) => changes.push(`${leaderId} ${isLeader}`));
    await a.start([]);
    await b.start([`127.0.0.1:${port}`]);
    await c.start([`127.0.0.1:${port}`]);
    await waitUntil(() => electors.every((e) => e.leaderId() === a.self().id), 2000, 'everyone to elect a');
    expect(electors.map((e) => e.isLeader())).toEqual([true, false, false]);

    await a.stop();
    await waitUntil(() => electors[1].leaderId() === b.self().id && electors[2].leaderId() === b.self().id, 1000, 'b to lead');
    expect(electors[1].isLeader()).toBe(true);
    expect(changes.at(-1)).toBe(`${b.self().id} false`);
  });
});

describe('parseNodeInfo', () => {
  const info = testNodeInfo('127.0.0.1', 8074);

  it('accepts well-formed metadata of this cluster and copies only NodeInfo fields', () => {
    expect(parseNodeInfo({ ...info, extra: 1 }, 'test-cluster')).toEqual(info);
  });

  it('rejects missing fields, wrong types and other clusters', () => {
    expect(parseNodeInfo(undefined, 'test-cluster')).toBeNull();
    expect(parseNodeInfo({ ...info, gossipPort: '8074' }, 'test-cluster')).toBeNull();
    expect(parseNodeInfo({ ...info, id: undefined }, 'test-cluster')).toBeNull();
    expect(parseNodeInfo(info, 'other-cluster')).toBeNull();
  });
});
