import { isValidId } from '#common';
import { beforeEach, describe, expect, it } from 'vitest';
import { WsEvents } from './event-names.js';
import { Hub, HubOptions, PresenceListener, RecipientResolver } from './hub.js';
import { ConnectionOwner, SocketLike, WebConnection } from './web-connection.js';
import { newEvent } from './websocket-event.js';

interface Frame {
  event: string;
  data: Record<string, unknown>;
  broadcast: Record<string, unknown>;
  seq: number;
}

class FakeSocket implements SocketLike {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closed: { code?: number; reason?: string } | null = null;

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.readyState = 3;
  }

  frames(): Frame[] {
    return this.sent.map((s) => JSON.parse(s) as Frame);
  }

  /** Events after the hello, as `event:n` strings. */
  received(): string[] {
    return this.frames()
      .filter((f) => f.event !== WsEvents.Hello)
      .map((f) => `${f.event}:${f.data.n ?? ''}`);
  }
}

class FakeResolver implements RecipientResolver {
  channels = new Map<string, string[]>();
  teams = new Map<string, string[]>();
  /** Per channel, a promise to wait for before answering (a slow database). */
  gates = new Map<string, Promise<void>>();
  failing = new Set<string>();
  calls: string[] = [];

  async channelMemberIds(channelId: string): Promise<ReadonlySet<string>> {
    this.calls.push(`channel:${channelId}`);
    await this.gates.get(channelId);
    if (this.failing.has(channelId)) throw new Error('database down');
    return new Set(this.channels.get(channelId) ?? []);
  }

  async teamMemberIds(teamId: string): Promise<ReadonlySet<string>> {
    this.calls.push(`team:${teamId}`);
    return new Set(this.teams.get(teamId) ?? []);
  }
}

class FakePresence implements PresenceListener {
  readonly log: string[] = [];
  userConnected(userId: string): void {
    this.log.push(`+${userId}`);
  }
  userDisconnected(userId: string): void {
    this.log.push(`-${userId}`);
  }
}

const OPTIONS: HubOptions = {
  serverVersion: () => '10.0.0.test',
  replayCapacity: 8,
  inactiveTimeoutMs: 60_000,
  maxBufferedBytes: 1_000_000,
};

const owner = (userId: string, sessionId = `session-${userId}`, sessionExpiresAt = 0): ConnectionOwner => ({
  userId,
  sessionId,
  sessionExpiresAt,
  roles: 'system_user',
});

let resolver: FakeResolver;
let presence: FakePresence;
let hub: Hub;

beforeEach(() => {
  resolver = new FakeResolver();
  presence = new FakePresence();
  hub = new Hub(resolver, OPTIONS);
  hub.setPresenceListener(presence);
});

function connect(userId: string, sessionId?: string): { socket: FakeSocket; connection: WebConnection } {
  const socket = new FakeSocket();
  const connection = hub.connect(owner(userId, sessionId), socket);
  return { socket, connection };
}

const ev = (n: number, target: Parameters<typeof newEvent>[1]) => newEvent('test', target, { n });

describe('Hub.connect', () => {
  it('sends hello with seq 0, the connection id and the server version', () => {
    const { socket, connection } = connect('alice');
    expect(isValidId(connection.id)).toBe(true);
    expect(socket.frames()).toEqual([
      {
        event: 'hello',
        data: { server_version: '10.0.0.test', connection_id: connection.id },
        broadcast: { omit_users: null, user_id: 'alice', channel_id: '', team_id: '', connection_id: '', omit_connection_id: '' },
        seq: 0,
      },
    ]);
  });

  it('gives every connection its own id and counts them', () => {
    const a = connect('alice').connection;
    const b = connect('alice').connection;
    const c = connect('bob').connection;
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(hub.connectionCount).toBe(3);
    expect(hub.activeCountForUser('alice')).toBe(2);
    expect(hub.activeCountForUser('bob')).toBe(1);
    expect(hub.activeCountForUser('carol')).toBe(0);
    expect(hub.connectedUserIds().sort()).toEqual(['alice', 'bob']);
  });
});

describe('Hub presence', () => {
  it('calls userConnected on the first connection and userDisconnected after the last one only', () => {
    const a1 = connect('alice');
    const a2 = connect('alice');
    expect(presence.log).toEqual(['+alice']);
    hub.disconnected(a1.connection, a1.socket);
    expect(presence.log).toEqual(['+alice']);
    hub.disconnected(a2.connection, a2.socket);
    expect(presence.log).toEqual(['+alice', '-alice']);
    expect(hub.connectedUserIds()).toEqual([]);
    // A second disconnect report of the same socket changes nothing.
    hub.disconnected(a2.connection, a2.socket);
    expect(presence.log).toEqual(['+alice', '-alice']);
    connect('alice');
    expect(presence.log).toEqual(['+alice', '-alice', '+alice']);
  });

  it('tracks users separately', () => {
    const a = connect('alice');
    connect('bob');
    hub.disconnected(a.connection, a.socket);
    expect(presence.log).toEqual(['+alice', '+bob', '-alice']);
  });

  it('ignores the close of a socket that was already replaced', () => {
    const a = connect('alice');
    const replacement = new FakeSocket();
    hub.resume(a.connection.id, 1, owner('alice'), replacement);
    hub.disconnected(a.connection, a.socket);
    expect(presence.log).toEqual(['+alice']);
    expect(hub.activeCountForUser('alice')).toBe(1);
  });

  it('works without a presence listener', () => {
    const bare = new Hub(resolver, OPTIONS);
    const socket = new FakeSocket();
    const c = bare.connect(owner('alice'), socket);
    expect(() => bare.disconnected(c, socket)).not.toThrow();
  });
});

describe('Hub.publish filtering', () => {
  it('channel events go only to the channel members that are connected', async () => {
    resolver.channels.set('c1', ['alice', 'bob', 'offline-user']);
    const alice = connect('alice').socket;
    const bob = connect('bob').socket;
    const carol = connect('carol').socket;
    await hub.publish(ev(1, { channel_id: 'c1' }));
    expect(alice.received()).toEqual(['test:1']);
    expect(bob.received()).toEqual(['test:1']);
    expect(carol.received()).toEqual([]);
    expect(resolver.calls).toEqual(['channel:c1']);
  });

  it('a team or channel larger than the users connected here is walked by those users, not by its members', async () => {
    let walked = 0;
    class HugeSet extends Set<string> {
      override [Symbol.iterator]() {
        walked++;
        return super[Symbol.iterator]();
      }
    }
    const members = new HugeSet(['alice', 'bob', ...Array.from({ length: 5_000 }, (_, i) => `offline-${i}`)]);
    resolver.teamMemberIds = () => Promise.resolve(members);
    const alice = connect('alice').socket;
    const bob = connect('bob').socket;
    const carol = connect('carol').socket;
    await hub.publish(ev(1, { team_id: 't1', omit_users: { bob: true } }));
    expect([alice.received(), bob.received(), carol.received()]).toEqual([['test:1'], [], []]);
    expect(walked).toBe(0);
  });

  it('team events go only to the team members', async () => {
    resolver.teams.set('t1', ['bob']);
    const alice = connect('alice').socket;
    const bob = connect('bob').socket;
    await hub.publish(ev(1, { team_id: 't1' }));
    expect(alice.received()).toEqual([]);
    expect(bob.received()).toEqual(['test:1']);
  });

  it('user events go to every connection of that user and nobody else, without asking the resolver', async () => {
    const a1 = connect('alice').socket;
    const a2 = connect('alice').socket;
    const bob = connect('bob').socket;
    await hub.publish(ev(1, { user_id: 'alice', channel_id: 'c-unknown' }));
    expect(a1.received()).toEqual(['test:1']);
    expect(a2.received()).toEqual(['test:1']);
    expect(bob.received()).toEqual([]);
    expect(resolver.calls).toEqual([]);
  });

  it('connection_id targets exactly one connection', async () => {
    const a1 = connect('alice');
    const a2 = connect('alice');
    const bob = connect('bob');
    await hub.publish(ev(1, { connection_id: a2.connection.id, user_id: 'bob' }));
    expect(a1.socket.received()).toEqual([]);
    expect(a2.socket.received()).toEqual(['test:1']);
    expect(bob.socket.received()).toEqual([]);
    await hub.publish(ev(2, { connection_id: 'nosuchconnectionidxxxxxxxx' }));
    expect([a1, a2, bob].map((c) => c.socket.received().length)).toEqual([0, 1, 0]);
  });

  it('omit_users skips those users', async () => {
    resolver.channels.set('c1', ['alice', 'bob', 'carol']);
    const alice = connect('alice').socket;
    const bob = connect('bob').socket;
    const carol = connect('carol').socket;
    await hub.publish(ev(1, { channel_id: 'c1', omit_users: { bob: true, carol: false } }));
    expect(alice.received()).toEqual(['test:1']);
    expect(bob.received()).toEqual([]);
    expect(carol.received()).toEqual(['test:1']);
  });

  it('omit_connection_id skips only that connection of the user', async () => {
    resolver.channels.set('c1', ['alice', 'bob']);
    const a1 = connect('alice');
    const a2 = connect('alice');
    const bob = connect('bob');
    await hub.publish(ev(1, { channel_id: 'c1', omit_connection_id: a1.connection.id }));
    expect(a1.socket.received()).toEqual([]);
    expect(a2.socket.received()).toEqual(['test:1']);
    expect(bob.socket.received()).toEqual(['test:1']);
  });

  it('an event with no target goes to everyone connected', async () => {
    const alice = connect('alice').socket;
    const bob = connect('bob').socket;
    await hub.publish(ev(1, {}));
    expect(alice.received()).toEqual(['test:1']);
    expect(bob.received()).toEqual(['test:1']);
    expect(resolver.calls).toEqual([]);
  });

  it('contains_sensitive_data goes only to system admins, and the flag is on the wire only when set', async () => {
    const admin = new FakeSocket();
    hub.connect({ ...owner('root'), roles: 'system_user system_admin' }, admin);
    const alice = connect('alice').socket;
    await hub.publish(ev(1, { contains_sensitive_data: true }));
    await hub.publish(ev(2, {}));
    expect(admin.received()).toEqual(['test:1', 'test:2']);
    expect(alice.received()).toEqual(['test:2']);
    const [sensitive, plain] = admin.frames().slice(1);
    expect(sensitive.broadcast.contains_sensitive_data).toBe(true);
    expect('contains_sensitive_data' in plain.broadcast).toBe(false);
  });

  it('numbers frames per connection, continuing after the hello', async () => {
    resolver.channels.set('c1', ['alice', 'bob']);
    const alice = connect('alice').socket;
    await hub.publish(ev(1, { user_id: 'alice' }));
    const bob = connect('bob').socket;
    await hub.publish(ev(2, { channel_id: 'c1' }));
    expect(alice.frames().map((f) => f.seq)).toEqual([0, 1, 2]);
    expect(bob.frames().map((f) => f.seq)).toEqual([0, 1]);
  });

  it('an expired session gets no more events and its socket is closed', async () => {
    resolver.channels.set('c1', ['alice', 'bob']);
    const expiredSocket = new FakeSocket();
    const expired = hub.connect(owner('alice', 'old', Date.now() - 1000), expiredSocket);
    const fresh = connect('alice', 'new').socket;
    const bob = connect('bob').socket;
    await hub.publish(ev(1, { channel_id: 'c1' }));
    expect(expiredSocket.received()).toEqual([]);
    expect(expiredSocket.closed).toEqual({ code: 1000, reason: 'session expired' });
    expect(fresh.received()).toEqual(['test:1']);
    expect(bob.received()).toEqual(['test:1']);
    expect(hub.connectionCount).toBe(2);
    // Alice is still online through her fresh session.
    expect(presence.log).toEqual(['+alice', '+bob']);
    expect(hub.resume(expired.id, 1, owner('alice', 'old'), new FakeSocket())).toEqual({ resumed: false });
  });

  it('reports the user offline when an expired session was their last connection', async () => {
    const socket = new FakeSocket();
    hub.connect(owner('alice', 'old', Date.now() - 1000), socket);
    await hub.publish(ev(1, { user_id: 'alice' }));
    expect(socket.closed?.reason).toBe('session expired');
    expect(hub.activeCountForUser('alice')).toBe(0);
    expect(presence.log).toEqual(['+alice', '-alice']);
  });

  it('a session that never expires (expires_at 0) keeps getting events', async () => {
    const socket = connect('alice').socket;
    await hub.publish(ev(1, { user_id: 'alice' }));
    expect(socket.received()).toEqual(['test:1']);
    expect(socket.closed).toBeNull();
  });
});

describe('Hub.publish ordering', () => {
  it('delivers strictly in publish order even when the resolver is slow for the first event', async () => {
    let open!: () => void;
    resolver.gates.set('slow', new Promise<void>((resolve) => (open = resolve)));
    resolver.channels.set('slow', ['alice']);
    resolver.channels.set('fast', ['alice']);
    const alice = connect('alice').socket;

    const first = hub.publish(ev(1, { channel_id: 'slow' }));
    const second = hub.publish(ev(2, { user_id: 'alice' }));
    const third = hub.publish(ev(3, { channel_id: 'fast' }));
    await new Promise((r) => setTimeout(r, 20));
    expect(alice.received()).toEqual([]);

    open();
    await Promise.all([first, second, third]);
    expect(alice.received()).toEqual(['test:1', 'test:2', 'test:3']);
    expect(alice.frames().map((f) => f.seq)).toEqual([0, 1, 2, 3]);
  });

  it("times an event's wait behind earlier ones apart from its own delivery", async () => {
    let open!: () => void;
    resolver.gates.set('slow', new Promise<void>((resolve) => (open = resolve)));
    resolver.channels.set('slow', ['alice']);
    connect('alice');
    const first = hub.publish(ev(1, { channel_id: 'slow' })); // its membership load takes 40 ms
    const second = hub.publish(ev(2, { user_id: 'alice' })); // waits for it, then goes at once
    setTimeout(open, 40);
    await Promise.all([first, second]);
    const { queued, delivering } = hub.eventTimes;
    const over25ms = (h: typeof queued) => h.counts.slice(h.bounds.indexOf(0.025) + 1).reduce((a, b) => a + b);
    expect(queued.count).toBe(delivering.count);
    expect(over25ms(queued)).toBe(1); // the second, behind the first
    expect(over25ms(delivering)).toBe(1); // the first, loading its members
  });

  it('reads the members of events waiting their turn side by side, not one after another', async () => {
    let open!: () => void;
    const slow = new Promise<void>((resolve) => (open = resolve));
    for (const id of ['c1', 'c2', 'c3']) {
      resolver.gates.set(id, slow);
      resolver.channels.set(id, ['alice']);
    }
    const alice = connect('alice').socket;
    const published = [1, 2, 3].map((n) => hub.publish(ev(n, { channel_id: `c${n}` })));
    published.push(hub.publish(ev(4, { team_id: 't1' })));
    await new Promise((r) => setTimeout(r, 10));
    // The first is being delivered; the reads for the three waiting behind it have begun too.
    expect([...resolver.calls].sort()).toEqual(['channel:c1', 'channel:c2', 'channel:c3', 'team:t1']);
    open();
    await Promise.all(published);
    expect(alice.received()).toEqual(['test:1', 'test:2', 'test:3']);
  });

  it('an event whose turn comes at once is read for only when delivered', async () => {
    resolver.channels.set('c1', ['alice']);
    connect('alice');
    await hub.publish(ev(1, { channel_id: 'c1' }));
    await hub.publish(ev(2, { user_id: 'alice' }));
    expect(resolver.calls).toEqual(['channel:c1']);
  });

  it('a failing resolver drops that event only; later events still arrive and publish() does not reject', async () => {
    resolver.failing.add('broken');
    const alice = connect('alice').socket;
    await expect(hub.publish(ev(1, { channel_id: 'broken' }))).resolves.toBeUndefined();
    await hub.publish(ev(2, { user_id: 'alice' }));
    expect(alice.received()).toEqual(['test:2']);
  });
});

describe('Hub.resume', () => {
  it('reattaches and replays what was missed, in order, then keeps numbering', async () => {
    const a = connect('alice');
    await hub.publish(ev(1, { user_id: 'alice' }));
    hub.disconnected(a.connection, a.socket);
    await hub.publish(ev(2, { user_id: 'alice' }));
    await hub.publish(ev(3, { user_id: 'alice' }));
    expect(a.socket.received()).toEqual(['test:1']);

    const socket = new FakeSocket();
    // The client saw seq 0 (hello) and 1, so it expects 2 next.
    const result = hub.resume(a.connection.id, 2, owner('alice'), socket);
    expect(result).toEqual({ resumed: true, connection: a.connection });
    expect(socket.frames().map((f) => [f.seq, f.data.n])).toEqual([
      [2, 2],
      [3, 3],
    ]);
    // No second hello on a resumed connection.
    expect(socket.frames().some((f) => f.event === 'hello')).toBe(false);

    await hub.publish(ev(4, { user_id: 'alice' }));
    expect(socket.frames().at(-1)).toMatchObject({ seq: 4, data: { n: 4 } });
    expect(hub.connectionCount).toBe(1);
  });

  it('with nothing missed it just reattaches', () => {
    const a = connect('alice');
    hub.disconnected(a.connection, a.socket);
    const socket = new FakeSocket();
    expect(hub.resume(a.connection.id, 1, owner('alice'), socket).resumed).toBe(true);
    expect(socket.sent).toEqual([]);
    expect(hub.activeCountForUser('alice')).toBe(1);
  });

  it('reports the user online again when resuming after the last disconnect, and not when already online', () => {
    const a = connect('alice');
    hub.disconnected(a.connection, a.socket);
    hub.resume(a.connection.id, 1, owner('alice'), new FakeSocket());
    expect(presence.log).toEqual(['+alice', '-alice', '+alice']);

    const b = connect('bob');
    connect('bob');
    hub.disconnected(b.connection, b.socket);
    hub.resume(b.connection.id, 1, owner('bob'), new FakeSocket());
    expect(presence.log.filter((l) => l.endsWith('bob'))).toEqual(['+bob']);
  });

  it('takes the new owner details (e.g. a refreshed session)', () => {
    const a = connect('alice', 'old-session');
    hub.disconnected(a.connection, a.socket);
    hub.resume(a.connection.id, 1, owner('alice', 'new-session'), new FakeSocket());
    expect(a.connection.owner.sessionId).toBe('new-session');
  });

  it('fails for an unknown connection id', () => {
    connect('alice');
    const socket = new FakeSocket();
    expect(hub.resume('unknownunknownunknownunkno', 0, owner('alice'), socket)).toEqual({ resumed: false });
    expect(socket.sent).toEqual([]);
    expect(socket.closed).toBeNull();
  });

  it("fails for another user's connection and leaves it untouched", async () => {
    const a = connect('alice');
    await hub.publish(ev(1, { user_id: 'alice' }));
    hub.disconnected(a.connection, a.socket);
    await hub.publish(ev(2, { user_id: 'alice' }));

    const thief = new FakeSocket();
    expect(hub.resume(a.connection.id, 0, owner('mallory'), thief)).toEqual({ resumed: false });
    expect(thief.sent).toEqual([]);
    expect(a.connection.owner.userId).toBe('alice');
    expect(a.connection.isActive).toBe(false);
    // Alice can still resume it.
    const socket = new FakeSocket();
    expect(hub.resume(a.connection.id, 2, owner('alice'), socket).resumed).toBe(true);
    expect(socket.received()).toEqual(['test:2']);
  });

  it('fails when the gap is no longer held, and forgets the connection', async () => {
    const small = new Hub(resolver, { ...OPTIONS, replayCapacity: 2 });
    const first = new FakeSocket();
    const connection = small.connect(owner('alice'), first);
    small.disconnected(connection, first);
    for (let n = 1; n <= 4; n++) await small.publish(ev(n, { user_id: 'alice' }));

    const socket = new FakeSocket();
    expect(small.resume(connection.id, 1, owner('alice'), socket)).toEqual({ resumed: false });
    expect(socket.sent).toEqual([]);
    expect(small.connectionCount).toBe(0);
    expect(small.activeCountForUser('alice')).toBe(0);
    // The caller then starts afresh on the same socket: a new connection with a hello.
    const fresh = small.connect(owner('alice'), socket);
    expect(fresh.id).not.toBe(connection.id);
    expect(socket.frames()).toMatchObject([{ event: 'hello', seq: 0, data: { connection_id: fresh.id } }]);
  });

  it('fails for a sequence number from the future', () => {
    const a = connect('alice');
    hub.disconnected(a.connection, a.socket);
    expect(hub.resume(a.connection.id, 50, owner('alice'), new FakeSocket()).resumed).toBe(false);
  });
});

describe('Hub.closeSessions', () => {
  it('closes and forgets only the connections of that session', async () => {
    const web = connect('alice', 'web');
    const mobile = connect('alice', 'mobile');
    hub.closeSessions('alice', 'web');
    expect(web.socket.closed).toEqual({ code: 1000, reason: 'session ended' });
    expect(mobile.socket.closed).toBeNull();
    expect(hub.connectionCount).toBe(1);
    expect(presence.log).toEqual(['+alice']);
    await hub.publish(ev(1, { user_id: 'alice' }));
    expect(web.socket.received()).toEqual([]);
    expect(mobile.socket.received()).toEqual(['test:1']);
    // A closed session cannot be resumed.
    expect(hub.resume(web.connection.id, 1, owner('alice', 'web'), new FakeSocket()).resumed).toBe(false);
  });

  it('without a session id closes every connection of the user and reports them offline once', () => {
    const a1 = connect('alice', 'web');
    const a2 = connect('alice', 'mobile');
    const bob = connect('bob');
    hub.closeSessions('alice');
    expect(a1.socket.closed).not.toBeNull();
    expect(a2.socket.closed).not.toBeNull();
    expect(bob.socket.closed).toBeNull();
    expect(hub.connectionCount).toBe(1);
    expect(presence.log).toEqual(['+alice', '+bob', '-alice']);
  });

  it('also forgets dropped (resumable) connections of the session', () => {
    const a = connect('alice', 'web');
    hub.disconnected(a.connection, a.socket);
    hub.closeSessions('alice', 'web');
    expect(hub.connectionCount).toBe(0);
  });

  it('does not report a user offline again who was already offline or never connected', () => {
    const a = connect('alice', 'web');
    hub.disconnected(a.connection, a.socket);
    expect(presence.log).toEqual(['+alice', '-alice']);
    hub.closeSessions('alice', 'web');
    hub.closeSessions('alice');
    hub.closeSessions('nobody');
    expect(presence.log).toEqual(['+alice', '-alice']);
  });
});

describe('Hub.refreshSessions', () => {
  const admin = { roles: 'system_user system_admin', sessionExpiresAt: 0 };
  const user = { roles: 'system_user', sessionExpiresAt: 0 };

  it('applies new roles before the events published after it: a demoted admin gets no admin-only event', async () => {
    const root = new FakeSocket();
    hub.connect({ ...owner('root', 'web'), roles: admin.roles }, root);
    await hub.publish(ev(1, { contains_sensitive_data: true }));
    // The lookup is still running when the next event is published: the event waits for it.
    let answer!: (m: Map<string, typeof user>) => void;
    const lookup = new Promise<Map<string, typeof user>>((r) => (answer = r));
    const refreshed = hub.refreshSessions('root', () => lookup);
    const published = hub.publish(ev(2, { contains_sensitive_data: true }));
    answer(new Map([['web', user]]));
    await Promise.all([refreshed, published]);
    expect(root.received()).toEqual(['test:1']);
    expect(root.closed).toBeNull();
  });

  it('promotes too, and takes the session expiry', async () => {
    const a = connect('alice', 'web');
    await hub.refreshSessions('alice', async () => new Map([['web', { ...admin, sessionExpiresAt: Date.now() + 60_000 }]]));
    expect(a.connection.owner).toMatchObject({ roles: admin.roles });
    await hub.publish(ev(1, { contains_sensitive_data: true }));
    expect(a.socket.received()).toEqual(['test:1']);
  });

  it('closes the connections whose session is gone, keeps the others', async () => {
    const web = connect('alice', 'web');
    const mobile = connect('alice', 'mobile');
    await hub.refreshSessions('alice', async () => new Map([['mobile', user]]));
    expect(web.socket.closed).toEqual({ code: 1000, reason: 'session ended' });
    expect(mobile.socket.closed).toBeNull();
    expect(hub.connectionCount).toBe(1);
  });

  it('closes them all when the lookup fails (they reconnect and authenticate afresh)', async () => {
    const a = connect('alice', 'web');
    await hub.refreshSessions('alice', () => Promise.reject(new Error('database down')));
    expect(a.socket.closed).not.toBeNull();
    expect(presence.log).toEqual(['+alice', '-alice']);
  });

  it('does not look anything up for a user with no connection here', async () => {
    let asked = false;
    await hub.refreshSessions('nobody', async () => {
      asked = true;
      return new Map();
    });
    expect(asked).toBe(false);
  });
});

describe('Hub.reapInactive', () => {
  it('forgets connections dropped for longer than the timeout, not active or recent ones', () => {
    const old = connect('alice');
    const recent = connect('bob');
    const live = connect('carol');
    const t0 = Date.now();
    old.connection.detach(old.socket, t0 - 61_000);
    recent.connection.detach(recent.socket, t0 - 30_000);

    expect(hub.reapInactive(t0)).toBe(1);
    expect(hub.connectionCount).toBe(2);
    expect(hub.resume(old.connection.id, 1, owner('alice'), new FakeSocket()).resumed).toBe(false);
    expect(live.connection.isActive).toBe(true);

    expect(hub.reapInactive(t0 + 31_000)).toBe(1);
    expect(hub.connectionCount).toBe(1);
    expect(hub.reapInactive(t0 + 10_000_000)).toBe(0);
  });

  it('uses the timeout from the options, via disconnected()', () => {
    const a = connect('alice');
    hub.disconnected(a.connection, a.socket);
    const dropped = a.connection.inactiveSince;
    expect(hub.reapInactive(dropped + OPTIONS.inactiveTimeoutMs)).toBe(0);
    expect(hub.reapInactive(dropped + OPTIONS.inactiveTimeoutMs + 1)).toBe(1);
    expect(hub.connectedUserIds()).toEqual([]);
  });
});

describe('Hub.closeAll', () => {
  it('closes every socket with 1001 and forgets everything', () => {
    const a = connect('alice');
    const b = connect('bob');
    hub.closeAll();
    expect(a.socket.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(b.socket.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(hub.connectionCount).toBe(0);
    expect(hub.connectedUserIds()).toEqual([]);
  });
});

describe('Hub slow consumers', () => {
  it('closes a socket whose send buffer is over the limit', async () => {
    const tight = new Hub(resolver, { ...OPTIONS, maxBufferedBytes: 100 });
    const socket = new FakeSocket();
    tight.connect(owner('alice'), socket);
    socket.bufferedAmount = 101;
    await tight.publish(ev(1, { user_id: 'alice' }));
    expect(socket.closed).toEqual({ code: 1008, reason: 'send buffer full' });
    expect(socket.received()).toEqual([]);
  });
});

describe('Hub event scope (FeatureFlags.WebSocketEventScope)', () => {
  const scoped = (on: boolean) => {
    const h = new Hub(resolver, { ...OPTIONS, eventScope: () => on });
    const join = (userId: string) => {
      const socket = new FakeSocket();
      return { socket, connection: h.connect(owner(userId), socket) };
    };
    return { h, join };
  };

  it('sends typing and reactions only to connections looking at the channel, or that never said', async () => {
    resolver.channels.set('c1', ['alice', 'bob', 'carol', 'dave']);
    const { h, join } = scoped(true);
    const [looking, elsewhere, silent, threadOpen] = ['alice', 'bob', 'carol', 'dave'].map(join);
    looking.connection.setPresence({ channelId: 'c1' });
    elsewhere.connection.setPresence({ channelId: 'c2', rhsThreadChannelId: 'c3', threadViewThreadChannelId: 'c4' });
    // In another channel, but with a thread of c1 open: still looking.
    threadOpen.connection.setPresence({ channelId: 'c2', rhsThreadChannelId: 'c1', threadViewThreadChannelId: 'c4' });
    for (const name of [WsEvents.Typing, WsEvents.ReactionAdded, WsEvents.ReactionRemoved, 'posted']) {
      await h.publish(newEvent(name, { channel_id: 'c1' }, { n: 1 }));
    }
    const all = ['typing:1', 'reaction_added:1', 'reaction_removed:1', 'posted:1'];
    expect(looking.socket.received()).toEqual(all);
    expect(silent.socket.received()).toEqual(all);
    expect(threadOpen.socket.received()).toEqual(all);
    expect(elsewhere.socket.received()).toEqual(['posted:1']);
  });

  it("counts '' as a place once told: a client that says it has no thread open gets only its channel's typing", async () => {
    resolver.channels.set('c1', ['erin', 'frank']);
    const { h, join } = scoped(true);
    const [noThread, channelOnly] = ['erin', 'frank'].map(join);
    // As the load test's initialJoinTeam and SwitchChannel: threads '' (nothing open), then a channel.
    noThread.connection.setPresence({ rhsThreadChannelId: '', threadViewThreadChannelId: '' });
    noThread.connection.setPresence({ channelId: 'c2' });
    // A channel told, the threads never: a thread of c1 may be open, so it still gets c1's typing.
    channelOnly.connection.setPresence({ channelId: 'c2' });
    await h.publish(newEvent(WsEvents.Typing, { channel_id: 'c1' }, { n: 1 }));
    expect(noThread.socket.received()).toEqual([]);
    expect(channelOnly.socket.received()).toEqual(['typing:1']);
    noThread.connection.setPresence({ channelId: 'c1' });
    await h.publish(newEvent(WsEvents.Typing, { channel_id: 'c1' }, { n: 2 }));
    expect(noThread.socket.received()).toEqual(['typing:2']);
  });

  it('scopes nothing with the flag off', async () => {
    resolver.channels.set('c1', ['bob']);
    const { h, join } = scoped(false);
    const bob = join('bob');
    bob.connection.setPresence({ channelId: 'c2', rhsThreadChannelId: 'c3', threadViewThreadChannelId: 'c4' });
    await h.publish(newEvent(WsEvents.Typing, { channel_id: 'c1' }, { n: 1 }));
    expect(bob.socket.received()).toEqual(['typing:1']);
  });
});
