/**
 * Unread messages and mentions per channel, for the sidebar's badges: the channel's totals
 * (total_msg_count and, for collapsed threads, total_msg_count_root) against what the member has
 * read (msg_count, msg_count_root) and their unread mentions, from GET
 * /users/me/teams/{t}/channels/members; kept live by `posted` (counted here) and by
 * channel_viewed / multiple_channels_viewed (read). A channel muted to mentions
 * (notify_props.mark_unread "mention") shows no unread state, only its mentions.
 */
import type { Channel, ChannelMembership, ServerChannel } from '@mattermost/types/channels';

export interface ChannelUnread {
  total: number;
  totalRoot: number;
  read: number;
  readRoot: number;
  mentions: number;
  mentionsRoot: number;
  muted: boolean;
}

export interface UnreadsState {
  byChannel: Record<string, ChannelUnread>;
  /** Teams whose members have been loaded since sign-in. */
  teams: Record<string, true>;
}

export const initialUnreads: UnreadsState = { byChannel: {}, teams: {} };

const isMuted = (member: Pick<ChannelMembership, 'notify_props'>): boolean => member.notify_props?.mark_unread === 'mention';

/** A team's memberships (DMs and GMs come with every team), with the totals of the channels they belong to. */
export function receivedChannelMembers(state: UnreadsState, teamId: string, channels: Record<string, Channel>, members: ChannelMembership[]): UnreadsState {
  const byChannel = { ...state.byChannel };
  for (const m of members) {
    // The channels as GET /users/me/teams/{t}/channels sent them, with their totals.
    const channel = channels[m.channel_id] as Partial<ServerChannel> | undefined;
    if (!channel) continue;
    byChannel[m.channel_id] = {
      total: channel.total_msg_count ?? 0,
      totalRoot: channel.total_msg_count_root ?? 0,
      read: m.msg_count ?? 0,
      readRoot: m.msg_count_root ?? 0,
      mentions: m.mention_count ?? 0,
      mentionsRoot: m.mention_count_root ?? 0,
      muted: isMuted(m),
    };
  }
  return { byChannel, teams: { ...state.teams, [teamId]: true } };
}

export interface CountedPost {
  /** Not a reply (counts in the root totals too). */
  root: boolean;
  /** The reader's own post: posting reads the channel (as the server records it). */
  mine: boolean;
  /** It mentions the reader (the event's `mentions`, or any post of someone else in a DM or GM). */
  mentionsMe: boolean;
}

/** A new post in a channel: one more in its totals; the reader's own reads the channel; a mention if it names them. */
export function postCounted(state: UnreadsState, channelId: string, post: CountedPost): UnreadsState {
  const entry = state.byChannel[channelId];
  if (!entry) return state;
  const next = { ...entry, total: entry.total + 1, totalRoot: entry.totalRoot + (post.root ? 1 : 0) };
  if (post.mine) {
    Object.assign(next, { read: next.total, readRoot: next.totalRoot, mentions: 0, mentionsRoot: 0 });
  } else if (post.mentionsMe) {
    next.mentions += 1;
    if (post.root) next.mentionsRoot += 1;
  }
  return { ...state, byChannel: { ...state.byChannel, [channelId]: next } };
}

/** The reader viewed the channel (here, or in another of their sessions): all read, no mentions. */
export function channelRead(state: UnreadsState, channelId: string): UnreadsState {
  const entry = state.byChannel[channelId];
  if (!entry || (entry.read === entry.total && entry.readRoot === entry.totalRoot && entry.mentions === 0 && entry.mentionsRoot === 0)) return state;
  return { ...state, byChannel: { ...state.byChannel, [channelId]: { ...entry, read: entry.total, readRoot: entry.totalRoot, mentions: 0, mentionsRoot: 0 } } };
}

/** channel_member_updated: the member's notify props (muting) changed. */
export function memberUpdated(state: UnreadsState, member: Pick<ChannelMembership, 'channel_id' | 'notify_props'>): UnreadsState {
  const entry = state.byChannel[member.channel_id];
  if (!entry || entry.muted === isMuted(member)) return state;
  return { ...state, byChannel: { ...state.byChannel, [member.channel_id]: { ...entry, muted: isMuted(member) } } };
}

/** What the sidebar shows for a channel: unread (bold) unless muted, and the mention count. With collapsed threads only root posts count. */
export function unreadOf(entry: ChannelUnread | undefined, collapsed: boolean): { unread: boolean; mentions: number; muted: boolean } {
  if (!entry) return { unread: false, mentions: 0, muted: false };
  const unreadCount = collapsed ? entry.totalRoot - entry.readRoot : entry.total - entry.read;
  return { unread: !entry.muted && unreadCount > 0, mentions: collapsed ? entry.mentionsRoot : entry.mentions, muted: entry.muted };
}
