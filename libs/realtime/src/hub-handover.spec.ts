import { describe, expect, it } from 'vitest';
import { StampedEvent } from './event-id.js';
import { Hub, HubObserver, RecipientResolver } from './hub.js';
import { ShadowRegistry } from './shadow-registry.js';
import { SocketLike } from './web-connection.js';
import { newEvent } from './websocket-event.js';

class Socket implements SocketLike {
  readyState = 1;
  bufferedAmount = 0;
  sent: Array<{ event: string; seq: number; data: any }> = [];
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  events() {
    return this.sent.filter((f) => f.event !== 'hello').map((f) => `${f.data.n}@${f.seq}`);
  }
}

const everyone: RecipientResolver = {
  channelMemberIds: async () => new Set(['u1', 'u2']),
  teamMemberIds: async () => new Set(['u1', 'u2']),
};

const owner = { userId: 'u1', sessionId: 's', sessionExpiresAt: 0, roles: 'system_user' };
const options = (nodeId: string) => ({ nodeId, serverVersion: () => 'v', replayCapacity: 384, inactiveTimeoutMs: 60_000, maxBufferedBytes: 1e9 });
const ev = (n: number) => newEvent('posted', { channel_id: 'c1' }, { n });

/** Two nodes: every event reaches both hubs; A's connection records mirror into B's registry. */
function cluster() {
  const a = new Hub(everyone, options('nodeA'));
  const b = new Hub(everyone, options('nodeB'));
  const shadows = new ShadowRegistry(384);
  const observer: HubObserver = {
    connectionOpened: (info) => shadows.opened('nodeA', info),
    connectionClosed: (index) => shadows.closed('nodeA', index),
    delivered: (record) => shadows.delivered('nodeA', record),
  };
  a.setObserver(observer);
  const publishOnA = async (n: number) => {
    const stamped = a.stamp(ev(n));
    await Promise.all([a.process(stamped), b.process(stamped)]);
    return stamped;
  };
  const publishOnB = async (n: number) => {
    const stamped = b.stamp(ev(n));
    await Promise.all([a.process(stamped), b.process(stamped)]);
    return stamped;
  };
  return { a, b, shadows, publishOnA, publishOnB };
}

describe('moving a connection between nodes', () => {
  it('hands a live node’s connection over: missed frames, then what happened meanwhile, nothing twice', async () => {
    const { a, b, publishOnA, publishOnB } = cluster();
    const first = new Socket();
    const conn = a.connect(owner, first);
    await publishOnA(1);
    await publishOnA(2);
    a.disconnected(conn, first); // the client lost its socket after seq 2 (it saw 0,1,2)
    first.sent = first.sent.slice(0, 2); // …and in fact never got "2"
    await publishOnB(3);
    const state = await a.handover(conn.id, 'u1');
    expect(state).not.toBeNull();
    await publishOnA(4); // A no longer holds it: must come from B
    const second = new Socket();
    const moved = await b.adopt(conn.id, 2, owner, second, state!);
    expect(moved).not.toBeNull();
    await publishOnB(5);
    expect(second.events()).toEqual(['2@2', '3@3', '4@4', '5@5']);
  });

  it('moves where the client was looking and its posted_ack wish with the connection', async () => {
    const { a, b } = cluster();
    const first = new Socket();
    const conn = a.connect(owner, first);
    conn.setPresence({ channelId: 'c1', teamId: 't1' });
    conn.setPresence({ threadViewThreadChannelId: 'c2' });
    conn.postedAck = true;
    expect(a.presenceOf('u1')).toStrictEqual([{ channelId: 'c1', teamId: 't1', threadViewThreadChannelId: 'c2' }]);
    a.disconnected(conn, first);
    // A dropped socket is looking at nothing.
    expect(a.presenceOf('u1')).toEqual([]);
    const state = await a.handover(conn.id, 'u1');
    const moved = await b.adopt(conn.id, 1, owner, new Socket(), state!);
    // The RHS thread was never reported, and stays unset on the new node.
    expect(moved?.presence).toStrictEqual({ channelId: 'c1', teamId: 't1', threadViewThreadChannelId: 'c2' });
    expect(moved?.postedAck).toBe(true);
    expect(b.presenceOf('u1')).toHaveLength(1);
  });

  it('rebuilds a dead node’s connection from the mirror and the event log', async () => {
    const { a, b, shadows, publishOnA, publishOnB } = cluster();
    const first = new Socket();
    const conn = a.connect(owner, first);
    for (let n = 1; n <= 3; n++) await publishOnA(n);
    await publishOnB(4);
    // A dies here. The client had frames up to seq 4 ("4" was its 4th event).
    expect(first.events()).toEqual(['1@1', '2@2', '3@3', '4@4']);
    const state = shadows.rebuild(conn.id, b.log);
    expect(state?.nextSeq).toBe(5);
    await publishOnB(5); // published while the client was between nodes
    const second = new Socket();
    expect(await b.adopt(conn.id, 3, owner, second, state!)).not.toBeNull();
    await publishOnB(6);
    expect(second.events()).toEqual(['3@3', '4@4', '5@5', '6@6']);
  });

  it('skips events the old node delivered that reach the new node late', async () => {
    const { a, b, shadows } = cluster();
    const first = new Socket();
    const conn = a.connect(owner, first);
    const late: StampedEvent = a.stamp(ev(1));
    await a.process(late); // A delivered "1"; B has not received it yet
    const state = shadows.rebuild(conn.id, b.log);
    expect(state).toBeNull(); // B cannot build frame 1 yet: it never saw the event
    await b.process(late);
    const ready = shadows.rebuild(conn.id, b.log)!;
    const second = new Socket();
    await b.adopt(conn.id, 2, owner, second, ready);
    await b.process(late); // a duplicate arrival changes nothing
    const next = b.stamp(ev(2));
    await b.process(next);
    expect(second.events()).toEqual(['2@2']);
  });

  it('refuses when the client is ahead of what the mirror knows (never a silent gap)', async () => {
    const { a, b, shadows, publishOnA } = cluster();
    const first = new Socket();
    const conn = a.connect(owner, first);
    await publishOnA(1);
    const state = shadows.rebuild(conn.id, b.log)!;
    expect(await b.adopt(conn.id, 5, owner, new Socket(), state)).toBeNull();
  });

  it('refuses a handover to someone else’s connection', async () => {
    const { a } = cluster();
    const conn = a.connect(owner, new Socket());
    expect(await a.handover(conn.id, 'someone-else')).toBeNull();
  });
});

describe('ShadowRegistry', () => {
  it('forgets closed connections and whole peers', () => {
    const shadows = new ShadowRegistry(10);
    shadows.opened('n1', { index: 1, id: 'c1', userId: 'u1', nextSeq: 1 });
    expect(shadows.owner('c1')).toEqual({ nodeId: 'n1', userId: 'u1' });
    shadows.closed('n1', 1);
    expect(shadows.owner('c1')).toBeUndefined();
    shadows.opened('n1', { index: 2, id: 'c2', userId: 'u1', nextSeq: 1 });
    shadows.forget('n1');
    expect(shadows.owner('c2')).toBeUndefined();
  });

  it('keeps only the last `capacity` references', () => {
    const shadows = new ShadowRegistry(2);
    shadows.opened('n1', { index: 1, id: 'c1', userId: 'u1', nextSeq: 1 });
    for (let s = 1; s <= 5; s++) shadows.delivered('n1', { id: { origin: 'n1', seq: s }, conns: [1] });
    const log = { get: (id: { seq: number }) => ({ id, event: ev(id.seq) }) } as any;
    const state = shadows.rebuild('c1', log)!;
    expect(state.firstSeq).toBe(4);
    expect(state.nextSeq).toBe(6);
    expect(state.frames.map((f) => JSON.parse(f).seq)).toEqual([4, 5]);
  });
});

describe('draining a node', () => {
  it('hands every connection over, then closes its socket; the client resumes elsewhere with every event once, in order', async () => {
    const { a, b, publishOnA, publishOnB } = cluster();
    const closes: number[] = [];
    const sockets = [new Socket(), new Socket()];
    for (const s of sockets) s.close = () => void closes.push(1001);
    const conns = sockets.map((s) => a.connect(owner, s));
    await publishOnA(1);
    await publishOnB(2);
    const handed = new Map<string, Parameters<typeof b.adopt>[4]>();
    const order: string[] = [];
    const count = await a.drain(
      (id, userId, state) => {
        expect(userId).toBe('u1');
        order.push(`handoff ${id}`);
        handed.set(id, state);
      },
      1001,
      'server shutting down',
    );
    expect(count).toBe(2);
    expect(a.connectionCount).toBe(0);
    expect(closes).toHaveLength(2);
    expect(order).toEqual(conns.map((c) => `handoff ${c.id}`));
    // Events while the clients are between nodes: from the draining node (a request finishing)
    // and from another.
    await publishOnA(3);
    await publishOnB(4);
    for (const [i, conn] of conns.entries()) {
      const socket = new Socket();
      // The client saw hello (0) and events 1, 2: it resumes at 3.
      const moved = await b.adopt(conn.id, 3, owner, socket, handed.get(conn.id)!);
      expect(moved, `connection ${i}`).not.toBeNull();
      await publishOnB(5 + i);
      expect(socket.events().slice(0, 2)).toEqual(['3@3', '4@4']);
      expect(new Set(socket.events()).size).toBe(socket.events().length);
    }
  });

  it('a single node (no handoff) closes every socket', async () => {
    const hub = new Hub(everyone, options('solo'));
    const socket = new Socket();
    hub.connect(owner, socket);
    expect(await hub.drain(null, 1001, 'server shutting down')).toBe(1);
    expect(socket.readyState).toBe(3);
    expect(hub.connectionCount).toBe(0);
  });
});
