/**
 * The push area against a throwaway database on the machine's PostgreSQL and a recording push
 * proxy (libs/testing startPushRecorder): the badge query, a post's push to every device of the
 * recipient (signed, one ack id each), REMOVE taking the device off its session, `clear` and
 * `update_badge` from reads, the queue's bound with a proxy that hangs, device registration and
 * the expiry_notify push.
 */
import { createPublicKey, verify } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '#common';
import { Config, ConfigService, defaultConfig } from '#config';
import type { Database } from '#db';
import { RecordingMailDriver } from '#mail';
import { Hub, LocalInvalidationBus } from '#realtime';
import { PushRecorder, RecordedPush, startPushRecorder, ThrowawayDatabase, until } from '#testing';
import type { PermissionsService } from '../auth/permissions.service.js';
import { SessionsRepository } from '../auth/sessions.repository.js';
import { SessionsService } from '../auth/sessions.service.js';
import { newChannelRow, type ChannelRow } from '../channels/channel.model.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import { sessionFor, type Session } from '../common/session.js';
import { ExpiryNotifyJob } from '../jobs/handlers/expiry-notify.job.js';
import type { JobContext } from '../jobs/job-handler.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { ReadStateListeners } from '../membership/read-state-listeners.js';
import type { PostNotification } from '../notifications/post-notification.js';
import type { PostView } from '../posts/post.model.js';
import { PreferencesRepository } from '../preferences/preferences.repository.js';
import { memoryServerIdentity } from '../system/server-identity.js';
import { testUserRow } from '../users/user.fixtures.js';
import type { UserRow } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { CollapsedThreads } from '../threads/collapsed-threads.js';
import { PushMetrics } from './push-metrics.js';
import { PushNotificationsService } from './push-notifications.service.js';
import { PushProxyClient } from './push-proxy-client.js';
import { PushSender } from './push-sender.js';

let pg: ThrowawayDatabase;
let db: Database;
let proxy: PushRecorder;
let cfg: Config;
const identity = memoryServerIdentity('serveridserveridserverid00');

let sessionsRepo: SessionsRepository;
let members: ChannelMembersRepository;
let channels: ChannelsRepository;
let users: UsersRepository;
let invalidations: Array<[string, string]>;
let sessions: SessionsService;
let metrics: PushMetrics;
let readState: ReadStateListeners;
let push: PushNotificationsService;
let client: PushProxyClient;

beforeAll(async () => {
  pg = await ThrowawayDatabase.create({ maxConnections: 8 });
  db = pg.db;
  proxy = await startPushRecorder();
  sessionsRepo = new SessionsRepository(db);
  members = new ChannelMembersRepository(db);
  channels = new ChannelsRepository(db);
  users = new UsersRepository(db);
});

afterAll(async () => {
  await proxy?.stop();
  await pg?.drop();
});

beforeEach(async () => {
  cfg = structuredClone(defaultConfig);
  cfg.EmailSettings.PushNotificationServer = proxy.url;
  cfg.EmailSettings.PushNotificationContents = 'full';
  const config = { get: () => cfg } as unknown as ConfigService;
  const bus = new LocalInvalidationBus();
  invalidations = [];
  for (const kind of ['session', 'user', 'user_sessions'] as const) bus.on(kind, (key) => invalidations.push([kind, key]));
  const hub = { closeSessions: () => undefined, refreshSessions: async () => undefined } as unknown as Hub;
  sessions = new SessionsService(sessionsRepo, config, bus, hub, {} as PermissionsService);
  metrics = new PushMetrics();
  readState = new ReadStateListeners();
  client = new PushProxyClient(1_000);
  const sender = new PushSender(config, sessionsRepo, sessions, identity, metrics, client);
  push = new PushNotificationsService(config, sender, members, new CollapsedThreads(new PreferencesRepository(db), config), metrics, readState, client);
  push.onModuleInit();
  proxy.reply(() => ({ status: 'OK' }));
  proxy.sends.length = 0;
  proxy.acks.length = 0;
});

afterEach(async () => {
  await push.onApplicationShutdown();
});

// ---- fixtures ---------------------------------------------------------------------------------

async function user(name: string, over: Partial<UserRow> = {}): Promise<UserRow> {
  const row = testUserRow(`${name}${newId().slice(0, 6)}`, over);
  await users.insert(row);
  return row;
}

async function channel(type: 'O' | 'D' | 'G', over: Partial<ChannelRow> = {}): Promise<ChannelRow> {
  const row = { ...newChannelRow({ team_id: type === 'O' ? newId() : '', type, name: `c${newId()}`, display_name: 'Town Square' }), ...over };
  await channels.insert(row);
  return row;
}

/** Makes `u` a member of `c`, then sets the channel's and the member's counters. */
async function member(
  c: ChannelRow,
  u: UserRow,
  counts: { total?: number; read?: number; mentions?: number; totalRoot?: number; readRoot?: number; mentionsRoot?: number; push?: string } = {},
): Promise<void> {
  await members.insert({
    channel_id: c.id,
    user_id: u.id,
    roles: '',
    last_viewed_at: 0,
    msg_count: 0,
    mention_count: 0,
    mention_count_root: 0,
    urgent_mention_count: 0,
    msg_count_root: 0,
    notify_props: { push: counts.push ?? 'default', mark_unread: 'all' },
    last_update_at: 0,
    scheme_guest: false,
    scheme_user: true,
    scheme_admin: false,
  });
  await db.query('UPDATE channels SET total_msg_count = $2, total_msg_count_root = $3 WHERE id = $1', [c.id, counts.total ?? 0, counts.totalRoot ?? 0]);
  await db.query(
    'UPDATE channel_members SET msg_count = $3, mention_count = $4, msg_count_root = $5, mention_count_root = $6 WHERE channel_id = $1 AND user_id = $2',
    [c.id, u.id, counts.read ?? 0, counts.mentions ?? 0, counts.readRoot ?? 0, counts.mentionsRoot ?? 0],
  );
}

async function thread(c: ChannelRow, u: UserRow, unreadMentions: number, opts: { following?: boolean; deleted?: boolean } = {}): Promise<string> {
  const postId = newId();
  await db.query(`INSERT INTO threads (post_id, channel_id, reply_count, last_reply_at, participants, thread_delete_at) VALUES ($1, $2, 1, 1, '[]', $3)`, [
    postId,
    c.id,
    opts.deleted ? 1 : 0,
  ]);
  await db.query('INSERT INTO thread_memberships (post_id, user_id, following, last_viewed, last_updated, unread_mentions) VALUES ($1, $2, $3, 0, 0, $4)', [
    postId,
    u.id,
    opts.following ?? true,
    unreadMentions,
  ]);
  return postId;
}

/** A session of `u`, with a device id or none; expired when asked. */
async function session(u: UserRow, deviceId = '', opts: { expired?: boolean } = {}): Promise<Session> {
  const s: Session = {
    ...sessionFor(u),
    id: newId(),
    token: newId(),
    create_at: Date.now() - 1000,
    last_activity_at: Date.now(),
    expires_at: opts.expired ? Date.now() - 60_000 : Date.now() + 3_600_000,
    device_id: deviceId,
  };
  await sessionsRepo.insert(s);
  return s;
}

function notification(recipient: UserRow, sender: UserRow, c: ChannelRow, message = 'hello'): PostNotification {
  const post = { id: newId(), user_id: sender.id, channel_id: c.id, root_id: '', message, props: {}, file_ids: [] } as unknown as PostView;
  return {
    post,
    channel: c,
    team: null,
    sender,
    senderName: sender.username,
    recipient,
    reason: 'mention',
    explicitMention: true,
    channelWideMention: false,
    replyToThreadType: '',
    collapsedThreads: false,
    channelName: c.display_name,
  };
}

/** Checks a push's ES256 signature with the server's public key, and returns its claims. */
function verifiedClaims(push: RecordedPush): { ack_id: string; device_id: string } {
  const [header, claims, signature] = String(push.signature).split('.');
  const key = createPublicKey({ key: Buffer.from(identity.signingPublicKey, 'base64'), format: 'der', type: 'spki' });
  const ok = verify('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  expect(ok, 'the signature verifies with AsymmetricSigningPublicKey').toBe(true);
  expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'ES256', typ: 'JWT' });
  return JSON.parse(Buffer.from(claims, 'base64url').toString());
}

// ---- the badge --------------------------------------------------------------------------------

describe('the badge (one query)', () => {
  it('sums mentions, a DM’s unread messages, and with collapsed threads root counts and followed live threads’ mentions', async () => {
    const alice = await user('alice');
    const open = await channel('O');
    const dm = await channel('D');
    const archived = await channel('O', { delete_at: 5 });
    await member(open, alice, { total: 10, read: 4, mentions: 2, totalRoot: 6, readRoot: 4, mentionsRoot: 1 });
    await member(dm, alice, { total: 5, read: 2, mentions: 99, totalRoot: 4, readRoot: 2 });
    await member(archived, alice, { mentions: 50, mentionsRoot: 50 });
    await thread(open, alice, 4);
    await thread(open, alice, 8, { following: false });
    await thread(open, alice, 16, { deleted: true });

    expect(await members.badgeCount(alice.id, false)).toBe(2 + 3);
    expect(await members.badgeCount(alice.id, true)).toBe(1 + 2 + 4);
    expect(await members.badgeCount((await user('nobody')).id, true)).toBe(0);
  });

  it('markViewed returns what was unread before, and zeroes it', async () => {
    const alice = await user('alice', { notify_props: { ...testUserRow('x').notify_props, push: 'all' } });
    const open = await channel('O');
    await member(open, alice, { total: 7, read: 3, mentions: 2, push: 'mention' });
    const [row] = await members.markViewed(alice.id, [open.id], Date.now());
    expect(row).toMatchObject({ channel_id: open.id, mentions_before: 2, unread_before: 4, member_push: 'mention', user_push: 'all' });
    expect(await members.badgeCount(alice.id, false)).toBe(0);
  });

  it("markViewed reads up to the channel's last post, never back, and leaves a member with nothing to mark unwritten", async () => {
    const alice = await user('alice');
    const open = await channel('O', { last_post_at: 5_000 });
    await member(open, alice, { total: 3, read: 1 });
    const state = async () =>
      (
        await db.query<{ version: string; last_viewed_at: number; msg_count: number }>(
          'SELECT xmin::text AS version, last_viewed_at, msg_count FROM channel_members WHERE channel_id = $1 AND user_id = $2',
          [open.id, alice.id],
        )
      )[0];

    expect(await members.markViewed(alice.id, [open.id], 9_000)).toEqual([
      expect.objectContaining({ channel_id: open.id, last_post_at: 5_000, mentions_before: 0, unread_before: 2 }),
    ]);
    const marked = await state();
    expect(marked).toMatchObject({ last_viewed_at: 5_000, msg_count: 3 });

    // Read already: the same answer (nothing was unread), and the row is the version written above.
    expect(await members.markViewed(alice.id, [open.id], 10_000)).toEqual([
      expect.objectContaining({ channel_id: open.id, last_post_at: 5_000, mentions_before: 0, unread_before: 0 }),
    ]);
    expect((await state()).version).toBe(marked.version);

    // Read past the last post (the member's own post marks it read at its time): kept.
    await db.query('UPDATE channel_members SET last_viewed_at = 7000 WHERE channel_id = $1 AND user_id = $2', [open.id, alice.id]);
    await db.query('UPDATE channels SET total_msg_count = 4 WHERE id = $1', [open.id]);
    await members.markViewed(alice.id, [open.id], 11_000);
    expect(await state()).toMatchObject({ last_viewed_at: 7_000, msg_count: 4 });
  });
});

// ---- a post's push ----------------------------------------------------------------------------

describe('sendPostNotifications', () => {
  it('sends one signed copy per live device session, with the badge, and nothing to web or expired sessions', async () => {
    const [alice, bob] = [await user('alice'), await user('bob')];
    const open = await channel('O');
    await member(open, alice, { total: 3, mentions: 1 });
    const phone = await session(alice, 'apple_rn:tokA');
    const tablet = await session(alice, 'android_rn-v2:tokB');
    await session(alice);
    await session(alice, 'apple:old', { expired: true });

    push.sendPostNotifications([notification(alice, bob, open, '**hi** @alice')]);
    await push.idle();

    expect(proxy.sends.map((p) => `${p.platform}:${p.device_id}`).sort()).toEqual(['android_rn-v2:tokB', 'apple_rn:tokA']);
    for (const p of proxy.sends) {
      expect(p).toMatchObject({
        type: 'message',
        version: 'v2',
        category: 'CAN_REPLY',
        server_id: identity.diagnosticId,
        channel_id: open.id,
        team_id: open.team_id,
        sender_id: bob.id,
        sender_name: bob.username,
        channel_name: 'Town Square',
        message: `${bob.username}: hi @alice`,
        badge: 1,
        is_id_loaded: false,
      });
      expect(verifiedClaims(p)).toEqual({ ack_id: p.ack_id, device_id: p.device_id });
    }
    expect(new Set(proxy.sends.map((p) => p.ack_id)).size).toBe(2);
    expect(metrics.counts()).toMatchObject({ sent: 2, failed: 0 });
    expect(phone.id).not.toBe(tablet.id);
  });

  it('with id_loaded: ids only, and the generic text', async () => {
    cfg.EmailSettings.PushNotificationContents = 'id_loaded';
    const [alice, bob] = [await user('alice'), await user('bob')];
    const open = await channel('O');
    await session(alice, 'android_rn:tok');
    const n = notification(alice, bob, open, 'the secret');
    push.sendPostNotifications([n]);
    await push.idle();
    const [p] = proxy.sends;
    expect(p).toMatchObject({ is_id_loaded: true, post_id: n.post.id, message: "You've received a new message." });
    expect(JSON.stringify(p)).not.toContain('secret');
    expect(p.channel_name).toBeUndefined();
  });

  it('REMOVE takes the device off its session (and every node forgets the cached session); the other device stays', async () => {
    const [alice, bob] = [await user('alice'), await user('bob')];
    const open = await channel('O');
    const gone = await session(alice, 'apple_rn:gone');
    const kept = await session(alice, 'apple_rn:kept');
    proxy.reply((p) => (p.device_id === 'gone' ? { status: 'REMOVE' } : { status: 'OK' }));
    push.sendPostNotifications([notification(alice, bob, open)]);
    await push.idle();
    expect((await sessionsRepo.byId(gone.id))?.device_id).toBe('');
    expect((await sessionsRepo.byId(kept.id))?.device_id).toBe('apple_rn:kept');
    expect(invalidations).toContainEqual(['user', alice.id]);
    expect(metrics.counts()).toMatchObject({ removed: 1, sent: 1 });
    // The next push reaches only the device that is left.
    proxy.sends.length = 0;
    push.sendPostNotifications([notification(alice, bob, open)]);
    await push.idle();
    expect(proxy.sends.map((p) => p.device_id)).toEqual(['kept']);
  });

  it('FAIL and a dead proxy are counted as failed, never thrown', async () => {
    const [alice, bob] = [await user('alice'), await user('bob')];
    const open = await channel('O');
    await session(alice, 'apple_rn:tok');
    proxy.reply(() => ({ status: 'FAIL', error: 'BadDeviceToken' }));
    push.sendPostNotifications([notification(alice, bob, open)]);
    await push.idle();
    cfg.EmailSettings.PushNotificationServer = 'http://127.0.0.1:9';
    push.sendPostNotifications([notification(alice, bob, open)]);
    await push.idle();
    expect(metrics.counts()).toMatchObject({ failed: 2, sent: 0 });
  });

  it('sends nothing when pushes are off or there is no push server', async () => {
    const [alice, bob] = [await user('alice'), await user('bob')];
    const open = await channel('O');
    await session(alice, 'apple_rn:tok');
    cfg.EmailSettings.SendPushNotifications = false;
    push.sendPostNotifications([notification(alice, bob, open)]);
    cfg.EmailSettings.SendPushNotifications = true;
    cfg.EmailSettings.PushNotificationServer = '';
    push.sendPostNotifications([notification(alice, bob, open)]);
    await push.idle();
    expect(proxy.sends).toEqual([]);
  });

  it('a full queue drops (counted) and never makes the caller wait, while the proxy hangs', async () => {
    cfg.EmailSettings.PushNotificationBuffer = 3;
    const [alice, bob] = [await user('alice'), await user('bob')];
    const open = await channel('O');
    await session(alice, 'apple_rn:tok');
    proxy.reply(() => 'hang');
    const total = 200;
    for (let i = 0; i < total; i++) push.sendPostNotifications([notification(alice, bob, open)]);
    // Every worker holds one job waiting on the proxy, 3 wait in the queue, the rest were dropped.
    const dropped = metrics.counts().dropped;
    expect(dropped).toBeGreaterThanOrEqual(total - 3 - 32);
    expect(dropped).toBeLessThan(total);
    await until(() => proxy.sends.length > 0, 10_000, 'the first push to reach the hung proxy');
    // The hung requests time out (1 s here) and the queue drains.
    await push.idle();
    expect(metrics.counts().failed).toBe(total - dropped);
  });
});

// ---- reads ------------------------------------------------------------------------------------

describe('reads: clear and update_badge', () => {
  async function twoDevices() {
    const alice = await user('alice');
    const phone = await session(alice, 'apple_rn:phone');
    const tablet = await session(alice, 'android_rn:tablet');
    return { alice, phone, tablet };
  }

  it('viewing a channel with mentions clears it on the other devices with the new badge; the viewing session is skipped', async () => {
    const { alice, phone } = await twoDevices();
    const open = await channel('O');
    const other = await channel('O');
    await member(open, alice, { total: 4, mentions: 2 });
    await member(other, alice, { total: 1, mentions: 1, totalRoot: 1, mentionsRoot: 1 });
    const viewed = await members.markViewed(alice.id, [open.id], Date.now());
    readState.notify({
      kind: 'channels_viewed',
      userId: alice.id,
      sessionId: phone.id,
      channels: viewed.map((r) => ({
        channelId: r.channel_id,
        mentionsBefore: r.mentions_before,
        unreadBefore: r.unread_before,
        memberPush: r.member_push,
        userPush: r.user_push,
      })),
    });
    await push.idle();
    expect(proxy.sends).toHaveLength(1);
    expect(proxy.sends[0]).toMatchObject({ type: 'clear', device_id: 'tablet', channel_id: open.id, badge: 1, version: 'v2', cont_ava: 1 });
    expect(verifiedClaims(proxy.sends[0]).device_id).toBe('tablet');
  });

  it('no clear when nothing the user is notified of was unread (push at mention, no mention; push none)', async () => {
    const { alice, phone } = await twoDevices();
    const view = (memberPush: string, mentionsBefore: number, unreadBefore: number) =>
      readState.notify({
        kind: 'channels_viewed',
        userId: alice.id,
        sessionId: phone.id,
        channels: [{ channelId: newId(), mentionsBefore, unreadBefore, memberPush, userPush: 'mention' }],
      });
    view('default', 0, 5);
    view('none', 3, 5);
    await push.idle();
    expect(proxy.sends).toEqual([]);
    view('all', 0, 5);
    await push.idle();
    expect(proxy.sends.map((p) => p.type)).toEqual(['clear']);
  });

  it('a thread read to its end is cleared (with its root id) only with collapsed threads; a thread with unread replies is not', async () => {
    const { alice, phone } = await twoDevices();
    const channelId = newId();
    const threadId = newId();
    cfg.ServiceSettings.CollapsedThreads = 'disabled';
    readState.notify({ kind: 'thread_read', userId: alice.id, sessionId: phone.id, channelId, threadId, unreadReplies: 0 });
    await push.idle();
    expect(proxy.sends).toEqual([]);
    cfg.ServiceSettings.CollapsedThreads = 'always_on';
    readState.notify({ kind: 'thread_read', userId: alice.id, sessionId: phone.id, channelId, threadId, unreadReplies: 2 });
    readState.notify({ kind: 'thread_read', userId: alice.id, sessionId: phone.id, channelId, threadId, unreadReplies: 0 });
    await push.idle();
    expect(proxy.sends).toHaveLength(1);
    expect(proxy.sends[0]).toMatchObject({ type: 'clear', channel_id: channelId, root_id: threadId, is_crt_enabled: true, device_id: 'tablet' });
  });

  it('marking a post unread sends update_badge to every device, the one that did it too', async () => {
    const { alice, phone } = await twoDevices();
    const open = await channel('O');
    await member(open, alice, { mentions: 3, mentionsRoot: 3 });
    readState.notify({ kind: 'marked_unread', userId: alice.id, sessionId: phone.id, channelId: open.id });
    await push.idle();
    expect(proxy.sends.map((p) => [p.type, p.device_id, p.badge, p.sound]).sort()).toEqual([
      ['update_badge', 'phone', 3, 'none'],
      ['update_badge', 'tablet', 3, 'none'],
    ]);
  });
});

// ---- devices and sessions ---------------------------------------------------------------------

describe('device registration and expired sessions', () => {
  it('attachDevice: the device’s other sessions of the user are revoked, the session gets the mobile length', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const older = await session(alice, 'apple_rn:same');
    const bobs = await session(bob, 'apple_rn:same');
    const current = await session(alice);
    await sessions.attachDevice(current, 'apple_rn:same');
    expect(await sessionsRepo.byId(older.id)).toBeUndefined();
    expect(await sessionsRepo.byId(bobs.id)).toBeDefined();
    const after = await sessionsRepo.byId(current.id);
    expect(after?.device_id).toBe('apple_rn:same');
    const mobileMs = cfg.ServiceSettings.SessionLengthMobileInHours * 3_600_000;
    expect(after!.expires_at).toBeGreaterThan(Date.now() + mobileMs - 60_000);
    expect(invalidations).toEqual([
      ['session', `${alice.id}:${older.id}`],
      ['user', alice.id],
    ]);
  });

  it('expiry_notify pushes "Session Expired" once to each mobile session that expired in the last hour (unsigned), and mails as before', async () => {
    const alice = await user('alice');
    const expired = await session(alice, 'android_rn:tok', { expired: true });
    await session(alice, 'apple_rn:live');
    const mail = new RecordingMailDriver();
    const job = new ExpiryNotifyJob(sessionsRepo, { get: () => cfg } as unknown as ConfigService, mail, push);
    const data: Record<string, string> = {};
    const ctx = { signal: new AbortController().signal, setData: (v: Record<string, string>) => Object.assign(data, v) } as unknown as JobContext;
    await job.run(ctx);
    const mine = proxy.sends.filter((p) => p.device_id === 'tok');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ type: 'session', version: 'v2', platform: 'android_rn', server_id: identity.diagnosticId, signature: '' });
    expect(mine[0].message).toContain('Session Expired: Please log in to continue receiving notifications.');
    expect(mail.recorded.some((m) => m.to === alice.email)).toBe(true);
    expect((await sessionsRepo.byId(expired.id))?.expired_notify).toBe(true);
    // Once per session.
    await job.run(ctx);
    expect(proxy.sends.filter((p) => p.device_id === 'tok')).toHaveLength(1);
  });

  it('the test push says whether the device can receive', async () => {
    expect(await push.sendTest('apple_rn:ok')).toBe('true');
    expect(proxy.sends.at(-1)).toMatchObject({
      type: 'test',
      version: '2',
      badge: -1,
      platform: 'apple_rn',
      device_id: 'ok',
      server_id: identity.diagnosticId,
    });
    proxy.reply(() => ({ status: 'REMOVE' }));
    expect(await push.sendTest('apple_rn:gone')).toBe('false');
    proxy.reply(() => ({ status: 'FAIL' }));
    expect(await push.sendTest('apple_rn:x')).toBe('unknown');
    cfg.EmailSettings.SendPushNotifications = false;
    expect(await push.sendTest('apple_rn:x')).toBe('false');
  });
});
