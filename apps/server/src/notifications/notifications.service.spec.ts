import { describe, expect, it } from 'vitest';
import { type Config, ConfigService, defaultConfig } from '#config';
import type { EphemeralService } from '../commands/ephemeral/ephemeral.service.js';
import type { ChannelRow } from '../channels/channel.model.js';
import type { EmailNotificationsService } from '../email/email-notifications.service.js';
import type { ChannelMembersRepository, MentionMemberRow } from '../membership/channel-members.repository.js';
import type { PostCreated, PostCreatedListeners } from '../posts/post-created-listeners.js';
import type { MentionKind, PostMentions } from '../posts/post-mentions.service.js';
import type { PostView } from '../posts/post.model.js';
import type { PushNotificationsService } from '../push/push-notifications.service.js';
import type { StatusRow } from '../status/status.model.js';
import type { StatusService } from '../status/status.service.js';
import type { TeamsRepository } from '../teams/teams.repository.js';
import type { CollapsedThreads } from '../threads/collapsed-threads.js';
import { defaultNotifyProps, type UserRow } from '../users/user.model.js';
import type { UsersRepository } from '../users/users.repository.js';
import { NotificationsService } from './notifications.service.js';
import type { PostNotification } from './post-notification.js';

/**
 * The service over in-memory stand-ins of its repositories: which users it reads, what it hands
 * to push and email, and the warning for ignored channel-wide mentions. The decisions themselves
 * are notification-rules.spec.ts's.
 */

const user = (id: string, extra: Partial<UserRow> = {}): UserRow =>
  ({
    id,
    username: id,
    first_name: '',
    last_name: '',
    nickname: '',
    email: `${id}@example.test`,
    email_verified: true,
    is_bot: false,
    delete_at: 0,
    notify_props: defaultNotifyProps(),
    ...extra,
  }) as UserRow;

const member = (id: string, extra: Partial<MentionMemberRow> = {}): MentionMemberRow => ({
  user_id: id,
  username: id,
  first_name: '',
  user_notify_props: defaultNotifyProps(),
  channel_notify_props: { push: 'default', email: 'default', desktop: 'default', mark_unread: 'all' },
  status: 'offline',
  ...extra,
});

function setup(users: UserRow[], opts: { pushServer?: string } = {}) {
  const config = structuredClone(defaultConfig) as Config;
  config.EmailSettings.PushNotificationServer = opts.pushServer ?? 'http://proxy.test';
  const configService = { get: () => config } as unknown as ConfigService;
  const byId = new Map(users.map((u) => [u.id, u]));
  const read: string[][] = [];
  const pushes: PostNotification[] = [];
  const mails: PostNotification[] = [];
  const ephemeral: Array<{ userId: string; message: string }> = [];
  const service = new NotificationsService(
    { add: () => undefined } as unknown as PostCreatedListeners,
    {
      byIds: async (ids: string[]) => {
        read.push([...ids].sort());
        return ids.map((id) => byId.get(id)).filter(Boolean);
      },
    } as unknown as UsersRepository,
    {
      getMany: async (ids: string[]) => ids.map((id) => ({ user_id: id, status: 'offline', last_activity_at: 0, dnd_end_time: 0 }) as StatusRow),
    } as unknown as StatusService,
    { lastViewedBy: async () => new Map() } as unknown as ChannelMembersRepository,
    { byId: async (id: string) => ({ id, name: 'team-a', display_name: 'Team A' }) } as unknown as TeamsRepository,
    { allowed: () => true, forUsers: async () => new Set<string>() } as unknown as CollapsedThreads,
    { send: (userId: string, p: { message: string }) => ephemeral.push({ userId, message: p.message }) } as unknown as EphemeralService,
    configService,
    { sendPostNotifications: (ns: PostNotification[]) => pushes.push(...ns) } as unknown as PushNotificationsService,
    { sendPostNotification: (n: PostNotification) => mails.push(n) } as unknown as EmailNotificationsService,
  );
  return { service, read, pushes, mails, ephemeral, config };
}

function event(
  channel: Partial<ChannelRow>,
  poster: UserRow,
  kinds: Array<[string, MentionKind]>,
  members: MentionMemberRow[],
  extra: Partial<PostCreated> = {},
): PostCreated {
  const mentions: PostMentions = {
    userIds: kinds.map(([id]) => id),
    kinds: new Map(kinds),
    memberUsernames: members.map((m) => m.username),
    members,
    channelWide: { channel: false, all: false, here: false },
    tooManyForChannelMentions: false,
  };
  return {
    post: { id: 'p1', user_id: poster.id, channel_id: 'c1', root_id: '', type: '', props: {}, message: 'hi', create_at: 1000 } as unknown as PostView,
    channel: { id: 'c1', team_id: 't1', type: 'O', name: 'town', display_name: 'Town', delete_at: 0, ...channel } as ChannelRow,
    poster,
    mentions,
    crtFollowerIds: [],
    fromIntegration: false,
    ...extra,
  };
}

describe('NotificationsService', () => {
  const alice = user('alice');
  const bob = user('bob');
  const carol = user('carol', { notify_props: { ...defaultNotifyProps(), push: 'all' } });

  it('reads only the users concerned and hands each delivery what it needs', async () => {
    const t = setup([alice, bob, carol]);
    const members = [member('alice'), member('bob'), member('carol', { user_notify_props: carol.notify_props }), member('dave')];
    await t.service.postCreated(event({}, alice, [['bob', 'keyword']], members));
    // bob is mentioned and carol wants every push; dave and the poster are not read.
    expect(t.read).toEqual([['bob', 'carol']]);
    expect(t.pushes.map((n) => [n.recipient.id, n.reason])).toEqual([
      ['bob', 'mention'],
      ['carol', 'all'],
    ]);
    expect(t.mails.map((n) => n.recipient.id)).toEqual(['bob']);
    expect(t.pushes[0]).toMatchObject({
      team: { id: 't1', name: 'team-a', display_name: 'Team A' },
      senderName: '@alice',
      channelName: 'Town',
      explicitMention: true,
    });
  });

  it('names a DM by its sender, has no team there, and uses a webhook’s name for the sender', async () => {
    const t = setup([alice, bob]);
    await t.service.postCreated(event({ type: 'D', team_id: '' }, alice, [['bob', 'dm']], [member('alice'), member('bob')], { senderName: 'CI bot' }));
    expect(t.pushes[0]).toMatchObject({ team: null, channelName: '@alice', senderName: 'CI bot', reason: 'dm' });
  });

  it('sends nothing in an archived channel, and no push without a push server', async () => {
    const t = setup([alice, bob]);
    await t.service.postCreated(event({ delete_at: 5 }, alice, [['bob', 'keyword']], [member('alice'), member('bob')]));
    expect([t.pushes, t.mails, t.read]).toEqual([[], [], []]);
    const u = setup([alice, bob], { pushServer: '' });
    await u.service.postCreated(event({}, alice, [['bob', 'keyword']], [member('alice'), member('bob')]));
    expect(u.pushes).toEqual([]);
    expect(u.mails.map((n) => n.recipient.id)).toEqual(['bob']);
  });

  it('tells the poster once per channel-wide mention that a large channel ignored it', async () => {
    const t = setup([alice]);
    const e = event({}, alice, [], [member('alice')]);
    e.mentions.tooManyForChannelMentions = true;
    e.mentions.channelWide = { channel: true, all: false, here: true };
    t.config.TeamSettings.MaxNotificationsPerChannel = 3;
    await t.service.postCreated(e);
    expect(t.ephemeral).toEqual([
      { userId: 'alice', message: '@here has been disabled because the channel has more than 3 users.' },
      { userId: 'alice', message: '@channel has been disabled because the channel has more than 3 users.' },
    ]);
  });
});
