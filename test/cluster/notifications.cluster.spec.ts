/**
 * Notifications in a cluster of three nodes behind nginx, all pointed at one real push path (the
 * built push proxy in front of the local APNs and FCM stand-ins) and one real SMTP server: each
 * notification is sent once, whichever node the post (or the read, or the digest job) went
 * through and whichever nodes the recipients' devices were registered through.
 *
 * - Pushes and mails are counted where they land (the providers' accepted requests, the SMTP
 *   server's messages), after a bounded settle wait that would let late duplicates arrive.
 * - Recipients have no WebSocket, so they are offline: they get a push (push_status `online`
 *   allows any status) and an email (email needs someone not online) for each mention and DM.
 * - A node killed right after posts were made through it (see the last describe for what is and
 *   is not guaranteed then).
 */
import type { Channel } from '@mattermost/types/channels';
import type { Job } from '@mattermost/types/jobs';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apnsDeviceToken,
  type ApnsServer,
  eventually,
  fcmRegistrationToken,
  type FcmServer,
  type NewUser,
  type PushProxyProcess,
  sleep,
  type SmtpHarness,
  startApnsServer,
  startFcmServer,
  startPushProxy,
  startSmtpServer,
  type TestCluster,
} from '#testing';
import { channelWith, createPost, startFormedCluster, teamWith } from './cluster-fixtures.js';

const NODES = [0, 1, 2];
/** How long pushes and mails get to arrive. */
const ARRIVAL_MS = 20_000;
/** After everything expected arrived: how long late duplicates get to show up. */
const SETTLE_MS = 2_000;
/** The node killed in the last test. */
const VICTIM = 1;

let cluster: TestCluster;
let admin: NewUser;
let nodeIds: Map<number, string>;
let apns: ApnsServer;
let fcm: FcmServer;
let proxy: PushProxyProcess;
let smtp: SmtpHarness;
/** The sender of every post. */
let alice: NewUser;
/** Recipients of part 1 and the clear (bob), email batching (erin), the node killed (dave). */
let bob: NewUser;
let carol: NewUser;
let erin: NewUser;
let dave: NewUser;
let team: Team;
let pub: Channel;

/** A device registered on one of its user's sessions, and what its provider accepted for it. */
interface Phone {
  user: NewUser;
  platform: 'apple_rn' | 'android_rn';
  /** The provider's token (the part of the device id after the platform). */
  token: string;
  /** The node its session was made and its device registered through. */
  via: number;
}

/** A push as the provider got it, whichever provider it was. */
interface Landed {
  type: string;
  postId: string;
  channelId: string;
  badge: number | undefined;
}

/** Signs `user` in again through node `via` (as a phone does) and registers a new device on that session. */
async function phoneOf(user: NewUser, platform: Phone['platform'], via: number): Promise<Phone> {
  const token = platform === 'apple_rn' ? apnsDeviceToken() : fcmRegistrationToken();
  const c = cluster.client(via);
  await c.login(user.user.username, user.password);
  const res = await fetch(`${cluster.url(via)}/api/v4/users/sessions/device`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${c.getToken()}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ device_id: `${platform}:${token}` }),
  });
  expect([res.status, await res.text()]).toEqual([200, JSON.stringify({ status: 'OK' })]);
  return { user, platform, token, via };
}

/** Every push the provider accepted for the phone. */
function landedOn(phone: Phone): Landed[] {
  if (phone.platform === 'apple_rn') {
    return apns.acceptedFor(phone.token).map((d) => ({
      type: String(d.payload.type),
      postId: String(d.payload.post_id ?? ''),
      channelId: String(d.payload.channel_id ?? ''),
      badge: d.payload.aps.badge as number | undefined,
    }));
  }
  return fcm.accepted
    .filter((d) => d.token === phone.token)
    .map((d) => ({
      type: d.message.data?.type ?? '',
      postId: d.message.data?.post_id ?? '',
      channelId: d.message.data?.channel_id ?? '',
      badge: d.message.data?.badge === undefined ? undefined : Number(d.message.data.badge),
    }));
}

/** How many `message` pushes of each post the phone got, by post id. */
function messagesOn(phone: Phone): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of landedOn(phone)) if (p.type === 'message') counts.set(p.postId, (counts.get(p.postId) ?? 0) + 1);
  return counts;
}

/** How many notification mails `user` got that carry `marker`. */
const mailsWith = (user: NewUser, marker: string) => smtp.mailsTo(user.user.email).filter((m) => m.text.includes(marker)).length;

const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));

/** One count per expected post id (and nothing else). */
const exactly = (ids: string[], n = 1) => sorted(new Map(ids.map((id) => [id, n])));

/** Runs `check` until it holds, then again after the settle wait (late duplicates would break it then). */
async function holdsAndStays(check: () => void | Promise<void>): Promise<void> {
  await eventually(check, ARRIVAL_MS, 100);
  await sleep(SETTLE_MS);
  await check();
}

beforeAll(async () => {
  [apns, fcm, smtp] = await Promise.all([startApnsServer(), startFcmServer(), startSmtpServer()]);
  proxy = await startPushProxy({ apns, fcm });
  ({ cluster, admin, nodeIds } = await startFormedCluster({
    env: { ...smtp.env, MM_EMAILSETTINGS_PUSHNOTIFICATIONSERVER: proxy.url, MM_EMAILSETTINGS_SENDPUSHNOTIFICATIONS: 'true' },
  }));
  [alice, bob, carol, erin, dave] = await Promise.all(NODES.concat(0, 1).map((n) => cluster.newUser({ via: n })));
  team = await teamWith(admin, [alice, bob, carol, erin, dave]);
  pub = await channelWith(admin, team, 'O', [alice, bob, carol, erin, dave]);
});

afterAll(async () => {
  await cluster?.stop();
  await proxy?.stop();
  await Promise.all([apns?.stop(), fcm?.stop(), smtp?.close()]);
});

describe('notifications across nodes', () => {
  let bobPhones: Phone[];
  let carolPhones: Phone[];
  let dmBob: Channel;

  it('every device gets one push per post and every offline recipient one email, whichever node the post went through', async () => {
    // Each recipient's phones signed in and registered through two nodes; posts go through all three.
    bobPhones = [await phoneOf(bob, 'apple_rn', 1), await phoneOf(bob, 'android_rn', 2)];
    carolPhones = [await phoneOf(carol, 'apple_rn', 2), await phoneOf(carol, 'android_rn', 0)];
    dmBob = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
    const dmCarol = await alice.client.createDirectChannel([alice.user.id, carol.user.id]);

    const forBob: string[] = [];
    const forCarol: string[] = [];
    const markers = new Map<string, NewUser[]>();
    for (const n of NODES) {
      const c = cluster.clientAs(alice, n);
      const toBob = await createPost(c, dmBob.id, `dm-bob-node${n} are you there?`);
      const toCarol = await createPost(c, dmCarol.id, `dm-carol-node${n} are you there?`);
      const both = await createPost(c, pub.id, `@${bob.user.username} @${carol.user.username} mention-node${n} please look`);
      forBob.push(toBob.id, both.id);
      forCarol.push(toCarol.id, both.id);
      markers.set(`dm-bob-node${n}`, [bob]);
      markers.set(`dm-carol-node${n}`, [carol]);
      markers.set(`mention-node${n}`, [bob, carol]);
    }

    await holdsAndStays(() => {
      for (const phone of bobPhones) expect(sorted(messagesOn(phone)), `bob's ${phone.platform} (registered via node ${phone.via})`).toEqual(exactly(forBob));
      for (const phone of carolPhones)
        expect(sorted(messagesOn(phone)), `carol's ${phone.platform} (registered via node ${phone.via})`).toEqual(exactly(forCarol));
      for (const [marker, to] of markers) {
        for (const u of [bob, carol]) expect(mailsWith(u, marker), `mails to ${u === bob ? 'bob' : 'carol'} with ${marker}`).toBe(to.includes(u) ? 1 : 0);
      }
    });
    // 9 posts: 6 pushes to each of the 4 phones, 6 mails to each recipient.
    expect(bobPhones.concat(carolPhones).map((p) => landedOn(p).length)).toEqual([6, 6, 6, 6]);
    expect(smtp.mailsTo(bob.user.email).filter((m) => /dm-bob|mention-node/.test(m.text))).toHaveLength(6);
    expect(smtp.mailsTo(carol.user.email).filter((m) => /dm-carol|mention-node/.test(m.text))).toHaveLength(6);
  });

  it('reading a channel through node 2 clears it on each of the reader’s devices once, with the new badge', async () => {
    await cluster.clientAs(bob, 2).viewMyChannel(pub.id);
    // Left unread: the three DMs (each counts as a mention), so the badge is 3.
    expect((await cluster.clientAs(bob, 0).getMyChannelMember(dmBob.id)).mention_count).toBe(3);
    const clears = (phone: Phone) => landedOn(phone).filter((p) => p.type === 'clear');
    await holdsAndStays(() => {
      for (const phone of bobPhones) expect(clears(phone), `bob's ${phone.platform}`).toEqual([{ type: 'clear', postId: '', channelId: pub.id, badge: 3 }]);
      for (const phone of carolPhones) expect(clears(phone), `carol's ${phone.platform}`).toEqual([]);
    });
  });

  it('email batching: mentions through every node become exactly one digest, even with the job run on two nodes at once', async () => {
    await cluster.clientAs(admin, 0).patchConfig({ EmailSettings: { EnableEmailBatching: true } } as never);
    await eventually(async () => {
      for (const n of NODES) expect((await cluster.clientAs(admin, n).getConfig()).EmailSettings.EnableEmailBatching, `node ${n}`).toBe(true);
    }, 5_000);
    // erin gathers her notifications for 15 minutes (the web app's "every 15 minutes").
    await cluster.clientAs(erin, 1).savePreferences(erin.user.id, [{ user_id: erin.user.id, category: 'notifications', name: 'email_interval', value: '900' }]);

    const markers: string[] = [];
    for (const n of NODES) {
      for (const k of [1, 2]) {
        markers.push(`batched-node${n}-${k}`);
        await createPost(cluster.clientAs(alice, n), pub.id, `@${erin.user.username} batched-node${n}-${k} for the digest`);
      }
    }
    const waiting = async () =>
      (await cluster.query<{ n: number }>('SELECT count(*)::int AS n FROM notification_email_batch WHERE user_id = $1', [erin.user.id]))[0].n;
    await eventually(async () => expect(await waiting()).toBe(markers.length), ARRIVAL_MS, 100);

    // Runs of the job on two nodes at once, the first while the batch is not due yet.
    const runOn = async (nodes: number[]): Promise<Job[]> => {
      const jobs = await Promise.all(nodes.map((n) => cluster.clientAs(admin, n).createJob({ type: 'email_batching' } as never)));
      return eventually(
        async () => {
          const done = await Promise.all(jobs.map((j, i) => cluster.clientAs(admin, nodes[i]).getJob(j.id)));
          for (const j of done) expect(j.status, `job ${j.id}`).toBe('success');
          return done;
        },
        ARRIVAL_MS,
        100,
      );
    };
    await runOn([0, 1]);
    expect(smtp.mailsTo(erin.user.email)).toHaveLength(0);
    expect(await waiting()).toBe(markers.length);

    // erin asks for her mails at once: what waits is due at the next run (Mattermost's job too
    // reads the interval when it runs). Its timing is then the user's, not the clock's.
    await cluster.clientAs(erin, 2).savePreferences(erin.user.id, [{ user_id: erin.user.id, category: 'notifications', name: 'email_interval', value: '30' }]);
    const runs = await runOn([1, 2]);

    await holdsAndStays(async () => {
      const mails = smtp.mailsTo(erin.user.email);
      expect(mails, 'digests to erin').toHaveLength(1);
      for (const marker of markers) expect(mails[0].text, marker).toContain(marker);
      expect(mails[0].subject).toMatch(/ New Notifications for /);
    });
    expect(await waiting()).toBe(0);
    // What the runs themselves say: one of the two mailed it (unless the leader's scheduled run,
    // also racing, took it first: then neither did).
    const mailed = runs.map((j) => Number(j.data?.mails_sent ?? 0));
    expect(mailed.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
    // Every run of the job cluster-wide (ours and the leader's scheduled ones), once none is running.
    await eventually(async () => {
      const all = await cluster.clientAs(admin, 0).getJobsByType('email_batching', 0, 200);
      expect(all.filter((j) => j.status !== 'success').map((j) => `${j.id}: ${j.status}`)).toEqual([]);
      expect(
        all.reduce((sum, j) => sum + Number(j.data?.mails_sent ?? 0), 0),
        'digests the runs mailed',
      ).toBe(1);
    }, ARRIVAL_MS);
  });
});

/**
 * A node killed (SIGKILL) right after posts were made through it. What is guaranteed: no device
 * and no mailbox hears of a post twice. The node that creates a post starts its notifications
 * after announcing it; its outbox row is deleted once the post is announced. A survivor claims
 * the rows of a dead node (one survivor per row) and, for a post never announced, announces it
 * and starts its notifications (PostsService.rebuildPostedEvent). What is not guaranteed: that a
 * post's notifications go out at all when the node died after answering but before its in-memory
 * push and mail queues drained — those are lost with the process (at most once, like Mattermost's
 * own goroutines). So the posts made through the node are checked for "at most once"; the post
 * whose node died between its commit and its announcement is put in that state on purpose (as
 * outbox.cluster.spec does: a committed post and the dead node's outbox row) and must be notified
 * exactly once, from a survivor.
 */
describe('a node killed right after posts were made through it', () => {
  it('notifies nobody twice; a post it committed but never announced is notified once, from a survivor', async () => {
    const phones = [await phoneOf(dave, 'apple_rn', 0), await phoneOf(dave, 'android_rn', 2)];
    // Mails at once, whether the batching test above ran or not.
    await cluster.clientAs(dave, 0).savePreferences(dave.user.id, [{ user_id: dave.user.id, category: 'notifications', name: 'email_interval', value: '30' }]);
    const dm = await alice.client.createDirectChannel([alice.user.id, dave.user.id]);

    const victim = cluster.clientAs(alice, VICTIM);
    const made: Post[] = [];
    for (let k = 0; k < 3; k++) made.push(await createPost(victim, dm.id, `dm-dave-before-kill-${k}`));
    const orphanId = 'orphan' + made[0].id.slice(6);
    const columns = (
      await cluster.query<{ name: string }>(`SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'posts' AND is_generated = 'NEVER'`)
    ).map((c) => c.name);
    const copied = columns.map((c) => ({ id: '$2', message: '$3', create_at: 'create_at + 1' })[c] ?? c);
    await cluster.query(`INSERT INTO posts (${columns.join(', ')}) SELECT ${copied.join(', ')} FROM posts WHERE id = $1`, [
      made[0].id,
      orphanId,
      'dm-dave-orphan committed, never announced',
    ]);
    await cluster.query('INSERT INTO event_outbox (kind, ref_id, node_id, create_at) VALUES ($1, $2, $3, $4)', [
      'posted',
      orphanId,
      nodeIds.get(VICTIM),
      Date.now(),
    ]);
    await cluster.node(VICTIM).kill('SIGKILL');

    // Eviction (~2 s), the grace a survivor gives a young outbox row (3.5 s), then the pushes.
    await holdsAndStays(async () => {
      expect(await cluster.query('SELECT 1 FROM event_outbox WHERE ref_id = $1', [orphanId])).toEqual([]);
      for (const phone of phones) {
        const got = messagesOn(phone);
        expect(got.get(orphanId), `dave's ${phone.platform}: the orphan`).toBe(1);
        for (const p of made) expect(got.get(p.id) ?? 0, `dave's ${phone.platform}: ${p.message}`).toBeLessThanOrEqual(1);
        expect(
          [...got.keys()].filter((id) => id !== orphanId && !made.some((p) => p.id === id)),
          'pushes of other posts',
        ).toEqual([]);
      }
      expect(mailsWith(dave, 'dm-dave-orphan'), 'mails of the orphan').toBe(1);
      for (const p of made) expect(mailsWith(dave, p.message), `mails of ${p.message}`).toBeLessThanOrEqual(1);
    });
    const lost = made.filter((p) => phones.some((phone) => !messagesOn(phone).has(p.id)));
    console.info(`killed node ${VICTIM}: ${made.length - lost.length} of ${made.length} posts made through it reached every device before it died`);
  });
});
