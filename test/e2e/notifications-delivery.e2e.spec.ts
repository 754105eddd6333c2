/**
 * Notifications end to end, with real peers all the way: a post → the server's notification rules
 * → the push area → our push proxy (apps/push-proxy, its own process) → local APNs (HTTP/2, ES256
 * provider tokens) and FCM (OAuth service account) stand-ins that check what they get as Apple and
 * Google do; and → the email area → a real SMTP server (smtp-server), read with mailparser.
 * Covered: DMs and mentions by push and email, push-all members, muted channels and DND, full,
 * generic and id-loaded contents (the app's ack answers with the full message), the badge and
 * `clear` when the channel is read, a device the provider has dropped taken off its session, and
 * a dead SMTP server that neither slows posting nor loses the mail.
 */
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApnsServer,
  apnsDeviceToken,
  clientFor,
  eventually,
  FcmServer,
  fcmRegistrationToken,
  NewUser,
  PushProxyProcess,
  SmtpHarness,
  sleep,
  startApnsServer,
  startFcmServer,
  startPushProxy,
  startServer,
  startSmtpServer,
  TestServer,
} from '#testing';

let apns: ApnsServer;
let fcm: FcmServer;
let proxy: PushProxyProcess;
let smtp: SmtpHarness;
let server: TestServer;
let admin: NewUser, alice: NewUser, bob: NewUser, carol: NewUser;
let team: Team, pub: Channel;
/** bob's iPhone and carol's Android phone: their provider tokens and their sessions' tokens. */
const bobPhone = { device: apnsDeviceToken(), session: '' };
const carolPhone = { device: fcmRegistrationToken(), session: '' };

async function api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/api/v4${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Signs `u` in as their phone would and registers the device on that session. */
async function phone(u: NewUser, deviceId: string): Promise<string> {
  const c = clientFor(server.url);
  await c.login(u.user.username, u.password);
  expect((await api(c.getToken(), 'PUT', '/users/sessions/device', { device_id: deviceId })).status).toBe(200);
  return c.getToken();
}

async function patchConfig(patch: Record<string, Record<string, unknown>>): Promise<void> {
  const config = (await admin.client.getConfig()) as unknown as Record<string, Record<string, unknown>>;
  for (const [section, values] of Object.entries(patch)) config[section] = { ...config[section], ...values };
  await admin.client.updateConfig(config as never);
}

/** bob's pushes of a type at APNs, and carol's at FCM (data values are strings there). */
const bobPushes = (type = 'message') => apns.acceptedFor(bobPhone.device).filter((d) => d.payload.type === type);
const carolPushes = (type = 'message') => fcm.acceptedFor(carolPhone.device).filter((d) => d.message.data?.type === type);

/** Waits for the dust of a post to settle: no push or mail may still be on its way. */
const settle = () => sleep(700);

beforeAll(async () => {
  [apns, fcm, smtp] = await Promise.all([startApnsServer(), startFcmServer(), startSmtpServer()]);
  proxy = await startPushProxy({ apns, fcm });
  server = await startServer({ ...smtp.env, MM_EMAILSETTINGS_PUSHNOTIFICATIONSERVER: proxy.url });
  admin = await server.newUser();
  [alice, bob, carol] = [await server.newUser(), await server.newUser(), await server.newUser()];
  team = await admin.client.createTeam({ name: `notify${Date.now()}`, display_name: 'Notify Team', type: 'O' } as Team);
  for (const u of [alice, bob, carol]) await admin.client.addToTeam(team.id, u.user.id);
  pub = await alice.client.createChannel({ team_id: team.id, name: `town${Date.now()}`, display_name: 'Town Hall', type: 'O' } as Channel);
  for (const u of [bob, carol]) await alice.client.addToChannel(u.user.id, pub.id);
  bobPhone.session = await phone(bob, `apple_rn-v2:${bobPhone.device}`);
  carolPhone.session = await phone(carol, `android_rn:${carolPhone.device}`);
}, 90_000);

afterAll(async () => {
  await server?.stop();
  await proxy?.stop();
  await Promise.all([apns?.stop(), fcm?.stop(), smtp?.close()]);
});

describe('a direct message', () => {
  it('reaches the phone through the proxy and APNs, with the text, the channel and the badge, and is mailed', async () => {
    const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
    const post = await alice.client.createPost({ channel_id: dm.id, message: 'lunch at **noon**?' } as Post);
    await eventually(() => expect(bobPushes()).toHaveLength(1), 10_000);
    const [push] = bobPushes();
    // apple_rn: the React Native app's topic in the proxy's default Apple settings.
    expect(push.topic).toBe('com.mattermost.react.native');
    expect(push.payload).toMatchObject({
      aps: { alert: { title: `@${alice.user.username}`, body: 'lunch at noon?' }, badge: 1, category: 'CAN_REPLY', 'mutable-content': 1 },
      type: 'message',
      post_id: post.id,
      channel_id: dm.id,
      sender_id: alice.user.id,
      version: 'v2',
    });
    expect(push.payload.ack_id).toMatch(/^[a-z0-9]{26}$/);

    const mail = await smtp.nextMail(bob.user.email);
    expect(mail.subject).toMatch(new RegExp(`^\\[Mattermost\\] New Direct Message from @${alice.user.username} on `));
    expect(mail.text).toContain('lunch at **noon**?');
    expect(mail.html).toContain(`/pl/${post.id}`);
    await settle();
    expect(bobPushes()).toHaveLength(1);
    expect(smtp.mailsTo(bob.user.email)).toHaveLength(1);
  });

  it('reading it on the computer clears it on the phone, with the new badge', async () => {
    const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
    await bob.client.viewMyChannel(dm.id);
    await eventually(() => expect(bobPushes('clear').map((d) => d.payload.channel_id)).toContain(dm.id), 10_000);
    const clear = bobPushes('clear').find((d) => d.payload.channel_id === dm.id)!;
    // Nothing left unread: v2 apps get 1 for a clear without a count, as Mattermost's proxy sends.
    expect(clear.payload.aps).toMatchObject({ 'content-available': 1, badge: 1 });
  });
});

describe('mentions in a channel', () => {
  it('an @mention reaches an Android phone through FCM and the mailbox; the others hear nothing', async () => {
    const before = { bob: bobPushes().length, bobMail: smtp.mailsTo(bob.user.email).length };
    const post = await alice.client.createPost({ channel_id: pub.id, message: `@${carol.user.username} the deck is ready` } as Post);
    await eventually(() => expect(carolPushes().map((d) => d.message.data?.post_id)).toContain(post.id), 10_000);
    const push = carolPushes().find((d) => d.message.data?.post_id === post.id)!;
    expect(push.message.android).toMatchObject({ priority: 'high' });
    expect(push.message.data).toMatchObject({
      type: 'message',
      channel_id: pub.id,
      channel_name: 'Town Hall',
      team_id: team.id,
      sender_name: `@${alice.user.username}`,
      message: `@${alice.user.username}: @${carol.user.username} the deck is ready`,
    });
    const mail = await smtp.nextMail(carol.user.email);
    expect(mail.subject).toMatch(/^\[Mattermost\] Notification in Notify Team on /);
    await settle();
    expect({ bob: bobPushes().length, bobMail: smtp.mailsTo(bob.user.email).length }).toEqual(before);
  });

  it('push `all` brings every message to the phone, but not the mailbox', async () => {
    await bob.client.patchMe({ notify_props: { ...bob.user.notify_props, push: 'all' } } as never);
    try {
      const mails = smtp.mailsTo(bob.user.email).length;
      const post = await alice.client.createPost({ channel_id: pub.id, message: 'general news' } as Post);
      await eventually(() => expect(bobPushes().map((d) => d.payload.post_id)).toContain(post.id), 10_000);
      expect(bobPushes().find((d) => d.payload.post_id === post.id)!.payload.aps).toMatchObject({ alert: { body: `@${alice.user.username}: general news` } });
      await settle();
      expect(smtp.mailsTo(bob.user.email)).toHaveLength(mails);
    } finally {
      await bob.client.patchMe({ notify_props: { ...bob.user.notify_props, push: 'mention' } } as never);
    }
  });

  it('a muted channel and do-not-disturb stop pushes and mails', async () => {
    const before = { push: carolPushes().length, mail: smtp.mailsTo(carol.user.email).length };
    await carol.client.updateChannelNotifyProps({ channel_id: pub.id, user_id: carol.user.id, mark_unread: 'mention' } as never);
    await alice.client.createPost({ channel_id: pub.id, message: `@${carol.user.username} muted?` } as Post);
    await carol.client.updateChannelNotifyProps({ channel_id: pub.id, user_id: carol.user.id, mark_unread: 'all' } as never);
    await carol.client.updateStatus({ user_id: carol.user.id, status: 'dnd', dnd_end_time: 0 } as never);
    await alice.client.createPost({ channel_id: pub.id, message: `@${carol.user.username} busy?` } as Post);
    await settle();
    expect({ push: carolPushes().length, mail: smtp.mailsTo(carol.user.email).length }).toEqual(before);
    await carol.client.updateStatus({ user_id: carol.user.id, status: 'offline', dnd_end_time: 0 } as never);
    const post = await alice.client.createPost({ channel_id: pub.id, message: `@${carol.user.username} back?` } as Post);
    await eventually(() => expect(carolPushes().map((d) => d.message.data?.post_id)).toContain(post.id), 10_000);
  });
});

describe('contents', () => {
  it('generic contents keep the text out of the push and the mail', async () => {
    await patchConfig({ EmailSettings: { PushNotificationContents: 'generic', EmailNotificationContentsType: 'generic' } });
    try {
      const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
      const post = await alice.client.createPost({ channel_id: dm.id, message: 'the secret plan' } as Post);
      await eventually(() => expect(bobPushes().map((d) => d.payload.post_id)).toContain(post.id), 10_000);
      const push = bobPushes().find((d) => d.payload.post_id === post.id)!;
      expect(JSON.stringify(push.payload)).not.toContain('secret');
      expect(push.payload.aps).toMatchObject({ alert: { body: 'sent you a message.' } });
      const mail = await smtp.nextMail(bob.user.email);
      expect(mail.text + mail.html).not.toContain('secret');
    } finally {
      await patchConfig({ EmailSettings: { PushNotificationContents: 'full', EmailNotificationContentsType: 'full' } });
    }
  });

  it('id-loaded pushes carry ids only; the app gets the message in the answer to its ack', async () => {
    await patchConfig({ EmailSettings: { PushNotificationContents: 'id_loaded' } });
    try {
      const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
      const post = await alice.client.createPost({ channel_id: dm.id, message: 'only the app may read this' } as Post);
      await eventually(() => expect(bobPushes().map((d) => d.payload.post_id)).toContain(post.id), 10_000);
      const push = bobPushes().find((d) => d.payload.post_id === post.id)!;
      expect(push.payload).toMatchObject({ id_loaded: true, aps: { alert: { body: "You've received a new message." } } });
      expect(JSON.stringify(push.payload)).not.toContain('only the app');
      const ack = await api(bobPhone.session, 'POST', '/notifications/ack', {
        id: push.payload.ack_id,
        platform: 'ios',
        server_id: push.payload.server_id,
        type: 'message',
        post_id: post.id,
        received_at: Date.now(),
        is_id_loaded: true,
      });
      expect(ack.status).toBe(200);
      expect(ack.body).toMatchObject({ post_id: post.id, channel_id: dm.id, message: 'only the app may read this', type: 'message' });
      // The proxy was told of the ack (its metrics count it).
      await eventually(async () => expect(await proxy.metrics()).toMatch(/ack/), 5_000);
    } finally {
      await patchConfig({ EmailSettings: { PushNotificationContents: 'full' } });
    }
  });
});

describe('failures', () => {
  it('a device the provider no longer knows is taken off its session', async () => {
    const dropped = fcmRegistrationToken();
    const token = await phone(alice, `android_rn:${dropped}`);
    fcm.unregister(dropped);
    const dm = await bob.client.createDirectChannel([bob.user.id, alice.user.id]);
    await bob.client.createPost({ channel_id: dm.id, message: 'are you there?' } as Post);
    const c = clientFor(server.url);
    c.setToken(token);
    await eventually(async () => {
      const sessions = await c.getSessions(alice.user.id);
      expect(sessions.some((s) => s.device_id === `android_rn:${dropped}`)).toBe(false);
    }, 10_000);
  });

  it('a dead SMTP server neither slows posting nor loses the mail: it goes out when the server is back', async () => {
    await smtp.stop();
    const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
    const started = Date.now();
    const post = await alice.client.createPost({ channel_id: dm.id, message: 'sent while mail was down' } as Post);
    expect(post.id).toBeTruthy();
    // The post's answer does not wait for SMTP (its connection timeout is 10 s).
    expect(Date.now() - started).toBeLessThan(5_000);
    await eventually(() => expect(bobPushes().map((d) => d.payload.post_id)).toContain(post.id), 10_000);
    await smtp.start();
    await eventually(() => expect(smtp.mailsTo(bob.user.email).filter((m) => m.text.includes('sent while mail was down'))).toHaveLength(1), 30_000);
  });
});
