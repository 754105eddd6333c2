/**
 * Unread and mention badges: the team's channel memberships (GET
 * /users/me/teams/{t}/channels/members, with the channels' totals) once per team, counted on as posts arrive, cleared when
 * a channel is viewed here (POST /channels/members/me/view) or in another session of the user
 * (channel_viewed, multiple_channels_viewed).
 */
import type { ChannelMembership } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import { client } from '../api/client';
import { currentChannel } from '../state/selectors';
import { currentUserId } from '../state/session';
import { store, update } from '../state/store';
import { teamByName } from '../state/teams';
import { channelRead, memberUpdated, postCounted, receivedChannelMembers } from '../state/unreads';
import { eventIds } from '../api/event-data';

/** Waits this long after a post in the open channel before telling the server it was read (one call for a burst). */
const VIEW_DEBOUNCE_MS = 1000;

/** The team's memberships, once per team per sign-in (again with `force`, after a gap in the socket's events). */
export async function loadChannelUnreads(teamName: string, force = false): Promise<void> {
  const team = teamByName(store.get().teams, teamName);
  if (!team || (store.get().unreads.teams[team.id] && !force)) return;
  watchVisibility();
  // The channels again with the memberships: their totals and the read counts from one moment.
  const [channels, members] = await Promise.all([client.getMyChannels(team.id), client.getMyChannelMembers(team.id)]);
  const byId = Object.fromEntries(channels.map((c) => [c.id, c]));
  update('unreads', (s) => receivedChannelMembers(s, team.id, byId, members));
}

/**
 * The channel loader's follow-up: the channel is viewed (read here at once, and on the server),
 * then the team's memberships load — after the view, so that they do not bring its unread state back.
 */
export function enteredChannel(teamName: string, channelId: string): void {
  viewChannel(channelId)
    .catch(() => undefined)
    .finally(() => void loadChannelUnreads(teamName).catch(() => undefined));
}

/** The reader opened a channel: read here at once, and on the server. */
export async function viewChannel(channelId: string): Promise<void> {
  update('unreads', (s) => channelRead(s, channelId));
  await client.viewMyChannel(channelId);
}

let viewTimer: ReturnType<typeof setTimeout> | undefined;

let viewPending = '';

/** Tells the server a channel on screen was read, once for a burst of posts (even if the reader has moved on since: they saw them). */
function viewSoon(channelId: string): void {
  if (viewPending && viewPending !== channelId) viewChannel(viewPending).catch(() => undefined);
  viewPending = channelId;
  clearTimeout(viewTimer);
  viewTimer = setTimeout(() => {
    viewPending = '';
    viewChannel(channelId).catch(() => undefined);
  }, VIEW_DEBOUNCE_MS);
}

const pageVisible = (): boolean => typeof document === 'undefined' || document.visibilityState !== 'hidden';

/** Posts counted already (an event may come again after a reconnect). */
const counted = new Set<string>();

/**
 * The socket's `posted`: one more post in its channel — a mention when the event names the reader
 * (or it is someone else's post in a DM or GM, as the server counts them). A post in the channel
 * on screen is read at once while the page is visible.
 */
export function countPosted(post: Post, data: Record<string, unknown>): void {
  if (counted.has(post.id)) return;
  counted.add(post.id);
  const state = store.get();
  const me = currentUserId(state.session);
  const mine = post.user_id === me;
  const channelType = typeof data.channel_type === 'string' ? data.channel_type : (state.channels.byId[post.channel_id]?.type ?? '');
  const mentioned = eventIds(data.mentions).includes(me) || channelType === 'D' || channelType === 'G';
  update('unreads', (s) => postCounted(s, post.channel_id, { root: !post.root_id, mine, mentionsMe: !mine && mentioned }));
  if (!mine && currentChannel(store.get())?.id === post.channel_id && pageVisible()) {
    update('unreads', (s) => channelRead(s, post.channel_id));
    viewSoon(post.channel_id);
  }
}

/** channel_viewed: the reader viewed a channel in one of their sessions. */
export function onChannelViewed(data: Record<string, unknown>): void {
  if (typeof data.channel_id === 'string') {
    const channelId = data.channel_id;
    update('unreads', (s) => channelRead(s, channelId));
  }
}

/** multiple_channels_viewed: several at once ({channel_times: {id: time}}). */
export function onMultipleChannelsViewed(data: Record<string, unknown>): void {
  const times = data.channel_times;
  if (!times || typeof times !== 'object') return;
  for (const channelId of Object.keys(times)) update('unreads', (s) => channelRead(s, channelId));
}

/** channel_member_updated: the reader's membership changed (muting). */
export function onChannelMemberUpdated(data: Record<string, unknown>): void {
  if (typeof data.channelMember !== 'string') return;
  try {
    const member = JSON.parse(data.channelMember) as ChannelMembership;
    update('unreads', (s) => memberUpdated(s, member));
  } catch {
    // Not JSON: nothing to change.
  }
}

let watching = false;

/** Coming back to the page reads the channel on screen, if posts came in meanwhile. */
function watchVisibility(): void {
  if (watching || typeof document === 'undefined') return;
  watching = true;
  document.addEventListener('visibilitychange', () => {
    if (!pageVisible()) return;
    const channel = currentChannel(store.get());
    const entry = channel ? store.get().unreads.byChannel[channel.id] : undefined;
    if (channel && entry && (entry.read < entry.total || entry.mentions > 0)) viewChannel(channel.id).catch(() => undefined);
  });
}
