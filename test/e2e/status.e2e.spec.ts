import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Team } from '@mattermost/types/teams';
import type { UserStatus } from '@mattermost/types/users';
import { WebSocket } from 'ws';
import { eventually, expectClientError, NewUser, sleep, startServer, TestServer, TestSocket, until, WsEventMessage } from '#testing';

let server: TestServer;
let admin: NewUser;

beforeAll(async () => {
  server = await startServer();
  admin = await server.newUser();
});
afterAll(() => server?.stop());

const call = <T>(c: Client4, url: string, options: { method: string; body?: string }): Promise<T> => (c as any).doFetch(url, options);
const statusesByIds = (c: Client4, body: unknown) => call<UserStatus[]>(c, `${c.getUsersRoute()}/status/ids`, { method: 'post', body: JSON.stringify(body) });
const typing = (c: Client4, userId: string, body: unknown) => call(c, `${c.getUserRoute(userId)}/typing`, { method: 'post', body: JSON.stringify(body) });

/** Polls until the user's status is `want` (presence changes are applied just after the socket event). */
async function waitForStatus(c: Client4, userId: string, want: string, timeoutMs = 5000): Promise<UserStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: UserStatus | undefined;
  while (Date.now() < deadline) {
    last = await c.getStatus(userId);
    if (last.status === want) return last;
    await sleep(50);
  }
  throw new Error(`status of ${userId} stayed ${last?.status}, wanted ${want}`);
}

/** Only events that arrive after this point. */
function after(socket: TestSocket): (e: WsEventMessage) => boolean {
  const mark = socket.events.length;
  return (e) => socket.events.indexOf(e) >= mark;
}

const statusOf = (userId: string, status?: string) => (e: WsEventMessage) => e.data.user_id === userId && (status === undefined || e.data.status === status);

describe('reading statuses', () => {
  it('reports a user who never connected, or an unknown id, as offline', async () => {
    const u = await server.newUser();
    const s = await u.client.getStatus(u.user.id);
    expect(s).toEqual({ user_id: u.user.id, status: 'offline', manual: false, last_activity_at: 0, dnd_end_time: 0 });
    const unknown = 'a'.repeat(26);
    expect((await u.client.getStatus(unknown)).status).toBe('offline');
  });

  it('returns statuses for a list of ids, in order', async () => {
    const [a, b] = [await server.newUser(), await server.newUser()];
    await a.client.updateStatus({ user_id: a.user.id, status: 'away' });
    const list = await statusesByIds(b.client, [a.user.id, b.user.id]);
    expect(list.map((s) => [s.user_id, s.status])).toEqual([
      [a.user.id, 'away'],
      [b.user.id, 'offline'],
    ]);
    expect(list[0].manual).toBe(true);
  });

  it('refuses bad id lists and bad URL ids with 400', async () => {
    for (const body of [[], ['short'], 'x', { user_ids: [] }, [admin.user.id, 5]]) {
      const err = await expectClientError(() => statusesByIds(admin.client, body));
      expect(err.status_code).toBe(400);
      expect(err.server_error_id).toBe('api.context.invalid_body_param.app_error');
    }
    const bad = await expectClientError(() => admin.client.getStatus('nope'));
    expect(bad.status_code).toBe(400);
    expect(bad.server_error_id).toBe('api.context.invalid_url_param.app_error');
  });

  it('needs a session', async () => {
    const err = await expectClientError(() => server.client().getStatus(admin.user.id));
    expect(err.status_code).toBe(401);
  });
});

describe('setting a status', () => {
  it('sets dnd, away, offline as manual and online as not manual', async () => {
    const u = await server.newUser();
    for (const status of ['dnd', 'away', 'offline']) {
      const s = await u.client.updateStatus({ user_id: u.user.id, status });
      expect(s).toMatchObject({ user_id: u.user.id, status, manual: true });
      expect((await u.client.getStatus(u.user.id)).status).toBe(status);
    }
    const online = await u.client.updateStatus({ user_id: u.user.id, status: 'online' });
    expect(online).toMatchObject({ status: 'online', manual: false });
    expect(online.last_activity_at).toBeGreaterThan(Date.now() - 60_000);
  });

  it('forbids setting another user’s status, but a system admin may', async () => {
    const [a, b] = [await server.newUser(), await server.newUser()];
    const err = await expectClientError(() => a.client.updateStatus({ user_id: b.user.id, status: 'away' }));
    expect(err.status_code).toBe(403);
    expect(err.server_error_id).toBe('api.context.permissions.app_error');
    expect((await b.client.getStatus(b.user.id)).status).toBe('offline');

    const byAdmin = await admin.client.updateStatus({ user_id: b.user.id, status: 'dnd' });
    expect(byAdmin).toMatchObject({ user_id: b.user.id, status: 'dnd', manual: true });
  });

  it('refuses an unknown status, a mismatched user_id and a malformed dnd_end_time', async () => {
    const [a, b] = [await server.newUser(), await server.newUser()];
    const url = `${a.client.getUserRoute(a.user.id)}/status`;
    for (const body of [
      { user_id: a.user.id, status: 'busy' },
      { user_id: a.user.id, status: 'ooo' },
      { user_id: a.user.id },
      { user_id: b.user.id, status: 'away' },
      { status: 'away' },
      { user_id: a.user.id, status: 'dnd', dnd_end_time: 'soon' },
      { user_id: a.user.id, status: 'dnd', dnd_end_time: 1.5 },
      [],
    ]) {
      const err = await expectClientError(() => call(a.client, url, { method: 'put', body: JSON.stringify(body) }));
      expect(err.status_code, JSON.stringify(body)).toBe(400);
      expect(err.server_error_id).toBe('api.context.invalid_body_param.app_error');
    }
  });
});

describe('status_change events and automatic presence', () => {
  it('goes online when a socket connects and offline when the last one closes', async () => {
    const u = await server.newUser();
    const first = await server.socket(u.client);
    await first.waitFor('status_change', statusOf(u.user.id, 'online'));
    const s = await waitForStatus(u.client, u.user.id, 'online');
    expect(s.manual).toBe(false);

    // a second socket changes nothing; closing one of two keeps the user online
    const second = await server.socket(u.client);
    first.close();
    await sleep(300);
    expect((await u.client.getStatus(u.user.id)).status).toBe('online');

    second.close();
    const off = await waitForStatus(admin.client, u.user.id, 'offline');
    expect(off.manual).toBe(false);
  });

  it('does not let automatic presence override a status set by hand', async () => {
    const u = await server.newUser();
    await u.client.updateStatus({ user_id: u.user.id, status: 'dnd' });
    const socket = await server.socket(u.client);
    await socket.expectNone('status_change', statusOf(u.user.id, 'online'), 300);
    expect((await u.client.getStatus(u.user.id)).status).toBe('dnd');
    socket.close();
    await sleep(300);
    expect((await u.client.getStatus(u.user.id)).status).toBe('dnd');

    // a manual "offline" also survives a connection
    await u.client.updateStatus({ user_id: u.user.id, status: 'offline' });
    const again = await server.socket(u.client);
    await sleep(300);
    expect((await u.client.getStatus(u.user.id)).status).toBe('offline');
    again.close();
  });

  it('sends status_change only to the user whose status changed', async () => {
    const [a, b] = [await server.newUser(), await server.newUser()];
    const aSocket = await server.socket(a.client);
    const bSocket = await server.socket(b.client);
    try {
      await aSocket.waitFor('status_change', statusOf(a.user.id, 'online'));
      await a.client.updateStatus({ user_id: a.user.id, status: 'away' });
      const ev = await aSocket.waitFor('status_change', statusOf(a.user.id, 'away'));
      expect(ev.data).toEqual({ status: 'away', user_id: a.user.id });
      expect(ev.broadcast.user_id).toBe(a.user.id);
      await bSocket.expectNone('status_change', statusOf(a.user.id));
    } finally {
      aSocket.close();
      bSocket.close();
    }
  });

  it('ends a timed dnd at dnd_end_time (seconds) and returns to the previous status', async () => {
    const u = await server.newUser();
    const socket = await server.socket(u.client);
    try {
      await waitForStatus(u.client, u.user.id, 'online');
      const end = Math.floor(Date.now() / 1000) + 2;
      const set = await u.client.updateStatus({ user_id: u.user.id, status: 'dnd', dnd_end_time: end });
      expect(set).toMatchObject({ status: 'dnd', manual: true, dnd_end_time: end });
      const fresh = after(socket);
      await sleep(500);
      expect((await u.client.getStatus(u.user.id)).status).toBe('dnd');

      const back = await socket.waitFor('status_change', (e) => fresh(e) && e.data.status === 'online', 6000);
      expect(back.data.user_id).toBe(u.user.id);
      expect(Date.now() / 1000).toBeGreaterThanOrEqual(end);
      const s = await u.client.getStatus(u.user.id);
      expect(s).toMatchObject({ status: 'online', manual: false, dnd_end_time: 0 });
    } finally {
      socket.close();
    }
  });

  it('a dnd without an end time does not expire', async () => {
    const u = await server.newUser();
    await u.client.updateStatus({ user_id: u.user.id, status: 'dnd' });
    await sleep(1200);
    expect(await u.client.getStatus(u.user.id)).toMatchObject({ status: 'dnd', dnd_end_time: 0 });
  });
});

/** Sends a WebSocket action and resolves with its reply frame. */
function action(socket: TestSocket, send: (ws: any, reply: (msg: any) => void) => void): Promise<any> {
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('no reply')), 5000);
    send(socket.ws, (msg) => {
      clearTimeout(timer);
      ok(msg);
    });
  });
}

describe('WebSocket status actions', () => {
  it('get_statuses_by_ids maps ids to statuses, offline for unknown users', async () => {
    const [a, b] = [await server.newUser(), await server.newUser()];
    await b.client.updateStatus({ user_id: b.user.id, status: 'dnd' });
    const socket = await server.socket(a.client);
    try {
      await waitForStatus(a.client, a.user.id, 'online');
      const unknown = 'c'.repeat(26);
      const reply = await action(socket, (ws, r) => ws.getStatusesByIds([a.user.id, b.user.id, unknown], r));
      expect(reply.status).toBe('OK');
      expect(reply.data).toEqual({ [a.user.id]: 'online', [b.user.id]: 'dnd', [unknown]: 'offline' });

      const bad = await action(socket, (ws, r) => ws.getStatusesByIds([], r));
      expect(bad.status).toBe('FAIL');
    } finally {
      socket.close();
    }
  });

  it('get_statuses lists users who are not offline', async () => {
    const [a, b] = [await server.newUser(), await server.newUser()];
    const socket = await server.socket(a.client);
    try {
      await waitForStatus(a.client, a.user.id, 'online');
      const reply = await action(socket, (ws, r) => ws.getStatuses(r));
      expect(reply.status).toBe('OK');
      expect(reply.data[a.user.id]).toBe('online');
      expect(reply.data[b.user.id]).toBeUndefined();
    } finally {
      socket.close();
    }
  });

  it('user_update_active_status: idle by hand → away, automatic activity does not undo it, manual activity does', async () => {
    const u = await server.newUser();
    const socket = await server.socket(u.client);
    try {
      await waitForStatus(u.client, u.user.id, 'online');
      // automatic idleness right after activity changes nothing (UserStatusAwayTimeout not reached)
      expect((await action(socket, (ws, r) => ws.userUpdateActiveStatus(false, false, r))).status).toBe('OK');
      expect((await u.client.getStatus(u.user.id)).status).toBe('online');

      await action(socket, (ws, r) => ws.userUpdateActiveStatus(false, true, r));
      expect(await u.client.getStatus(u.user.id)).toMatchObject({ status: 'away', manual: true });
      await socket.waitFor('status_change', statusOf(u.user.id, 'away'));

      await action(socket, (ws, r) => ws.userUpdateActiveStatus(true, false, r));
      expect((await u.client.getStatus(u.user.id)).status).toBe('away');

      await action(socket, (ws, r) => ws.userUpdateActiveStatus(true, true, r));
      expect(await u.client.getStatus(u.user.id)).toMatchObject({ status: 'online', manual: false });
    } finally {
      socket.close();
    }
  });
});

describe('typing', () => {
  let alice: NewUser;
  let bob: NewUser;
  let carol: NewUser;
  let team: Team;
  let channelId: string;

  let newRoom = 0;

  /**
   * A fresh channel with alice and bob. Notices are throttled per user and channel, so each test
   * types in rooms of its own.
   */
  async function room(): Promise<string> {
    const channel = await admin.client.createChannel({ team_id: team.id, name: `typing-${newRoom++}`, display_name: 'Typing room', type: 'O' });
    await admin.client.addToChannel(alice.user.id, channel.id);
    await admin.client.addToChannel(bob.user.id, channel.id);
    return channel.id;
  }

  beforeAll(async () => {
    alice = await server.newUser();
    bob = await server.newUser();
    carol = await server.newUser();
    team = await admin.client.createTeam({ name: `typing${Date.now()}`, display_name: 'Typing', type: 'O' } as Team);
    for (const u of [alice, bob, carol]) await admin.client.addToTeam(team.id, u.user.id);
    channelId = await room();
  });

  it('tells the other channel members, not the typist and not non-members', async () => {
    const [aSocket, bSocket, cSocket] = [await server.socket(alice.client), await server.socket(bob.client), await server.socket(carol.client)];
    try {
      expect(await typing(alice.client, 'me', { channel_id: channelId })).toEqual({ status: 'OK' });
      const ev = await bSocket.waitFor('typing');
      expect(ev.data).toEqual({ parent_id: '', user_id: alice.user.id });
      expect(ev.broadcast.channel_id).toBe(channelId);
      expect(ev.broadcast.omit_users).toEqual({ [alice.user.id]: true });

      const root = 'b'.repeat(26);
      const threadRoom = await room();
      await typing(alice.client, alice.user.id, { channel_id: threadRoom, parent_id: root });
      await bSocket.waitFor('typing', (e) => e.data.parent_id === root && e.broadcast.channel_id === threadRoom);

      await aSocket.expectNone('typing');
      await cSocket.expectNone('typing', () => true, 100);
    } finally {
      aSocket.close();
      bSocket.close();
      cSocket.close();
    }
  });

  it('works through the user_typing socket action too', async () => {
    const channel = await room();
    const [aSocket, bSocket] = [await server.socket(alice.client), await server.socket(bob.client)];
    try {
      const reply = await action(aSocket, (ws, r) => ws.userTyping(channel, '', r));
      expect(reply.status).toBe('OK');
      expect((await bSocket.waitFor('typing')).data).toEqual({ parent_id: '', user_id: alice.user.id });
      await aSocket.expectNone('typing', () => true, 200);
    } finally {
      aSocket.close();
      bSocket.close();
    }
  });

  it('lets a system admin announce typing for a member', async () => {
    const channel = await room();
    const bSocket = await server.socket(bob.client);
    try {
      await typing(admin.client, alice.user.id, { channel_id: channel });
      const ev = await bSocket.waitFor('typing');
      expect(ev.data.user_id).toBe(alice.user.id);
    } finally {
      bSocket.close();
    }
  });

  it('announces one notice per user and place (a channel, or a thread of it) within half of TimeBetweenUserTypingUpdatesMilliseconds, REST and socket alike', async () => {
    const [first, second] = [await room(), await room()];
    const [aSocket, bSocket] = [await server.socket(alice.client), await server.socket(bob.client)];
    try {
      const inRoom = (channel: string) => (e: WsEventMessage) => e.broadcast.channel_id === channel;
      expect(await typing(alice.client, 'me', { channel_id: first })).toEqual({ status: 'OK' });
      // A reply typed right after is news to whoever has the thread open: announced too.
      expect(await typing(alice.client, 'me', { channel_id: first, parent_id: 'c'.repeat(26) })).toEqual({ status: 'OK' });
      // Accepted, and announced to nobody: bob already shows alice typing in the channel.
      expect((await action(aSocket, (ws, r) => ws.userTyping(first, '', r))).status).toBe('OK');
      // Another channel is announced; events reach bob in publish order, so a dropped one would be here by now.
      await typing(alice.client, 'me', { channel_id: second });
      await bSocket.waitFor('typing', inRoom(second));
      expect(bSocket.count('typing', inRoom(first))).toBe(2);
    } finally {
      aSocket.close();
      bSocket.close();
    }
  });

  it('turns a burst of 1,000 user_typing frames from one socket into at most two typing events, and bounds the socket’s actions', async () => {
    const channel = await room();
    const bSocket = await server.socket(bob.client);
    const flood = new WebSocket(server.wsUrl, { headers: { Authorization: `Bearer ${alice.client.getToken()}` } });
    const replies: Array<{ status: string; seq_reply: number; error?: { id: string } }> = [];
    flood.on('message', (d) => {
      const frame = JSON.parse(d.toString());
      if (frame.seq_reply !== undefined) replies.push(frame);
    });
    try {
      await new Promise<void>((ok, fail) => {
        flood.once('open', () => ok());
        flood.once('error', fail);
      });
      const frames = Array.from({ length: 1000 }, (_, i) =>
        JSON.stringify({ seq: i + 1, action: 'user_typing', data: { channel_id: channel, parent_id: '' } }),
      );
      for (const frame of frames) flood.send(frame);
      await until(() => replies.some((r) => r.seq_reply === 1000), 20_000, 'the reply to the last frame');
      expect(replies).toHaveLength(1000);

      // Every frame got its reply: the first hundred ran, most of the rest were refused unrun.
      const ok = replies.filter((r) => r.status === 'OK').length;
      const limited = replies.filter((r) => r.error?.id === 'api.web_socket_router.rate_limited.app_error').length;
      expect(ok).toBeGreaterThanOrEqual(100);
      expect(limited).toBeGreaterThan(0);
      expect(ok + limited).toBe(1000);

      // A post from alice after the burst: once bob has it, he has every typing event of the burst.
      const marker = await alice.client.createPost({ channel_id: channel, message: 'done typing' } as any);
      await bSocket.waitFor('posted', (e) => JSON.parse(e.data.post).id === marker.id);
      const events = bSocket.count('typing', (e) => e.broadcast.channel_id === channel);
      expect(events).toBeGreaterThanOrEqual(1);
      expect(events).toBeLessThanOrEqual(2);

      // The socket is not closed: once its budget refills it answers again.
      let seq = 1000;
      await eventually(async () => {
        const mark = ++seq;
        flood.send(JSON.stringify({ seq: mark, action: 'ping' }));
        const reply = await until(() => replies.find((r) => r.seq_reply === mark), 5000, 'the ping reply');
        expect(reply.status).toBe('OK');
      }, 5000);
    } finally {
      flood.close();
      bSocket.close();
    }
  });

  it('refuses typing without create_post, for someone else, or without a channel id', async () => {
    const notMember = await expectClientError(() => typing(carol.client, 'me', { channel_id: channelId }));
    expect(notMember.status_code).toBe(403);
    expect(notMember.server_error_id).toBe('api.context.permissions.app_error');

    const asOther = await expectClientError(() => typing(alice.client, bob.user.id, { channel_id: channelId }));
    expect(asOther.status_code).toBe(403);

    // an admin cannot make a non-member type either: the typist needs create_post
    const adminForCarol = await expectClientError(() => typing(admin.client, carol.user.id, { channel_id: channelId }));
    expect(adminForCarol.status_code).toBe(403);

    for (const body of [{}, { channel_id: 'short' }, { channel_id: channelId, parent_id: 7 }, []]) {
      const err = await expectClientError(() => typing(alice.client, 'me', body));
      expect(err.status_code).toBe(400);
      expect(err.server_error_id).toBe('api.context.invalid_body_param.app_error');
    }
  });
});
