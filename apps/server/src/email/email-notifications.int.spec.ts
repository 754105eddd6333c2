/**
 * Email notifications against a throwaway database on the machine's PostgreSQL and a real SMTP
 * server (smtp-server, parsed with mailparser): full and generic contents, subjects dated in the
 * recipient's zone, the retrying queue with a dead server, and email batching's digests — due per
 * email_interval, without viewed channels, bounded, and mailed once when two runs race.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '#common';
import { Config, ConfigService, defaultConfig } from '#config';
import type { Database } from '#db';
import { MailQueue, SmtpMailDriver, smtpSettings } from '#mail';
import { startSmtpServer, ThrowawayDatabase, until, type SmtpHarness } from '#testing';
import type { ChannelRow } from '../channels/channel.model.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import type { PostNotification } from '../notifications/post-notification.js';
import type { PostView } from '../posts/post.model.js';
import { PreferencesRepository } from '../preferences/preferences.repository.js';
import { TeamsRepository } from '../teams/teams.repository.js';
import { testUserRow } from '../users/user.fixtures.js';
import type { UserRow } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { EmailBatchRepository } from './email-batch.repository.js';
import { EmailDigests } from './email-digests.service.js';
import { EmailNotificationsService } from './email-notifications.service.js';

let pg: ThrowawayDatabase;
let db: Database;
let smtp: SmtpHarness;
let cfg: Config;
let queue: MailQueue;
let service: EmailNotificationsService;
let digests: EmailDigests;
let batches: EmailBatchRepository;
let sender: UserRow;
let team: { id: string; name: string; display_name: string };

const config = { get: () => cfg } as unknown as ConfigService;
/** 2025-03-31 23:30 UTC: already April 1st in Tokyo. */
const LATE_MARCH = Date.UTC(2025, 2, 31, 23, 30);
const MINUTE = 60_000;

function digestsOn(database: Database): EmailDigests {
  const driver = new SmtpMailDriver(() => smtpSettings(cfg.EmailSettings));
  return new EmailDigests(
    database,
    config,
    new EmailBatchRepository(database),
    new PreferencesRepository(database),
    new ChannelMembersRepository(database),
    new UsersRepository(database),
    driver,
  );
}

async function newUser(name: string, over: Partial<UserRow> = {}): Promise<UserRow> {
  const user = testUserRow(`${name}${newId().slice(0, 6)}`, over);
  await new UsersRepository(db).insert(user);
  return user;
}

function channel(type: 'O' | 'D' | 'G', name = 'Town Square'): ChannelRow {
  return { id: newId(), team_id: type === 'O' ? team.id : '', type, display_name: name, name: name.toLowerCase().replace(/\W+/g, '-') } as ChannelRow;
}

let seq = 0;
function notification(
  recipient: UserRow,
  ch: ChannelRow,
  over: { message?: string; createAt?: number; rootId?: string; crt?: boolean; reason?: PostNotification['reason'] } = {},
): PostNotification {
  const post = {
    id: newId(),
    create_at: over.createAt ?? Date.now() - 1000 + ++seq,
    root_id: over.rootId ?? '',
    message: over.message ?? `hello ${seq}`,
    channel_id: ch.id,
    user_id: sender.id,
    file_ids: [],
  } as unknown as PostView;
  return {
    post,
    channel: ch,
    team: ch.type === 'O' ? team : null,
    sender,
    senderName: sender.username,
    recipient,
    reason: over.reason ?? (ch.type === 'D' ? 'dm' : ch.type === 'G' ? 'gm' : 'mention'),
    explicitMention: ch.type !== 'G',
    channelWideMention: false,
    replyToThreadType: over.crt && over.rootId ? 'CRT' : '',
    collapsedThreads: over.crt ?? false,
    channelName: ch.type === 'D' ? `@${sender.username}` : ch.display_name,
  };
}

async function setPref(userId: string, value: string) {
  await new PreferencesRepository(db).upsert([{ user_id: userId, category: 'notifications', name: 'email_interval', value }]);
}

beforeAll(async () => {
  pg = await ThrowawayDatabase.create({ maxConnections: 8 });
  db = pg.db;
  smtp = await startSmtpServer();
  const teamRow = { id: newId(), name: 'acme', display_name: 'Acme <Team>' };
  await db.query(`INSERT INTO teams (id, create_at, update_at, display_name, name, type, invite_id) VALUES ($1, 1, 1, $2, $3, 'O', $4)`, [
    teamRow.id,
    teamRow.display_name,
    teamRow.name,
    newId(),
  ]);
  team = teamRow;
  batches = new EmailBatchRepository(db);
});
afterAll(async () => {
  queue?.close();
  await smtp?.close();
  await pg?.drop();
});

beforeEach(async () => {
  cfg = structuredClone(defaultConfig);
  cfg.TeamSettings.SiteName = 'Acme Chat';
  cfg.ServiceSettings.SiteURL = 'http://chat.example.com';
  Object.assign(cfg.EmailSettings, smtp.settings, { FeedbackName: 'Acme', FeedbackEmail: 'noreply@example.com' });
  queue?.close();
  queue = new MailQueue(new SmtpMailDriver(() => smtpSettings(cfg.EmailSettings)), { initialDelayMs: 50, maxDelayMs: 200 });
  service = new EmailNotificationsService(config, new PreferencesRepository(db), batches, queue, new TeamsRepository(db));
  digests = digestsOn(db);
  sender = await newUser('sender');
});

describe('a notification mailed at once', () => {
  it('full contents: subject dated in the recipient zone, the message escaped, the permalink, threading headers', async () => {
    const tokyo = await newUser('tokyo', { timezone: { useAutomaticTimezone: 'false', automaticTimezone: '', manualTimezone: 'Asia/Tokyo' } });
    const n = notification(tokyo, channel('O', 'Off-Topic'), { message: 'look at <script>alert(1)</script> & this', createAt: LATE_MARCH });
    expect(await service.deliver(n)).toBe('queued');
    const mail = await smtp.nextMail(tokyo.email);
    expect(mail.subject).toBe('[Acme Chat] Notification in Acme <Team> on April 1, 2025');
    expect(mail.text).toContain('look at <script>alert(1)</script> & this');
    expect(mail.html).toContain('look at &lt;script&gt;alert(1)&lt;/script&gt; &amp; this');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain(`http://chat.example.com/acme/pl/${n.post.id}`);
    expect(mail.html).toContain(`href="http://chat.example.com/acme/pl/${n.post.id}"`);
    expect(mail.text).toContain('08:30 GMT+9');
    expect(mail.parsed.messageId).toBe(`<${n.post.id}@chat.example.com>`);
    expect(mail.parsed.from?.value[0]).toMatchObject({ name: 'Acme', address: 'noreply@example.com' });
  });

  it('UTC without a zone; the channel in the subject with UseChannelInEmailNotifications; a reply names its root', async () => {
    cfg.EmailSettings.UseChannelInEmailNotifications = true;
    const bob = await newUser('bob');
    const root = newId();
    const n = notification(bob, channel('O', 'Dev'), { createAt: LATE_MARCH, rootId: root, crt: true });
    await service.deliver(n);
    const mail = await smtp.nextMail(bob.email);
    expect(mail.subject).toBe('[Acme Chat] Notification in Acme <Team> (Dev) on March 31, 2025');
    expect(mail.parsed.inReplyTo).toBe(`<${root}@chat.example.com>`);
    expect(mail.text).toContain('replied to a thread you follow');
  });

  it('direct and group messages: their subjects, and a permalink through one of the recipient teams', async () => {
    const carol = await newUser('carol');
    await db.query('INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)', [team.id, carol.id]);
    const dm = notification(carol, channel('D', ''), { createAt: LATE_MARCH });
    await service.deliver(dm);
    const dmMail = await smtp.nextMail(carol.email);
    expect(dmMail.subject).toBe(`[Acme Chat] New Direct Message from ${sender.username} on March 31, 2025`);
    expect(dmMail.text).toContain(`http://chat.example.com/acme/pl/${dm.post.id}`);

    const gm = notification(carol, channel('G', 'alice, bob, carol'), { createAt: LATE_MARCH });
    await service.deliver(gm);
    expect((await smtp.nextMail(carol.email)).subject).toBe('[Acme Chat] New Group Message in alice, bob, carol on March 31, 2025');

    const loner = await newUser('loner');
    await service.deliver(notification(loner, channel('D', ''), { createAt: LATE_MARCH }));
    expect((await smtp.nextMail(loner.email)).text).toContain('http://chat.example.com/select_team');
  });

  it('generic contents: sender and link, never the message; a generic group subject names no channel', async () => {
    cfg.EmailSettings.EmailNotificationContentsType = 'generic';
    const dave = await newUser('dave');
    const n = notification(dave, channel('O'), { message: 'the secret plan' });
    await service.deliver(n);
    const mail = await smtp.nextMail(dave.email);
    expect(mail.text).not.toContain('the secret plan');
    expect(mail.html).not.toContain('the secret plan');
    expect(mail.text).toContain(sender.username);
    expect(mail.text).toContain(`/acme/pl/${n.post.id}`);
    await service.deliver(notification(dave, channel('G', 'x, y, z'), { createAt: LATE_MARCH, message: 'gm secret' }));
    const gm = await smtp.nextMail(dave.email);
    expect(gm.subject).toBe('[Acme Chat] New Group Message on March 31, 2025');
    expect(gm.text).not.toContain('gm secret');
  });

  it('nothing when SendEmailNotifications is off, or for a deactivated recipient', async () => {
    const erin = await newUser('erin');
    cfg.EmailSettings.SendEmailNotifications = false;
    expect(await service.deliver(notification(erin, channel('O')))).toBe('skipped');
    cfg.EmailSettings.SendEmailNotifications = true;
    expect(await service.deliver(notification({ ...erin, delete_at: 5 }, channel('O')))).toBe('skipped');
  });

  it('a dead SMTP server: the caller returns at once, the mail is retried and delivered once the server is back', async () => {
    const frank = await newUser('frank');
    await smtp.stop();
    try {
      const n = notification(frank, channel('O'), { message: 'while the server was down' });
      expect(service.sendPostNotification(n)).toBeUndefined();
      // The mail is taken and fails at least once before the server comes back.
      await until(() => queue.stats.retried > 0, 5000, 'a failed try', 10);
    } finally {
      await smtp.start();
    }
    await queue.idle();
    const mail = await smtp.nextMail(frank.email);
    expect(mail.text).toContain('while the server was down');
    expect(queue.stats.dropped).toBe(0);
  });
});

describe('email batching', () => {
  beforeEach(() => {
    cfg.EmailSettings.EnableEmailBatching = true;
  });

  it('several notifications within the interval become one digest once the oldest is older than it', async () => {
    const gina = await newUser('gina');
    const start = Date.now() - 5000;
    const posts = [1, 2, 3].map((i) => notification(gina, channel('O', `Room ${i}`), { message: `batched ${i}`, createAt: start + i }));
    for (const n of posts) expect(await service.deliver(n)).toBe('batched');
    expect(await batches.countForUser(gina.id)).toBe(3);
    expect(smtp.mailsTo(gina.email)).toHaveLength(0);

    expect(await digests.sendDue({ now: start + 899_000 })).toMatchObject({ mails: 0 });
    const run = await digests.sendDue({ now: start + 901_000 });
    expect(run).toMatchObject({ mails: 1, skipped: 0 });
    const mail = await smtp.nextMail(gina.email);
    expect(mail.subject).toMatch(/^\[Acme Chat\] New Notifications for \w+ \d+, \d{4}$/);
    for (const i of [1, 2, 3]) expect(mail.text).toContain(`batched ${i}`);
    expect(mail.text.indexOf('batched 1')).toBeLessThan(mail.text.indexOf('batched 3'));
    expect(mail.text).toContain(`/acme/pl/${posts[2].post.id}`);
    expect(await batches.countForUser(gina.id)).toBe(0);
    expect(await digests.sendDue({ now: start + 2_000_000 })).toMatchObject({ mails: 0 });
    expect(smtp.mailsTo(gina.email)).toHaveLength(1);
  });

  it('email_interval: "30" mails at once; 3600 waits an hour; a single notification has the singular subject', async () => {
    const hank = await newUser('hank');
    await setPref(hank.id, '30');
    expect(await service.deliver(notification(hank, channel('O')))).toBe('queued');
    await smtp.nextMail(hank.email);

    await setPref(hank.id, '3600');
    const at = Date.now() - 1000;
    expect(await service.deliver(notification(hank, channel('O'), { createAt: at, message: 'hourly' }))).toBe('batched');
    expect(await digests.sendDue({ now: at + 901_000 })).toMatchObject({ mails: 0 });
    expect(await digests.sendDue({ now: at + 3_601_000 })).toMatchObject({ mails: 1 });
    const mail = await smtp.nextMail(hank.email);
    expect(mail.subject).toMatch(/New Notification for /);
    expect(mail.text).toContain('hourly');
  });

  it('leaves out channels the user viewed after the post; a batch all viewed sends nothing', async () => {
    const ivy = await newUser('ivy');
    const seen = channel('O', 'Seen');
    const unseen = channel('O', 'Unseen');
    const at = Date.now() - 10_000;
    await service.deliver(notification(ivy, seen, { createAt: at, message: 'already read' }));
    await service.deliver(notification(ivy, unseen, { createAt: at + 1, message: 'still unread' }));
    await db.query('INSERT INTO channel_members (channel_id, user_id, last_viewed_at) VALUES ($1, $2, $3), ($4, $2, $5)', [
      seen.id,
      ivy.id,
      at + 5,
      unseen.id,
      at - 5,
    ]);
    expect(await digests.sendDue({ now: at + 901_000 })).toMatchObject({ mails: 1, skipped: 1 });
    const mail = await smtp.nextMail(ivy.email);
    expect(mail.text).toContain('still unread');
    expect(mail.text).not.toContain('already read');

    await service.deliver(notification(ivy, seen, { createAt: at + 2, message: 'read too' }));
    expect(await digests.sendDue({ now: at + 901_000 })).toMatchObject({ users: 1, mails: 0, skipped: 1 });
    expect(await batches.countForUser(ivy.id)).toBe(0);
    expect(smtp.mailsTo(ivy.email)).toHaveLength(1);
  });

  it('EmailBatchingBufferSize bounds what waits: past it a notification is mailed at once', async () => {
    cfg.EmailSettings.EmailBatchingBufferSize = 2;
    const jack = await newUser('jack');
    expect(await service.deliver(notification(jack, channel('O')))).toBe('batched');
    expect(await service.deliver(notification(jack, channel('O')))).toBe('batched');
    expect(await service.deliver(notification(jack, channel('O'), { message: 'overflow' }))).toBe('queued');
    expect((await smtp.nextMail(jack.email)).text).toContain('overflow');
    expect(await batches.countForUser(jack.id)).toBe(2);
  });

  it('two runs racing (separate connections, as two nodes): each user gets exactly one digest, every notification once', async () => {
    const people = await Promise.all([1, 2, 3, 4].map((i) => newUser(`race${i}`)));
    const at = Date.now() - 10_000;
    for (const p of people) for (let i = 0; i < 5; i++) await service.deliver(notification(p, channel('O'), { createAt: at + i, message: `race ${i}` }));
    const other = await pg.connect();
    const [a, b] = await Promise.all([digests.sendDue({ now: at + 901_000 }), digestsOn(other).sendDue({ now: at + 901_000 })]);
    expect(a.mails + b.mails).toBe(people.length);
    for (const p of people) {
      const mails = smtp.mailsTo(p.email);
      expect(mails).toHaveLength(1);
      for (let i = 0; i < 5; i++) expect(mails[0].text.split(`race ${i}`)).toHaveLength(2);
      expect(await batches.countForUser(p.id)).toBe(0);
    }
  });

  it('a digest the SMTP server cannot take stays for the next run', async () => {
    const kim = await newUser('kim');
    const at = Date.now() - 10_000;
    await service.deliver(notification(kim, channel('O'), { createAt: at, message: 'kept for later' }));
    await smtp.stop();
    try {
      expect(await digests.sendDue({ now: at + 901_000 })).toMatchObject({ mails: 0 });
      expect(await batches.countForUser(kim.id)).toBe(1);
    } finally {
      await smtp.start();
    }
    expect(await digests.sendDue({ now: at + 901_000 })).toMatchObject({ mails: 1 });
    expect((await smtp.nextMail(kim.email)).text).toContain('kept for later');
  });
});
