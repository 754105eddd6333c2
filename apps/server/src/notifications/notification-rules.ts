/**
 * Mattermost's notification rules (app/notification.go, notification_push.go), pure: given a
 * post, how each channel member was mentioned, their notify props and status, who gets a push and
 * who an email, and which collapsed-threads followers the `posted` event names for desktop
 * notifications. Desktop notifications themselves are the clients' (from `mentions`/`followers`).
 * The matrix spec beside this file checks every combination that matters.
 */
import type { MentionKind } from '../posts/post-mentions.service.js';
import type { NotificationReason, PostNotification } from './post-notification.js';

type Props = Record<string, string | undefined>;

/** Mattermost's StatusChannelTimeout: someone active in the channel this recently sees the post. */
export const STATUS_CHANNEL_TIMEOUT_MS = 20_000;

export interface RecipientStatus {
  status: string;
  last_activity_at: number;
  /** Seconds, as stored; 0 = until changed. */
  dnd_end_time: number;
  /** The channel the user was last seen reading, if known, and when. */
  activeChannelId?: string;
}

export interface RuleMember {
  userId: string;
  userProps: Props;
  channelProps: Props;
  status: RecipientStatus;
  collapsedThreads: boolean;
  isBot: boolean;
  deleted: boolean;
  emailVerified: boolean;
}

export interface RulePost {
  user_id: string;
  channel_id: string;
  root_id: string;
  type: string;
  props: Record<string, unknown>;
}

export interface RuleInput {
  post: RulePost;
  channelType: string;
  kinds: ReadonlyMap<string, MentionKind>;
  members: ReadonlyMap<string, RuleMember>;
  /** Followers of the replied thread (empty for a root post). */
  threadFollowers: readonly string[];
  settings: { sendEmail: boolean; sendPush: boolean; requireEmailVerification: boolean; collapsedThreadsAllowed: boolean };
  now: number;
}

/** One recipient of a push or an email, and why. */
export type PlannedNotification = Pick<PostNotification, 'explicitMention' | 'channelWideMention' | 'replyToThreadType' | 'reason'> & { userId: string };

export interface NotificationPlan {
  push: PlannedNotification[];
  email: PlannedNotification[];
  /** Followers with collapsed threads whom clients should notify on the desktop (the event's `followers`). */
  desktopFollowers: string[];
}

const isSystemMessage = (post: RulePost) => post.type.startsWith('system_');
const fromWebhook = (post: Pick<RulePost, 'props'>) => post.props.from_webhook === 'true';

/** DND until dnd_end_time (seconds), or until changed when it is 0. */
function inDnd(s: RecipientStatus, now: number): boolean {
  return s.status === 'dnd' && (s.dnd_end_time === 0 || s.dnd_end_time * 1000 > now);
}

/** DoesNotifyPropsAllowPushNotification. */
export function pushAllowedByProps(member: RuleMember, post: RulePost, wasMentioned: boolean, isGM: boolean): boolean {
  let notify = member.channelProps.push || 'default';
  if (notify === 'default') {
    notify = member.userProps.push ?? '';
    if (isGM && notify === 'mention') notify = 'all';
  }
  if (member.channelProps.mark_unread === 'mention') return false; // muted
  if (isSystemMessage(post)) return false;
  if (notify === 'none') return false;
  if (notify === 'mention' && !wasMentioned) return false;
  return true;
}

/**
 * DoesStatusAllowPushNotification: never in DND or out of office; with push_status `online`
 * (or unset) unless the user is reading this very channel right now; with `away` when away or
 * offline; with `offline` only when offline.
 */
export function pushAllowedByStatus(userProps: Props, status: RecipientStatus, channelId: string, now: number): boolean {
  if (inDnd(status, now) || status.status === 'ooo') return false;
  const pushStatus = userProps.push_status;
  const readingHere = status.activeChannelId === channelId && now - status.last_activity_at <= STATUS_CHANNEL_TIMEOUT_MS;
  if ((pushStatus === 'online' || pushStatus === undefined) && !readingHere) return true;
  const current = status.status === 'dnd' ? 'away' : status.status; // an expired DND is no longer DND
  if (pushStatus === 'away' && (current === 'away' || current === 'offline')) return true;
  if (pushStatus === 'offline' && current === 'offline') return true;
  return false;
}

/**
 * userAllowsEmail: people (not bots), active, email on (the channel's `email` prop overrides the
 * user's, except for a reply when the user has collapsed threads), the channel not muted, and not
 * online, in DND or out of office; auto-responder posts never.
 */
export function emailAllowed(member: RuleMember, post: RulePost, now: number): boolean {
  if (member.isBot || member.deleted) return false;
  let allows = member.userProps.email !== 'false';
  const channelEmail = member.channelProps.email;
  if (channelEmail !== undefined && channelEmail !== 'default' && !(member.collapsedThreads && post.root_id !== '')) allows = channelEmail !== 'false';
  if (member.channelProps.mark_unread === 'mention') allows = false;
  const s = member.status;
  const statusAllows = s.status !== 'online' && !inDnd(s, now);
  const autoResponder = s.status === 'ooo' || post.type === 'system_auto_responder';
  return allows && statusAllows && !autoResponder;
}

/** shouldUserNotifyCRT + shouldChannelMemberNotifyCRT: how a follower of a thread hears of a reply. */
export function crtFollowerNotifies(
  member: Pick<RuleMember, 'userProps' | 'channelProps'>,
  mentioned: boolean,
): { desktop: boolean; push: boolean; email: boolean } {
  const u = member.userProps;
  const c = member.channelProps;
  const userDesktop = u.desktop !== 'none' && (mentioned || u.desktop_threads === 'all' || u.desktop === 'all');
  const userPush = u.push !== 'none' && (mentioned || u.push_threads === 'all' || u.push === 'all');
  const email = u.email === 'true' && (mentioned || u.email_threads === 'all');
  const cd = c.desktop ?? 'default';
  const cp = c.push ?? 'default';
  const channelDesktop = cd !== 'default' && cd !== 'none' && (mentioned || (c.desktop_threads === 'all' && u.desktop_threads !== 'mention') || cd === 'all');
  const channelPush = cp !== 'default' && cp !== 'none' && (mentioned || c.push_threads === 'all' || cp === 'all');
  return { desktop: (cd === 'default' && userDesktop) || channelDesktop, push: (cp === 'default' && userPush) || channelPush, email };
}

const REASON: Record<MentionKind, NotificationReason> = {
  keyword: 'mention',
  dm: 'dm',
  channel: 'channel',
  comment: 'mention',
  thread: 'mention',
  gm: 'gm',
};

/**
 * How a notification describes a mention (sendPushNotification's arguments): explicit for a
 * keyword, a DM or a channel-wide mention; the thread kinds of a reply for the rest.
 */
function mentionFields(userId: string, kind: MentionKind, hereOnly: boolean): PlannedNotification {
  return {
    userId,
    reason: kind === 'channel' && hereOnly ? 'here' : REASON[kind],
    explicitMention: kind === 'keyword' || kind === 'channel' || kind === 'dm',
    channelWideMention: kind === 'channel',
    replyToThreadType: kind === 'thread' ? 'any' : kind === 'comment' ? 'root' : '',
  };
}

const followerFields = (userId: string): PlannedNotification => ({
  userId,
  reason: 'thread',
  explicitMention: false,
  channelWideMention: false,
  replyToThreadType: 'CRT',
});

/**
 * SendNotifications' decisions for one post. `hereOnly` marks channel-wide mentions that came
 * from `@here` alone (for the wording of the notification).
 */
export function planNotifications(input: RuleInput, hereOnly = false): NotificationPlan {
  const { post, kinds, members, settings, now } = input;
  const isReply = post.root_id !== '';
  const isGM = input.channelType === 'G';
  const crtThread = settings.collapsedThreadsAllowed && isReply;

  // Followers with collapsed threads on hear of a reply through the CRT rules only.
  const crt = { desktop: new Set<string>(), push: new Set<string>(), email: new Set<string>() };
  if (crtThread) {
    for (const id of input.threadFollowers) {
      const m = members.get(id);
      if (!m || !m.collapsedThreads) continue;
      if (id === post.user_id && !fromWebhook(post)) continue;
      const n = crtFollowerNotifies(m, kinds.has(id));
      if (n.desktop) crt.desktop.add(id);
      if (n.push) crt.push.add(id);
      if (n.email) crt.email.add(id);
    }
  }

  const email: PlannedNotification[] = [];
  if (settings.sendEmail) {
    for (const id of new Set([...kinds.keys(), ...crt.email])) {
      const m = members.get(id);
      if (!m || (settings.requireEmailVerification && !m.emailVerified)) continue;
      const kind = kinds.get(id);
      if (emailAllowed(m, post, now)) email.push(kind ? mentionFields(id, kind, hereOnly) : followerFields(id));
    }
  }

  const push: PlannedNotification[] = [];
  if (settings.sendPush) {
    for (const [id, kind] of kinds) {
      const m = members.get(id);
      if (!m || crt.push.has(id)) continue;
      const explicit = kind !== 'gm';
      if (!pushAllowedByProps(m, post, explicit, isGM) || !pushAllowedByStatus(m.userProps, m.status, post.channel_id, now)) continue;
      push.push(mentionFields(id, kind, hereOnly));
    }
    // Members who want a push for every message (not for their own, unless a webhook posted it).
    if (input.channelType !== 'D') {
      for (const m of members.values()) {
        if (kinds.has(m.userId) || crt.push.has(m.userId)) continue;
        const wantsAll = m.userProps.push === 'all' || m.channelProps.push === 'all';
        const ownPost = post.user_id === m.userId && !fromWebhook(post);
        if (!wantsAll || ownPost || isSystemMessage(post) || (m.collapsedThreads && isReply)) continue;
        if (!pushAllowedByProps(m, post, false, isGM) || !pushAllowedByStatus(m.userProps, m.status, post.channel_id, now)) continue;
        push.push({ userId: m.userId, reason: 'all', explicitMention: false, channelWideMention: false, replyToThreadType: '' });
      }
    }
    for (const id of crt.push) {
      const m = members.get(id)!;
      if (!pushAllowedByStatus(m.userProps, m.status, post.channel_id, now)) continue;
      push.push(followerFields(id));
    }
  }

  return { push, email, desktopFollowers: [...crt.desktop] };
}

/** The members of a channel as the mentions read them (MentionMemberRow's props). */
interface PropsOf {
  user_id: string;
  user_notify_props: Props | null;
  channel_notify_props: Props | null;
}

/**
 * The `followers` of a reply's posted event: thread followers with collapsed threads on whose
 * props ask for a desktop notification (never the poster, unless a webhook posted).
 */
export function desktopFollowers(
  post: Pick<RulePost, 'user_id' | 'props'>,
  crtFollowerIds: readonly string[],
  mentions: { kinds: ReadonlyMap<string, MentionKind>; members: readonly PropsOf[] },
): string[] {
  if (crtFollowerIds.length === 0) return [];
  const byUser = new Map(mentions.members.map((m) => [m.user_id, m]));
  return crtFollowerIds.filter((id) => {
    const m = byUser.get(id);
    if (!m || (id === post.user_id && !fromWebhook(post))) return false;
    return crtFollowerNotifies({ userProps: m.user_notify_props ?? {}, channelProps: m.channel_notify_props ?? {} }, mentions.kinds.has(id)).desktop;
  });
}
