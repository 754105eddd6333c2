/**
 * What the apps ask about users at start-up and during the day: known users, group message
 * profiles, the user count, channel timezones, a user's channel memberships in a team, custom
 * statuses with their recent list, and the `presence` / `posted_notify_ack` socket actions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { UserCustomStatus, UserProfile } from '@mattermost/types/users';
import { WebSocket } from 'ws';
import { expectClientError, NewUser, sleep, startServer, TestServer } from '#testing';
import { PERMISSION, signUpCast, teamWithChannels, type Cast, type TeamWithChannels } from './fixtures.js';

let server: TestServer;
let cast: Cast;
let world: TeamWithChannels;
let gm: Channel;

beforeAll(async () => {
  server = await startServer();
  cast = await signUpCast(server);
  world = await teamWithChannels(cast, {
    team: { name: 'extra', display_name: 'Extra' },
    pub: { name: 'extra-pub', display_name: 'Extra Pub' },
    priv: { name: 'extra-priv', display_name: 'Extra Priv' },
  });
  gm = await cast.alice.client.createGroupChannel([cast.alice.user.id, cast.bob.user.id, cast.dave.user.id]);
}, 60_000);
afterAll(() => server?.stop());

const call = <T>(c: Client4, url: string, options: { method: string; body?: string }): Promise<T> => (c as any).doFetch(url, options);
const recentOf = async (u: NewUser): Promise<UserCustomStatus[]> => {
  const prefs = (await u.client.getMyPreferences()) as unknown as Array<{ category: string; name: string; value: string }>;
  const pref = prefs.find((p) => p.category === 'custom_status' && p.name === 'recent_custom_statuses');
  return JSON.parse(pref?.value ?? 'null');
};
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe('GET /users/known', () => {
  it('lists who shares a channel with the caller, DMs and group messages included', async () => {
    const { alice, bob, dave, carol } = cast;
    expect((await alice.client.getKnownUsers()).sort()).toEqual([bob.user.id, dave.user.id].sort());
    // dave is only in the group message (and the team's default channels, with alice and bob).
    expect((await dave.client.getKnownUsers()).sort()).toEqual([alice.user.id, bob.user.id].sort());
    expect(await carol.client.getKnownUsers()).toEqual([]);
  });

  it('needs a session', async () => {
    expect((await expectClientError(() => server.client().getKnownUsers())).status_code).toBe(401);
  });
});

describe('POST /users/group_channels', () => {
  it("maps each group message to its other members' sanitized profiles", async () => {
    const { alice, bob, dave } = cast;
    const answer = (await alice.client.getProfilesInGroupChannels([gm.id])) as unknown as Record<string, UserProfile[]>;
    expect(Object.keys(answer)).toEqual([gm.id]);
    expect(answer[gm.id].map((u) => u.id).sort()).toEqual([bob.user.id, dave.user.id].sort());
    expect(answer[gm.id][0]).not.toHaveProperty('password');
    expect(answer[gm.id][0].notify_props).toEqual({});
  });

  it('answers nothing for a channel that is not a group message', async () => {
    expect(await cast.alice.client.getProfilesInGroupChannels([world.priv.id])).toEqual({});
  });

  it('refuses a group message the caller is not in, bad bodies, and anonymous callers', async () => {
    const denied = await expectClientError(() => cast.carol.client.getProfilesInGroupChannels([gm.id]));
    expect([denied.status_code, denied.server_error_id]).toEqual([403, PERMISSION]);
    const empty = await expectClientError(() => cast.alice.client.getProfilesInGroupChannels([]));
    expect([empty.status_code, empty.server_error_id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
    const notList = await expectClientError(() =>
      call(cast.alice.client, `${cast.alice.client.getUsersRoute()}/group_channels`, { method: 'post', body: '{"a":1}' }),
    );
    expect([notList.status_code, notList.server_error_id]).toEqual([400, 'api.payload.parse.error']);
    expect((await expectClientError(() => server.client().getProfilesInGroupChannels([gm.id]))).status_code).toBe(401);
  });
});

describe('GET /users/stats', () => {
  it('counts the active accounts, and no longer counts a deactivated one', async () => {
    const { admin, alice } = cast;
    const before = await alice.client.getTotalUsersStats();
    expect(before).toEqual({ total_users_count: expect.any(Number) });
    const extra = await server.newUser();
    expect((await alice.client.getTotalUsersStats()).total_users_count).toBe(before.total_users_count + 1);
    await admin.client.updateUserActive(extra.user.id, false);
    expect((await alice.client.getTotalUsersStats()).total_users_count).toBe(before.total_users_count);
  });

  it('needs a session', async () => {
    expect((await expectClientError(() => server.client().getTotalUsersStats())).status_code).toBe(401);
  });
});

describe('GET /channels/{id}/timezones', () => {
  it("lists the members' preferred timezones once each, to members", async () => {
    const { alice, bob, dave } = cast;
    await alice.client.patchMe({ timezone: { useAutomaticTimezone: 'true', automaticTimezone: 'Europe/Berlin', manualTimezone: '' } } as any);
    await bob.client.patchMe({ timezone: { useAutomaticTimezone: 'false', automaticTimezone: 'Europe/Berlin', manualTimezone: 'Asia/Kolkata' } } as any);
    expect(((await alice.client.getChannelTimezones(world.priv.id)) as string[]).sort()).toEqual(['Asia/Kolkata', 'Europe/Berlin']);
    const denied = await expectClientError(() => dave.client.getChannelTimezones(world.priv.id));
    expect([denied.status_code, denied.server_error_id]).toEqual([403, PERMISSION]);
    const bad = await expectClientError(() => alice.client.getChannelTimezones('nope'));
    expect(bad.status_code).toBe(400);
  });
});

describe('GET /users/{id}/teams/{team_id}/channels/members', () => {
  it("gives one's own memberships in the team's channels, and not another's", async () => {
    const { alice, bob } = cast;
    const mine = await bob.client.getMyChannelMembers(world.team.id);
    const ids = mine.map((m) => m.channel_id);
    expect(ids).toEqual(expect.arrayContaining([world.pub.id, world.priv.id]));
    expect(mine.every((m) => m.user_id === bob.user.id)).toBe(true);
    const err = await expectClientError(() =>
      call(alice.client, `${alice.client.getUserRoute(bob.user.id)}/teams/${world.team.id}/channels/members`, { method: 'get' }),
    );
    expect([err.status_code, err.server_error_id]).toEqual([403, PERMISSION]);
  });
});

describe('custom status', () => {
  it('sets a status into the profile props, announces user_updated and remembers it', async () => {
    const { alice, bob } = cast;
    const bobSocket = await server.socket(bob.client);
    const expiresAt = inAnHour();
    await alice.client.updateCustomStatus({ emoji: 'calendar', text: 'In a meeting', duration: 'one_hour', expires_at: expiresAt } as UserCustomStatus);
    const me = await alice.client.getMe();
    const stored = JSON.parse(me.props.customStatus);
    expect(stored).toMatchObject({ emoji: 'calendar', text: 'In a meeting', duration: 'one_hour' });
    expect(Date.parse(stored.expires_at)).toBe(Date.parse(expiresAt));
    const event = await bobSocket.waitFor('user_updated', (e) => e.data.user?.id === alice.user.id);
    expect(JSON.parse(event.data.user.props.customStatus).text).toBe('In a meeting');
    expect(await recentOf(alice)).toEqual([stored]);
    bobSocket.close();
  });

  it('clears it to an empty prop', async () => {
    const { alice } = cast;
    await alice.client.updateCustomStatus({ emoji: 'coffee', text: 'Break' } as UserCustomStatus);
    await alice.client.unsetCustomStatus();
    expect((await alice.client.getMe()).props.customStatus).toBe('');
  });

  it('keeps five recent statuses and removes one exactly as listed', async () => {
    const { bob } = cast;
    for (const text of ['one', 'two', 'three', 'four', 'five', 'six']) await bob.client.updateCustomStatus({ emoji: 'smile', text } as UserCustomStatus);
    const recent = await recentOf(bob);
    expect(recent.map((s) => s.text)).toEqual(['six', 'five', 'four', 'three', 'two']);
    await bob.client.removeRecentCustomStatus(recent[2]);
    expect((await recentOf(bob)).map((s) => s.text)).toEqual(['six', 'five', 'three', 'two']);
    const gone = await expectClientError(() => bob.client.removeRecentCustomStatus(recent[2]));
    expect([gone.status_code, gone.server_error_id]).toEqual([400, 'api.custom_status.recent_custom_statuses.delete.app_error']);
    // The DELETE twin of the route does the same.
    await call(bob.client, `${bob.client.getUserRoute('me')}/status/custom/recent`, { method: 'delete', body: JSON.stringify(recent[4]) });
    expect((await recentOf(bob)).map((s) => s.text)).toEqual(['six', 'five', 'three']);
  });

  it('refuses an empty status, an unknown duration, a past expiry and a bad time with 400', async () => {
    const { alice } = cast;
    const bodies = [
      {},
      { text: 'x', duration: 'forever', expires_at: inAnHour() },
      { text: 'x', duration: 'one_hour', expires_at: '2001-01-01T00:00:00Z' },
      { text: 'x', expires_at: 'soon' },
    ];
    for (const body of bodies) {
      const err = await expectClientError(() => alice.client.updateCustomStatus(body as UserCustomStatus));
      expect([err.status_code, err.server_error_id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
    }
  });

  it("refuses another user's status to a non-admin and lets the system admin set it", async () => {
    const { admin, alice, bob } = cast;
    const route = `${alice.client.getUserRoute(bob.user.id)}/status/custom`;
    const err = await expectClientError(() => call(alice.client, route, { method: 'put', body: JSON.stringify({ text: 'hijack' }) }));
    expect([err.status_code, err.server_error_id]).toEqual([403, PERMISSION]);
    await call(admin.client, `${admin.client.getUserRoute(bob.user.id)}/status/custom`, { method: 'put', body: JSON.stringify({ text: 'by admin' }) });
    expect(JSON.parse((await bob.client.getMe()).props.customStatus).text).toBe('by admin');
  });

  it('answers 501 while EnableCustomUserStatuses is off, and the client config says so', async () => {
    const { admin, alice } = cast;
    await admin.client.patchConfig({ TeamSettings: { EnableCustomUserStatuses: false } } as any);
    try {
      expect((await alice.client.getClientConfig()).EnableCustomUserStatuses).toBe('false');
      for (const attempt of [
        () => alice.client.updateCustomStatus({ text: 'x' } as UserCustomStatus),
        () => alice.client.unsetCustomStatus(),
        () => alice.client.removeRecentCustomStatus({ text: 'x' } as UserCustomStatus),
      ]) {
        const err = await expectClientError(attempt);
        expect([err.status_code, err.server_error_id]).toEqual([501, 'api.custom_status.disabled']);
      }
    } finally {
      await admin.client.patchConfig({ TeamSettings: { EnableCustomUserStatuses: true } } as any);
    }
  });
});

describe('client config switches for the socket actions', () => {
  it('tells signed-in apps to report presence and track notifications', async () => {
    const config = await cast.alice.client.getClientConfig();
    expect(config.FeatureFlagWebSocketEventScope).toBe('true');
    expect((config as Record<string, string>).FeatureFlagNotificationMonitoring).toBe('true');
    const anonymous = await server.client().getClientConfig();
    expect(anonymous.FeatureFlagWebSocketEventScope).toBeUndefined();
  });
});

/** A raw socket authenticated with the Authorization header, recording every frame. */
async function rawSocket(user: NewUser, query = '') {
  const frames: any[] = [];
  const ws = new WebSocket(server.wsUrl + query, { headers: { Authorization: `Bearer ${user.client.getToken()}` } });
  ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('error', fail);
  });
  const reply = async (seq: number) => {
    const end = Date.now() + 3000;
    while (Date.now() < end) {
      const f = frames.find((x) => x.seq_reply === seq);
      if (f) return f;
      await sleep(20);
    }
    throw new Error(`no reply to ${seq}; got ${JSON.stringify(frames)}`);
  };
  while (!frames.some((f) => f.event === 'hello')) await sleep(20);
  return { ws, reply };
}

describe('socket actions presence and posted_notify_ack', () => {
  it('answers the client library’s presence calls with OK', async () => {
    const socket = await server.socket(cast.alice.client);
    const answer = (send: (cb: (msg: any) => void) => void) => new Promise<any>((ok) => send(ok));
    expect(await answer((cb) => socket.ws.updateActiveChannel(world.pub.id, cb))).toMatchObject({ status: 'OK' });
    expect(await answer((cb) => socket.ws.updateActiveTeam(world.team.id, cb))).toMatchObject({ status: 'OK' });
    expect(await answer((cb) => socket.ws.updateActiveThread(true, world.pub.id, cb))).toMatchObject({ status: 'OK' });
    expect(await answer((cb) => socket.ws.updateActiveThread(false, '', cb))).toMatchObject({ status: 'OK' });
    socket.close();
  });

  it('keeps typing in a channel from a socket whose presence says it looks elsewhere (WebSocketEventScope)', async () => {
    const { alice, bob } = cast;
    const [scoped, silent] = [await server.socket(alice.client), await server.socket(alice.client)];
    const told = (send: (cb: () => void) => void) => new Promise<void>((ok) => send(ok));
    await told((cb) => scoped.ws.updateActiveChannel(world.priv.id, cb));
    await told((cb) => scoped.ws.updateActiveThread(false, world.dm.id, cb));
    await told((cb) => scoped.ws.updateActiveThread(true, world.dm.id, cb));
    await call(bob.client, `${bob.client.getUserRoute(bob.user.id)}/typing`, { method: 'post', body: JSON.stringify({ channel_id: world.pub.id }) });
    await silent.waitFor('typing', (e) => e.broadcast.channel_id === world.pub.id);
    await scoped.expectNone('typing', (e) => e.broadcast.channel_id === world.pub.id);
    // Looking at the channel again, the socket gets its typing.
    await told((cb) => scoped.ws.updateActiveChannel(world.pub.id, cb));
    await sleep(2600); // typing notices are throttled to one per user and channel every 2.5 s
    await call(bob.client, `${bob.client.getUserRoute(bob.user.id)}/typing`, { method: 'post', body: JSON.stringify({ channel_id: world.pub.id }) });
    await scoped.waitFor('typing', (e) => e.broadcast.channel_id === world.pub.id);
    scoped.close();
    silent.close();
  });

  it('takes \'\' for a thread as "no thread open", not as "never said" (Mattermost\'s UnsetPresenceIndicator)', async () => {
    const { alice, bob } = cast;
    const [noThread, channelOnly] = [await server.socket(bob.client), await server.socket(bob.client)];
    const told = (send: (cb: () => void) => void) => new Promise<void>((ok) => send(ok));
    // As Mattermost's load test after its first reload, then on a channel switch.
    await told((cb) => noThread.ws.updateActiveThread(true, '', cb));
    await told((cb) => noThread.ws.updateActiveThread(false, '', cb));
    await told((cb) => noThread.ws.updateActiveChannel(world.pub.id, cb));
    // Its threads never said: one of the private channel's may be open.
    await told((cb) => channelOnly.ws.updateActiveChannel(world.pub.id, cb));
    await call(alice.client, `${alice.client.getUserRoute(alice.user.id)}/typing`, { method: 'post', body: JSON.stringify({ channel_id: world.priv.id }) });
    await channelOnly.waitFor('typing', (e) => e.broadcast.channel_id === world.priv.id);
    await noThread.expectNone('typing', (e) => e.broadcast.channel_id === world.priv.id);
    noThread.close();
    channelOnly.close();
  });

  it('refuses a presence value that is no id', async () => {
    const s = await rawSocket(cast.alice);
    s.ws.send(JSON.stringify({ seq: 1, action: 'presence', data: { channel_id: 'not-a-channel' } }));
    expect(await s.reply(1)).toEqual({
      status: 'FAIL',
      seq_reply: 1,
      error: { id: 'api.websocket_handler.invalid_param.app_error', message: 'Invalid channel_id parameter.' },
    });
    s.ws.close();
  });

  it('acknowledges posted_notify_ack with OK and refuses malformed ones', async () => {
    const s = await rawSocket(cast.bob, '?posted_ack=true');
    const ack = { post_id: 'ybndrfg8ejkmcpqxot1uwisza3', user_agent: 'e2e', status: 'not_sent', reason: 'too_many_users_in_channel', data: {} };
    s.ws.send(JSON.stringify({ seq: 1, action: 'posted_notify_ack', data: ack }));
    expect(await s.reply(1)).toEqual({ status: 'OK', seq_reply: 1 });
    s.ws.send(JSON.stringify({ seq: 2, action: 'posted_notify_ack', data: { ...ack, status: 7 } }));
    expect((await s.reply(2)).error).toEqual({ id: 'api.websocket_handler.invalid_param.app_error', message: 'Invalid status parameter.' });
    s.ws.close();
  });
});
