import { describe, expect, it } from 'vitest';
import type { MentionKind } from '../posts/post-mentions.service.js';
import { crtFollowerNotifies, desktopFollowers, planNotifications, RuleInput, RuleMember } from './notification-rules.js';

/**
 * The notify-prop matrix: for each recipient set-up (status, channel mute, user and channel
 * props) and each way a post reaches them, whether they get a push and an email. The expected
 * values are Mattermost's (app/notification.go, notification_push.go), written out by hand row by
 * row; the invariants below then sweep every combination for the rules that hold whatever else.
 */

const NOW = 1_800_000_000_000;
const CHANNEL = 'c'.repeat(26);
const POSTER = 'p'.repeat(26);
const ME = 'u'.repeat(26);

type Status = 'online' | 'away' | 'offline' | 'dnd' | 'dnd_expired' | 'ooo' | 'online_here';

interface Setup {
  status?: Status;
  muted?: boolean;
  push?: 'all' | 'mention' | 'none';
  pushStatus?: 'online' | 'away' | 'offline';
  channelPush?: 'default' | 'all' | 'mention' | 'none';
  email?: 'true' | 'false';
  channelEmail?: 'default' | 'true' | 'false';
  bot?: boolean;
  crt?: boolean;
  verified?: boolean;
  threads?: { desktop?: string; push?: string; email?: string };
}

function member(s: Setup): RuleMember {
  const status = s.status ?? 'away';
  return {
    userId: ME,
    userProps: {
      push: s.push ?? 'mention',
      push_status: s.pushStatus ?? 'away',
      email: s.email ?? 'true',
      desktop: 'mention',
      desktop_threads: s.threads?.desktop ?? 'all',
      push_threads: s.threads?.push ?? 'all',
      email_threads: s.threads?.email ?? 'all',
    },
    channelProps: {
      push: s.channelPush ?? 'default',
      email: s.channelEmail ?? 'default',
      desktop: 'default',
      mark_unread: s.muted ? 'mention' : 'all',
    },
    status: {
      status: status === 'dnd_expired' ? 'dnd' : status === 'online_here' ? 'online' : status,
      last_activity_at: status === 'online_here' ? NOW - 5_000 : NOW - 600_000,
      dnd_end_time: status === 'dnd_expired' ? NOW / 1000 - 60 : 0,
      activeChannelId: status === 'online_here' ? CHANNEL : undefined,
    },
    collapsedThreads: s.crt ?? false,
    isBot: s.bot ?? false,
    deleted: false,
    emailVerified: s.verified ?? true,
  };
}

type Reach = MentionKind | 'none' | 'follower';

function plan(s: Setup, reach: Reach, opts: { channelType?: string; reply?: boolean; requireVerification?: boolean; postType?: string } = {}) {
  const kinds = new Map<string, MentionKind>();
  if (reach !== 'none' && reach !== 'follower') kinds.set(ME, reach);
  const reply = opts.reply ?? (reach === 'follower' || reach === 'thread' || reach === 'comment');
  const input: RuleInput = {
    post: { user_id: POSTER, channel_id: CHANNEL, root_id: reply ? 'r'.repeat(26) : '', type: opts.postType ?? '', props: {} },
    channelType: opts.channelType ?? (reach === 'dm' ? 'D' : reach === 'gm' ? 'G' : 'O'),
    kinds,
    members: new Map([[ME, member(s)]]),
    threadFollowers: reach === 'follower' || (reply && s.crt) ? [ME] : [],
    settings: { sendEmail: true, sendPush: true, requireEmailVerification: opts.requireVerification ?? false, collapsedThreadsAllowed: true },
    now: NOW,
  };
  const p = planNotifications(input);
  return { push: p.push.some((x) => x.userId === ME), email: p.email.some((x) => x.userId === ME), plan: p };
}

// [description, set-up, how the post reaches them, push?, email?]
const MATRIX: Array<[string, Setup, Reach, boolean, boolean]> = [
  ['away, mentioned by name', {}, 'keyword', true, true],
  ['offline, mentioned by name', { status: 'offline' }, 'keyword', true, true],
  ['online elsewhere, push_status online, mentioned', { status: 'online', pushStatus: 'online' }, 'keyword', true, false],
  ['online reading this channel, push_status online, mentioned', { status: 'online_here', pushStatus: 'online' }, 'keyword', false, false],
  ['online, push_status away, mentioned', { status: 'online' }, 'keyword', false, false],
  ['away, push_status offline, mentioned', { pushStatus: 'offline' }, 'keyword', false, true],
  ['offline, push_status offline, mentioned', { status: 'offline', pushStatus: 'offline' }, 'keyword', true, true],
  ['do not disturb, mentioned', { status: 'dnd' }, 'keyword', false, false],
  ['do not disturb that has ended, mentioned', { status: 'dnd_expired' }, 'keyword', true, true],
  ['out of office, mentioned', { status: 'ooo' }, 'keyword', false, false],
  ['channel muted, mentioned', { muted: true }, 'keyword', false, false],
  ['push none, mentioned', { push: 'none' }, 'keyword', false, true],
  ['push none but channel push all', { push: 'none', channelPush: 'all' }, 'none', true, false],
  ['channel push none overrides user all', { push: 'all', channelPush: 'none' }, 'keyword', false, true],
  ['channel push mention, not mentioned', { push: 'all', channelPush: 'mention' }, 'none', false, false],
  ['push all, not mentioned', { push: 'all' }, 'none', true, false],
  ['push all, not mentioned, muted', { push: 'all', muted: true }, 'none', false, false],
  ['push mention, not mentioned', {}, 'none', false, false],
  ['email false, mentioned', { email: 'false' }, 'keyword', true, false],
  ['email false, channel email true', { email: 'false', channelEmail: 'true' }, 'keyword', true, true],
  ['email true, channel email false', { channelEmail: 'false' }, 'keyword', true, false],
  ['@channel', {}, 'channel', true, true],
  ['DM', {}, 'dm', true, true],
  ['DM, push none', { push: 'none' }, 'dm', false, true],
  ['GM with push mention counts as all', {}, 'gm', true, true],
  ['GM with push none', { push: 'none' }, 'gm', false, true],
  ['GM, channel push mention', { channelPush: 'mention' }, 'gm', false, true],
  ['reply to a thread started (comments root)', {}, 'comment', true, true],
  ['reply to a thread taken part in (comments any)', {}, 'thread', true, true],
  ['a bot mentioned', { bot: true }, 'keyword', true, false],
  ['email not verified while verification is required', { verified: false }, 'keyword', true, false],
  ['collapsed threads follower, thread notifications all', { crt: true }, 'follower', true, true],
  ['collapsed threads follower, thread push and email mention', { crt: true, threads: { push: 'mention', email: 'mention' } }, 'follower', false, false],
  ['collapsed threads follower, push all', { crt: true, push: 'all', threads: { push: 'mention', email: 'mention' } }, 'follower', true, false],
  ['collapsed threads follower in DND', { crt: true, status: 'dnd' }, 'follower', false, false],
  ['collapsed threads follower, channel email false is ignored for replies', { crt: true, channelEmail: 'false' }, 'follower', true, true],
];

describe('notification matrix', () => {
  it.each(MATRIX)('%s', (_name, setup, reach, push, email) => {
    const requireVerification = setup.verified === false;
    const result = plan(setup, reach, { requireVerification });
    expect({ push: result.push, email: result.email }).toEqual({ push, email });
  });

  it('system messages never push', () => {
    expect(plan({ push: 'all' }, 'none', { postType: 'system_join_channel' }).push).toBe(false);
    expect(plan({}, 'keyword', { postType: 'system_header_change' }).push).toBe(false);
  });

  it('an auto-responder post never emails', () => {
    expect(plan({}, 'dm', { postType: 'system_auto_responder' }).email).toBe(false);
  });

  it('a follower with collapsed threads gets one push for a reply that also mentions them, as a thread notification', () => {
    const kinds = new Map<string, MentionKind>([[ME, 'keyword']]);
    const p = planNotifications({
      post: { user_id: POSTER, channel_id: CHANNEL, root_id: 'r'.repeat(26), type: '', props: {} },
      channelType: 'O',
      kinds,
      members: new Map([[ME, member({ crt: true })]]),
      threadFollowers: [ME],
      settings: { sendEmail: true, sendPush: true, requireEmailVerification: false, collapsedThreadsAllowed: true },
      now: NOW,
    });
    expect(p.push).toEqual([{ userId: ME, reason: 'thread', explicitMention: false, channelWideMention: false, replyToThreadType: 'CRT' }]);
    expect(p.email).toEqual([{ userId: ME, reason: 'mention', explicitMention: true, channelWideMention: false, replyToThreadType: '' }]);
  });

  it('says how each recipient was reached, for the wording', () => {
    expect(plan({}, 'channel').plan.push[0]).toMatchObject({ reason: 'channel', explicitMention: true, channelWideMention: true });
    expect(plan({}, 'comment').plan.push[0]).toMatchObject({ reason: 'mention', explicitMention: false, replyToThreadType: 'root' });
    expect(plan({}, 'thread').plan.push[0]).toMatchObject({ replyToThreadType: 'any' });
    expect(plan({ push: 'all' }, 'none').plan.push[0]).toMatchObject({ reason: 'all', explicitMention: false });
    expect(plan({}, 'dm').plan.email[0]).toMatchObject({ reason: 'dm', explicitMention: true });
  });

  it('turning push or email off server-wide sends none of it', () => {
    const input = (sendPush: boolean, sendEmail: boolean): RuleInput => ({
      post: { user_id: POSTER, channel_id: CHANNEL, root_id: '', type: '', props: {} },
      channelType: 'O',
      kinds: new Map([[ME, 'keyword']]),
      members: new Map([[ME, member({})]]),
      threadFollowers: [],
      settings: { sendEmail, sendPush, requireEmailVerification: false, collapsedThreadsAllowed: true },
      now: NOW,
    });
    expect(planNotifications(input(false, true)).push).toEqual([]);
    expect(planNotifications(input(true, false)).email).toEqual([]);
  });
});

describe('invariants over every combination', () => {
  const statuses: Status[] = ['online', 'online_here', 'away', 'offline', 'dnd', 'dnd_expired', 'ooo'];
  const reaches: Reach[] = ['none', 'keyword', 'channel', 'dm', 'gm', 'comment', 'thread', 'follower'];
  const all: Array<{ setup: Setup; reach: Reach; push: boolean; email: boolean }> = [];
  for (const status of statuses)
    for (const muted of [false, true])
      for (const push of ['all', 'mention', 'none'] as const)
        for (const channelPush of ['default', 'all', 'mention', 'none'] as const)
          for (const pushStatus of ['online', 'away', 'offline'] as const)
            for (const email of ['true', 'false'] as const)
              for (const channelEmail of ['default', 'true', 'false'] as const)
                for (const crt of [false, true])
                  for (const reach of reaches) {
                    if (reach === 'follower' && !crt) continue;
                    const setup: Setup = { status, muted, push, channelPush, pushStatus, email, channelEmail, crt };
                    all.push({ setup, reach, ...pick(plan(setup, reach)) });
                  }

  function pick(r: { push: boolean; email: boolean }) {
    return { push: r.push, email: r.email };
  }

  it(`covers ${all.length} combinations`, () => expect(all.length).toBeGreaterThan(30_000));

  it('nobody in DND or out of office gets a push or an email', () => {
    const bad = all.filter((c) => (c.setup.status === 'dnd' || c.setup.status === 'ooo') && (c.push || c.email));
    expect(bad).toEqual([]);
  });

  it('nobody online gets an email', () => {
    expect(all.filter((c) => c.setup.status?.startsWith('online') && c.email)).toEqual([]);
  });

  it('a muted channel sends no mention push and no email (collapsed-threads followers follow their thread settings)', () => {
    expect(all.filter((c) => c.setup.muted && c.reach !== 'follower' && !c.setup.crt && (c.push || c.email))).toEqual([]);
  });

  it('someone reading the channel right now gets no push unless they asked for pushes when online and are elsewhere', () => {
    expect(all.filter((c) => c.setup.status === 'online_here' && c.push)).toEqual([]);
  });

  it('without a mention, only push all (user or channel) brings a push; never an email', () => {
    const unmentioned = all.filter((c) => c.reach === 'none');
    expect(unmentioned.filter((c) => c.email)).toEqual([]);
    expect(unmentioned.filter((c) => c.push && c.setup.push !== 'all' && c.setup.channelPush !== 'all')).toEqual([]);
  });

  it('a channel push of none silences every push in that channel except thread follows with collapsed threads', () => {
    expect(all.filter((c) => c.setup.channelPush === 'none' && c.push && !c.setup.crt)).toEqual([]);
  });
});

describe('collapsed-threads followers', () => {
  it('follow the channel props when set, else their own thread props', () => {
    const m = member({ crt: true, threads: { desktop: 'mention', push: 'mention', email: 'mention' } });
    expect(crtFollowerNotifies(m, false)).toEqual({ desktop: false, push: false, email: false });
    expect(crtFollowerNotifies(m, true)).toEqual({ desktop: true, push: true, email: true });
    m.channelProps.push = 'all';
    expect(crtFollowerNotifies(m, false).push).toBe(true);
  });

  it('the posted event names the followers to notify on the desktop, never the poster', () => {
    const props = (desktop_threads: string) => ({ user_notify_props: { desktop: 'mention', desktop_threads }, channel_notify_props: { desktop: 'default' } });
    const members = [
      { user_id: 'a', ...props('all') },
      { user_id: 'b', ...props('mention') },
      { user_id: POSTER, ...props('all') },
    ];
    expect(desktopFollowers({ user_id: POSTER, props: {} }, ['a', 'b', POSTER], { kinds: new Map(), members })).toEqual(['a']);
    expect(desktopFollowers({ user_id: POSTER, props: {} }, ['a', 'b'], { kinds: new Map([['b', 'keyword']]), members })).toEqual(['a', 'b']);
    expect(desktopFollowers({ user_id: POSTER, props: { from_webhook: 'true' } }, [POSTER], { kinds: new Map(), members })).toEqual([POSTER]);
  });
});
