/**
 * Mobile push notifications against a real server whose EmailSettings.PushNotificationServer is a
 * recording push proxy started here (libs/testing startPushRecorder): device registration on a
 * session, acks (relayed, and answered with the full message for id-loaded pushes), `clear` to
 * the user's other devices when a channel or thread is read, `update_badge` when a post is marked
 * unread, REMOVE taking a device off its session, signatures the apps can verify with the client
 * config's key, the ping's test push, and a proxy that hangs without slowing anyone down.
 */
import { createPublicKey, verify } from 'node:crypto';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, eventually, NewUser, PushRecorder, RecordedPush, startPushRecorder, startServer, TestServer } from '#testing';

let server: TestServer;
let proxy: PushRecorder;
let admin: NewUser;
let alice: NewUser;
let bob: NewUser;
let carol: NewUser;
let team: Team;
let pub: Channel;
let priv: Channel;

interface Answer {
  status: number;
  body: any;
}

/** A request to /api/v4 with a bearer token. */
async function api(token: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${server.url}/api/v4${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A second session of `u` (as a phone signs in), with `deviceId` registered on it. */
async function phoneOf(u: NewUser, deviceId: string): Promise<string> {
  const c = clientFor(server.url);
  await c.login(u.user.username, u.password);
  const res = await api(c.getToken(), 'PUT', '/users/sessions/device', { device_id: deviceId });
  expect(res).toEqual({ status: 200, body: { status: 'OK' } });
  return c.getToken();
}

const pushesTo = (token: string, type?: string) => proxy.sends.filter((p) => p.device_id === token && (!type || p.type === type));

beforeAll(async () => {
  proxy = await startPushRecorder();
  server = await startServer({ MM_EMAILSETTINGS_PUSHNOTIFICATIONSERVER: proxy.url });
  admin = await server.newUser();
  [alice, bob, carol] = [await server.newUser(), await server.newUser(), await server.newUser()];
  team = await admin.client.createTeam({ name: `push${Date.now()}`, display_name: 'Push', type: 'O' } as Team);
  for (const u of [alice, bob, carol]) await admin.client.addToTeam(team.id, u.user.id);
  pub = await alice.client.createChannel({ team_id: team.id, name: `pub${Date.now()}`, display_name: 'Public Place', type: 'O' } as Channel);
  priv = await alice.client.createChannel({ team_id: team.id, name: `priv${Date.now()}`, display_name: 'Hideout', type: 'P' } as Channel);
  await alice.client.addToChannel(bob.user.id, pub.id);
}, 60_000);

afterAll(async () => {
  proxy?.releaseHung();
  await server?.stop();
  await proxy?.stop();
});

describe('PUT /users/sessions/device', () => {
  it('registers the device on the caller’s session, which then lasts as long as a mobile session', async () => {
    const token = await phoneOf(carol, 'apple_rn-v2:carolphone');
    const c = clientFor(server.url);
    c.setToken(token);
    const sessions = await c.getSessions(carol.user.id);
    const mine = sessions.find((s) => s.device_id === 'apple_rn-v2:carolphone');
    expect(mine).toBeDefined();
    // SessionLengthMobileInHours: 720 by default.
    expect(mine!.expires_at).toBeGreaterThan(Date.now() + 700 * 3_600_000);
  });

  it('one device, one session: registering it again elsewhere ends the session that had it', async () => {
    const first = await phoneOf(carol, 'android_rn:shared');
    const second = await phoneOf(carol, 'android_rn:shared');
    expect((await api(first, 'GET', '/users/me')).status).toBe(401);
    expect((await api(second, 'GET', '/users/me')).status).toBe(200);
  });

  it.each([
    ['an unknown platform', { device_id: 'windows:abc' }],
    ['no token', { device_id: 'apple:' }],
    ['no device id', {}],
    ['a number', { device_id: 7 }],
  ])('refuses %s with 400', async (_name, body) => {
    const res = await api(carol.client.getToken(), 'PUT', '/users/sessions/device', body);
    expect(res.status).toBe(400);
    expect(res.body.id).toBe('api.context.invalid_body_param.app_error');
  });

  it('needs a session', async () => {
    const res = await fetch(`${server.url}/api/v4/users/sessions/device`, { method: 'PUT', body: JSON.stringify({ device_id: 'apple:x' }) });
    expect(res.status).toBe(401);
  });
});

describe('POST /notifications/ack', () => {
  let pubPost: Post;
  let privPost: Post;
  beforeAll(async () => {
    pubPost = await alice.client.createPost({ channel_id: pub.id, message: 'the **plan** for @bob' } as Post);
    privPost = await alice.client.createPost({ channel_id: priv.id, message: 'hidden' } as Post);
  });

  it('answers OK to a plain ack and relays it to the push proxy', async () => {
    const ack = { id: 'ackplain', platform: 'android', type: 'message', post_id: pubPost.id, received_at: Date.now(), is_id_loaded: false };
    expect(await api(bob.client.getToken(), 'POST', '/notifications/ack', ack)).toEqual({ status: 200, body: { status: 'OK' } });
    expect(await proxy.waitForAck((a) => a.id === 'ackplain', 'the relayed ack')).toEqual(ack);
  });

  it('answers an id-loaded ack with the post’s full message, for a reader of its channel', async () => {
    const res = await api(bob.client.getToken(), 'POST', '/notifications/ack', {
      id: 'ackloaded',
      platform: 'ios',
      type: 'message',
      post_id: pubPost.id,
      received_at: Date.now(),
      is_id_loaded: true,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      type: 'message',
      version: 'v2',
      category: 'CAN_REPLY',
      post_id: pubPost.id,
      channel_id: pub.id,
      team_id: team.id,
      sender_id: alice.user.id,
      sender_name: alice.user.username,
      channel_name: 'Public Place',
      message: `${alice.user.username}: the plan for @bob`,
      is_id_loaded: false,
    });
    await proxy.waitForAck((a) => a.id === 'ackloaded', 'the relayed id-loaded ack');
  });

  it('refuses the message of a post the caller may not read (403) or that does not exist (404)', async () => {
    const ack = (post_id: string) => ({ id: 'x', platform: 'ios', type: 'message', post_id, received_at: 1, is_id_loaded: true });
    const hidden = await api(carol.client.getToken(), 'POST', '/notifications/ack', ack(privPost.id));
    expect(hidden.status).toBe(403);
    expect(hidden.body.id).toBe('api.context.permissions.app_error');
    const missing = await api(carol.client.getToken(), 'POST', '/notifications/ack', ack('abcdefghijklmnopqrstuvwxyz'));
    expect(missing.status).toBe(404);
  });

  it('refuses a body that is not an ack with 400', async () => {
    for (const body of ['[]', '"ack"', JSON.stringify({ id: 5 }), JSON.stringify({ is_id_loaded: 'yes' })]) {
      const res = await api(bob.client.getToken(), 'POST', '/notifications/ack', body);
      expect(res.status, body).toBe(400);
      expect(res.body.id, body).toBe('api.push_notifications_ack.message.parse.app_error');
    }
  });

  it('answers 501 while push notifications are off', async () => {
    await admin.client.patchConfig({ EmailSettings: { SendPushNotifications: false } } as never);
    try {
      const res = await api(bob.client.getToken(), 'POST', '/notifications/ack', { id: 'off', type: 'message' });
      expect(res.status).toBe(501);
      expect(res.body.id).toBe('api.push_notification.disabled.app_error');
    } finally {
      await admin.client.patchConfig({ EmailSettings: { SendPushNotifications: true } } as never);
    }
  });
});

describe('clear and update_badge', () => {
  it('reading a DM on the web clears it on the phone with the new badge; reading it again sends nothing', async () => {
    const phone = 'bobphone1';
    await phoneOf(bob, `apple_rn:${phone}`);
    const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
    await alice.client.createPost({ channel_id: dm.id, message: 'are you there?' } as Post);
    await bob.client.viewMyChannel(dm.id);
    const clear = await proxy.waitForSend((p) => p.device_id === phone && p.type === 'clear' && p.channel_id === dm.id, 'the DM cleared');
    expect(clear).toMatchObject({ platform: 'apple_rn', version: 'v2', cont_ava: 1 });
    // Nothing else is unread: the badge is 0, which Go's encoding leaves out.
    expect(clear.badge).toBeUndefined();
    await bob.client.viewMyChannel(dm.id);
    // Messages that do not mention bob (push at `mention`, the default) clear nothing either.
    const quiet = await alice.client.createChannel({ team_id: team.id, name: `quiet${Date.now()}`, display_name: 'Quiet', type: 'O' } as Channel);
    await alice.client.addToChannel(bob.user.id, quiet.id);
    await alice.client.createPost({ channel_id: quiet.id, message: 'no mention here' } as Post);
    await bob.client.viewMyChannel(quiet.id);
    await alice.client.createPost({ channel_id: dm.id, message: 'again' } as Post);
    await bob.client.viewMyChannel(dm.id);
    await eventually(() => expect(pushesTo(phone, 'clear').map((p) => p.channel_id)).toEqual([dm.id, dm.id]), 10_000);
  });

  it('the session that read the channel is not told (Mattermost skips the current session)', async () => {
    const phone = 'bobphone2';
    const phoneToken = await phoneOf(bob, `android_rn:${phone}`);
    const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
    await alice.client.createPost({ channel_id: dm.id, message: 'read me on the phone' } as Post);
    expect((await api(phoneToken, 'POST', '/channels/members/me/view', { channel_id: dm.id })).status).toBe(200);
    // The web session reads another DM: its clear reaches the phone, and is the only one it gets.
    const other = await carol.client.createDirectChannel([carol.user.id, bob.user.id]);
    await carol.client.createPost({ channel_id: other.id, message: 'hi bob' } as Post);
    await bob.client.viewMyChannel(other.id);
    await proxy.waitForSend((p) => p.device_id === phone && p.type === 'clear' && p.channel_id === other.id, 'the other DM cleared');
    expect(pushesTo(phone, 'clear').map((p) => p.channel_id)).toEqual([other.id]);
  });

  it('marking a post unread updates the badge on every device', async () => {
    const phone = 'bobphone3';
    await phoneOf(bob, `apple_rn:${phone}`);
    // Nothing else unread (the ack tests' post mentions bob in the public channel).
    await bob.client.viewMyChannel(pub.id);
    const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
    const first = await alice.client.createPost({ channel_id: dm.id, message: 'one' } as Post);
    await alice.client.createPost({ channel_id: dm.id, message: 'two' } as Post);
    await bob.client.viewMyChannel(dm.id);
    await bob.client.markPostAsUnread(bob.user.id, first.id);
    const update = await proxy.waitForSend((p) => p.device_id === phone && p.type === 'update_badge', 'the badge update');
    expect(update).toMatchObject({ badge: 2, sound: 'none', cont_ava: 1 });
  });

  it('reading a thread to its end clears it (with its root id) on the phone', async () => {
    const phone = 'bobphone4';
    await phoneOf(bob, `apple_rn:${phone}`);
    const root = await bob.client.createPost({ channel_id: pub.id, message: 'a thread' } as Post);
    await alice.client.createPost({ channel_id: pub.id, root_id: root.id, message: `@${bob.user.username} replied` } as Post);
    await bob.client.updateThreadReadForUser(bob.user.id, team.id, root.id, Date.now());
    const clear = await proxy.waitForSend((p) => p.device_id === phone && p.type === 'clear' && p.root_id === root.id, 'the thread cleared');
    expect(clear).toMatchObject({ channel_id: pub.id, is_crt_enabled: true });
  });

  it('every push is signed for the device with the key the client config announces, and names the server by its DiagnosticId', async () => {
    const config = await (await fetch(`${server.url}/api/v4/config/client?format=old`)).json();
    expect(config.AsymmetricSigningPublicKey).toMatch(/^[A-Za-z0-9+/=]{80,}$/);
    const key = createPublicKey({ key: Buffer.from(config.AsymmetricSigningPublicKey, 'base64'), format: 'der', type: 'spki' });
    const signed = proxy.sends.filter((p) => p.type === 'clear' || p.type === 'update_badge');
    expect(signed.length).toBeGreaterThan(0);
    for (const p of signed) {
      expect(p.server_id).toBe(config.DiagnosticId);
      const [header, claims, signature] = String(p.signature).split('.');
      expect(verify('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(true);
      expect(JSON.parse(Buffer.from(claims, 'base64url').toString())).toEqual({ ack_id: p.ack_id, device_id: p.device_id });
    }
  });

  it('REMOVE from the proxy takes the device off its session', async () => {
    const phone = 'bobgone';
    const token = await phoneOf(bob, `apple_rn:${phone}`);
    proxy.reply((p: RecordedPush) => (p.device_id === phone ? { status: 'REMOVE' } : { status: 'OK' }));
    try {
      const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
      await alice.client.createPost({ channel_id: dm.id, message: 'anyone?' } as Post);
      await bob.client.viewMyChannel(dm.id);
      await proxy.waitForSend((p) => p.device_id === phone, 'the push the proxy removes');
      const phoneClient = clientFor(server.url);
      phoneClient.setToken(token);
      await eventually(async () => {
        const sessions = await phoneClient.getSessions(bob.user.id);
        expect(sessions.some((s) => s.device_id === `apple_rn:${phone}`)).toBe(false);
      }, 10_000);
      // The session itself goes on.
      expect((await phoneClient.getMe()).id).toBe(bob.user.id);
    } finally {
      proxy.reply(() => ({ status: 'OK' }));
    }
  });
});

describe('the test push (GET /system/ping?device_id=)', () => {
  it('says whether the device can receive pushes', async () => {
    const ping = await (await fetch(`${server.url}/api/v4/system/ping?device_id=apple_rn:pingdevice`)).json();
    expect(ping).toMatchObject({ status: 'OK', CanReceiveNotifications: 'true' });
    expect(pushesTo('pingdevice')[0]).toMatchObject({ type: 'test', version: '2', badge: -1, platform: 'apple_rn' });
  });
});

describe('a push proxy that hangs', () => {
  it('slows neither posting nor reading, and the pushes go out once it answers again', async () => {
    const phone = 'bobhang';
    await phoneOf(bob, `android_rn:${phone}`);
    proxy.reply(() => 'hang');
    const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
    // Each round makes a clear that waits on the proxy; the requests below must not wait with it.
    for (let i = 0; i < 40; i++) {
      await alice.client.createPost({ channel_id: dm.id, message: `ping ${i}` } as Post);
      await bob.client.viewMyChannel(dm.id);
    }
    await proxy.waitForSend((p) => p.device_id === phone, 'a push held by the hung proxy');
    const posts = await Promise.all(Array.from({ length: 20 }, (_, i) => alice.client.createPost({ channel_id: pub.id, message: `still fine ${i}` } as Post)));
    expect(posts).toHaveLength(20);
    proxy.reply(() => ({ status: 'OK' }));
    proxy.releaseHung();
    await eventually(() => expect(pushesTo(phone, 'clear').length).toBeGreaterThanOrEqual(40), 20_000);
  });
});
