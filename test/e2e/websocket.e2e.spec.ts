import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { NewUser, sleep, startServer, TestServer } from '#testing';

let server: TestServer;
let admin: NewUser;
let alice: NewUser;

beforeAll(async () => {
  server = await startServer();
  admin = await server.newUser();
  alice = await server.newUser();
});
afterAll(() => server?.stop());

/** A raw socket that records every frame, for protocol details the client library hides. */
async function rawSocket(headers: Record<string, string> = {}, query = '') {
  const frames: any[] = [];
  const ws = new WebSocket(server.wsUrl + query, { headers });
  ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('error', fail);
  });
  const next = async (pred: (f: any) => boolean, ms = 3000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const f = frames.find(pred);
      if (f) return f;
      await sleep(20);
    }
    throw new Error(`no matching frame; got ${JSON.stringify(frames)}`);
  };
  return { ws, frames, closed, next };
}

describe('handshake', () => {
  it('authenticates on upgrade with the Authorization header and says hello with seq 0', async () => {
    const s = await rawSocket({ Authorization: `Bearer ${alice.client.getToken()}` });
    const hello = await s.next((f) => f.event === 'hello');
    expect(hello.seq).toBe(0);
    expect(hello.data.connection_id).toMatch(/^[a-z0-9]{26}$/);
    expect(hello.data.server_version).toMatch(/^\d+\.\d+\.\d+\.\d+\.[0-9a-f]+\.false$/);
    expect(hello.broadcast).toEqual({ omit_users: null, user_id: alice.user.id, channel_id: '', team_id: '', connection_id: '', omit_connection_id: '' });
    s.ws.close();
  });

  it('authenticates with authentication_challenge, replying before the hello', async () => {
    const s = await rawSocket();
    s.ws.send(JSON.stringify({ seq: 1, action: 'authentication_challenge', data: { token: alice.client.getToken() } }));
    await s.next((f) => f.event === 'hello');
    expect(s.frames[0]).toEqual({ status: 'OK', seq_reply: 1 });
    expect(s.frames[1].event).toBe('hello');
    s.ws.close();
  });

  it('closes a socket that sends a bad token', async () => {
    const s = await rawSocket();
    s.ws.send(JSON.stringify({ seq: 1, action: 'authentication_challenge', data: { token: 'x'.repeat(26) } }));
    expect(await s.closed).toBe(1008);
  });

  it('closes a socket that never authenticates within 5 s', async () => {
    const s = await rawSocket();
    const started = Date.now();
    await s.closed;
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThan(4000);
    expect(waited).toBeLessThan(7000);
  }, 10_000);

  it('refuses connection_id without sequence_number', async () => {
    const s = await rawSocket({ Authorization: `Bearer ${alice.client.getToken()}` }, '?connection_id=abcdefghijklmnopqrstuvwxyz');
    expect(await s.closed).toBe(1008);
  });

  it('answers ping and unknown actions, and refuses frames without a positive seq', async () => {
    const s = await rawSocket({ Authorization: `Bearer ${alice.client.getToken()}` });
    await s.next((f) => f.event === 'hello');
    s.ws.send(JSON.stringify({ seq: 1, action: 'ping' }));
    const pong = await s.next((f) => f.seq_reply === 1);
    expect(pong.status).toBe('OK');
    expect(pong.data.text).toBe('pong');
    expect(pong.seq).toBeUndefined();
    s.ws.send(JSON.stringify({ seq: 2, action: 'no_such_action' }));
    expect((await s.next((f) => f.seq_reply === 2)).status).toBe('FAIL');
    s.ws.send('{not json');
    expect((await s.next((f) => f.status === 'FAIL' && f.seq_reply === 0)).error.id).toBe('api.web_socket_router.bad_seq.app_error');
    s.ws.close();
  });

  it('answers each action in order, with its data or its error in Mattermost’s reply shape', async () => {
    const s = await rawSocket({ Authorization: `Bearer ${alice.client.getToken()}` });
    await s.next((f) => f.event === 'hello');
    const unknownChannel = 'ybndrfg8ejkmcpqxot1uwisza3';
    const actions = [
      { action: 'no_such_action' },
      { action: 'user_typing', data: { channel_id: 'short' } },
      { action: 'user_typing', data: { channel_id: unknownChannel } },
      { action: 'user_update_active_status', data: { user_is_active: true } },
      { action: 'get_statuses_by_ids', data: { user_ids: [alice.user.id] } },
    ];
    actions.forEach((a, i) => s.ws.send(JSON.stringify({ seq: i + 1, ...a })));
    await s.next((f) => f.seq_reply === actions.length);
    const replies = s.frames.filter((f) => f.seq_reply !== undefined);
    expect(replies).toEqual([
      { status: 'FAIL', seq_reply: 1, error: { id: 'api.web_socket_router.bad_action.app_error', message: 'Unknown action no_such_action.' } },
      { status: 'FAIL', seq_reply: 2, error: { id: 'api.websocket_handler.invalid_param.app_error', message: 'Invalid channel_id parameter.' } },
      // An AppError from the service (not a member of that channel) keeps its id and message.
      { status: 'FAIL', seq_reply: 3, error: { id: 'api.context.permissions.app_error', message: 'You do not have the appropriate permissions.' } },
      { status: 'OK', seq_reply: 4 },
      { status: 'OK', seq_reply: 5, data: { [alice.user.id]: 'online' } },
    ]);
    expect(s.frames.filter((f) => f.event === 'exception')).toEqual([]);
    s.ws.close();
  });

  it('refuses actions before authentication, then serves them on the same socket', async () => {
    const s = await rawSocket();
    s.ws.send(JSON.stringify({ seq: 1, action: 'ping' }));
    expect(await s.next((f) => f.seq_reply === 1)).toEqual({
      status: 'FAIL',
      seq_reply: 1,
      error: { id: 'api.web_socket_router.not_authenticated.app_error', message: 'Not authenticated.' },
    });
    s.ws.send(JSON.stringify({ seq: 2, action: 'authentication_challenge', data: { token: alice.client.getToken() } }));
    s.ws.send(JSON.stringify({ seq: 3, action: 'ping' }));
    expect((await s.next((f) => f.seq_reply === 3)).data.text).toBe('pong');
    s.ws.close();
  });
});

describe('events', () => {
  it('numbers events per connection and sends user events only to that user', async () => {
    const mine = await server.socket(alice.client);
    const other = await server.socket(admin.client);
    await alice.client.patchMe({ nickname: 'seq-test' });
    const ev = await mine.waitFor('user_updated', (e) => e.data.user.nickname === 'seq-test');
    expect(ev.seq).toBeGreaterThan(0);
    const seqs = mine.events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    // The admin sees the public profile (no private fields), alice her own record.
    const adminView = await other.waitFor('user_updated', (e) => e.data.user.id === alice.user.id);
    expect(adminView.data.user.notify_props).toEqual({});
    expect(ev.data.user.notify_props.desktop).toBe('mention');
    mine.close();
    other.close();
  });

  it('broadcasts new_user to everyone', async () => {
    const s = await server.socket(alice.client);
    const bob = await server.newUser();
    const ev = await s.waitFor('new_user', (e) => e.data.user_id === bob.user.id);
    expect(ev.broadcast.user_id).toBe('');
    s.close();
  });

  it('closes sockets of a revoked session', async () => {
    const u = await server.newUser();
    const s = await server.socket(u.client);
    const conn = (s.ws as any).conn as WebSocket;
    const closed = new Promise((r) => conn.addEventListener('close', r));
    await u.client.logout();
    await closed;
    s.close();
  });
});

describe('reliable reconnect', () => {
  it('replays the events missed while disconnected, on the same connection id', async () => {
    const s = await server.socket(alice.client, { minRetryMs: 500 });
    const firstId = (s.ws as any).connectionId;
    // Drop the TCP connection under the client; it reconnects with connection_id + sequence_number.
    ((s.ws as any).conn as WebSocket).close();
    for (let i = 0; i < 5; i++) await alice.client.patchMe({ nickname: `gap-${i}` });
    await s.waitFor('user_updated', (e) => e.data.user.nickname === 'gap-4', 5000);
    const gap = s.events.filter((e) => e.event === 'user_updated' && String(e.data.user.nickname).startsWith('gap-')).map((e) => e.data.user.nickname);
    expect(gap).toEqual(['gap-0', 'gap-1', 'gap-2', 'gap-3', 'gap-4']);
    expect(s.count('hello')).toBe(1);
    expect((s.ws as any).connectionId).toBe(firstId);
    expect(s.missedResyncs).toBe(0);
    const seqs = s.events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    s.close();
  });

  it('answers actions on a resumed connection, on its new socket', async () => {
    const auth = { Authorization: `Bearer ${alice.client.getToken()}` };
    const first = await rawSocket(auth);
    const hello = await first.next((f) => f.event === 'hello');
    first.ws.send(JSON.stringify({ seq: 1, action: 'ping' }));
    await first.next((f) => f.seq_reply === 1);
    first.ws.close();
    await first.closed;
    const again = await rawSocket(auth, `?connection_id=${hello.data.connection_id}&sequence_number=1`);
    again.ws.send(JSON.stringify({ seq: 1, action: 'ping' }));
    expect((await again.next((f) => f.seq_reply === 1)).data.text).toBe('pong');
    expect(again.frames.filter((f) => f.event === 'hello')).toEqual([]);
    again.ws.close();
  });

  it('gives a new connection id and hello when the connection cannot be resumed', async () => {
    const s = await server.socket(alice.client, { minRetryMs: 300 });
    (s.ws as any).connectionId = 'abcdefghijklmnopqrstuvwxyz'; // unknown to the server
    ((s.ws as any).conn as WebSocket).close();
    await s.waitFor('hello', (e) => e.data.connection_id !== 'abcdefghijklmnopqrstuvwxyz' && s.count('hello') === 2, 5000);
    expect(s.missedResyncs).toBe(1);
    s.close();
  });
});
