/** The signed-in user's channels per team, and the sidebar's categories. */
import type { ChannelCategory, OrderedChannelCategories } from '@mattermost/types/channel_categories';
import type { Channel } from '@mattermost/types/channels';
import type { UserProfile } from '@mattermost/types/users';
import type { Route } from './route';

export interface ChannelsState {
  byId: Record<string, Channel>;
  /** My channels per team id, as GET /users/me/teams/{team}/channels lists them (DMs and GMs in every team). */
  myByTeam: Record<string, string[]>;
  /** The sidebar's categories per team id, in the user's order. */
  categories: Record<string, ChannelCategory[]>;
}

export const initialChannels: ChannelsState = { byId: {}, myByTeam: {}, categories: {} };

export function receivedMyChannels(state: ChannelsState, teamId: string, channels: Channel[]): ChannelsState {
  const byId = { ...state.byId };
  for (const c of channels) byId[c.id] = c;
  return { ...state, byId, myByTeam: { ...state.myByTeam, [teamId]: channels.map((c) => c.id) } };
}

/** A channel the user just joined or opened (a DM made on the way): known, and on the team's list. */
export function receivedMyChannel(state: ChannelsState, teamId: string, channel: Channel): ChannelsState {
  const mine = state.myByTeam[teamId] ?? [];
  return {
    ...state,
    byId: { ...state.byId, [channel.id]: channel },
    myByTeam: mine.includes(channel.id) ? state.myByTeam : { ...state.myByTeam, [teamId]: [...mine, channel.id] },
  };
}

export function receivedCategories(state: ChannelsState, teamId: string, ordered: OrderedChannelCategories): ChannelsState {
  const byId = new Map(ordered.categories.map((c) => [c.id, c]));
  const inOrder = ordered.order.map((id) => byId.get(id)).filter((c): c is ChannelCategory => !!c);
  // Categories the order leaves out still show, after the others.
  const rest = ordered.categories.filter((c) => !ordered.order.includes(c.id));
  return { ...state, categories: { ...state.categories, [teamId]: [...inOrder, ...rest] } };
}

/** One of my channels in a team by its URL name (a DM's name is its two user ids joined by "__"). */
export function myChannelByName(state: ChannelsState, teamId: string, name: string): Channel | undefined {
  return (state.myByTeam[teamId] ?? []).map((id) => state.byId[id]).find((c) => c?.name === name);
}

/** A direct channel's name, as the server makes it: the two ids in order, joined by "__". */
export const directChannelName = (a: string, b: string): string => (a < b ? `${a}__${b}` : `${b}__${a}`);

/** The other person of a direct channel (oneself for one's own notes channel). */
export function directPartnerId(channel: Pick<Channel, 'name'>, myId: string): string {
  const [a = '', b = ''] = channel.name.split('__');
  return a === myId ? b : a;
}

export interface SidebarItem {
  id: string;
  label: string;
  type: Channel['type'];
  route: Route;
}

export interface SidebarSection {
  id: string;
  title: string;
  items: SidebarItem[];
  /** The user's category this section shows (none for the fallback sections of unlisted channels). */
  category?: ChannelCategory;
}

/** A channel's name in the sidebar and the header: the display name, or the partner's username for a DM. */
export function channelLabel(channel: Channel, myId: string, profiles: Record<string, UserProfile>): string {
  if (channel.type === 'D') {
    const partner = profiles[directPartnerId(channel, myId)];
    return partner ? partner.username : channel.display_name || 'Direct message';
  }
  if (channel.type === 'G') return groupLabel(channel.display_name, profiles[myId]?.username ?? '');
  return channel.display_name || channel.name;
}

/** Where a sidebar item leads: channels by name, DMs by the partner's username (as Mattermost's URLs). */
export function itemRoute(team: string, channel: Channel, myId: string, profiles: Record<string, UserProfile>): Route {
  const partner = channel.type === 'D' ? profiles[directPartnerId(channel, myId)] : undefined;
  if (channel.type === 'G') return { screen: 'group', team, channel: channel.name };
  return partner ? { screen: 'direct', team, username: partner.username } : { screen: 'channel', team, channel: channel.name };
}

/**
 * The sidebar of a team: the user's categories in their order (an empty Favourites hidden), each
 * with its channels sorted as the category says; archived channels left out. Channels that no
 * category lists yet (the categories not loaded, or a channel just joined) are shown under
 * "Channels" or "Direct Messages" by their type, so nothing the user is in goes missing.
 */
export function sidebarSections(state: ChannelsState, teamId: string, teamName: string, myId: string, profiles: Record<string, UserProfile>): SidebarSection[] {
  const mine = new Set(state.myByTeam[teamId] ?? []);
  const item = (id: string): SidebarItem | undefined => {
    const c = state.byId[id];
    if (!c || c.delete_at || !mine.has(id)) return undefined;
    return { id, label: channelLabel(c, myId, profiles), type: c.type, route: itemRoute(teamName, c, myId, profiles) };
  };
  const listed = new Set<string>();
  const sections: SidebarSection[] = [];
  for (const category of state.categories[teamId] ?? []) {
    const items = category.channel_ids.map(item).filter((i): i is SidebarItem => !!i);
    items.forEach((i) => listed.add(i.id));
    if (category.type === 'favorites' && items.length === 0) continue;
    sections.push({ id: category.id, title: category.display_name, items: sortItems(items, category.sorting as string, state), category });
  }
  const unlisted = [...mine].filter((id) => !listed.has(id)).map(item);
  const addUnlisted = (id: string, title: string, types: Channel['type'][]) => {
    const items = unlisted.filter((i): i is SidebarItem => !!i && types.includes(i.type));
    if (items.length === 0) return;
    const section = sections.find((s) => s.title === title);
    if (section) section.items = [...section.items, ...sortItems(items, 'alpha', state)];
    else sections.push({ id, title, items: sortItems(items, 'alpha', state) });
  };
  addUnlisted('unlisted-channels', 'Channels', ['O', 'P']);
  addUnlisted('unlisted-direct', 'Direct Messages', ['D', 'G']);
  return sections;
}

/**
 * What a collapsed category still shows, as in Mattermost's sidebar: its unread channels and the
 * one open, so that nothing new hides behind the fold.
 */
export function collapsedItems(items: SidebarItem[], currentChannelId: string, isUnread: (channelId: string) => boolean): SidebarItem[] {
  return items.filter((i) => i.id === currentChannelId || isUnread(i.id));
}

/** The category of a team's sidebar that holds a channel. */
export function categoryOfChannel(state: ChannelsState, teamId: string, channelId: string): ChannelCategory | undefined {
  return state.categories[teamId]?.find((c) => c.channel_ids.includes(channelId));
}

/**
 * Where a channel goes when it leaves Favorites: its default category by type (Direct Messages
 * for DMs and group messages, Channels for the rest), where the server also puts it when its custom
 * category is deleted.
 */
export function homeCategory(state: ChannelsState, teamId: string, channel: Pick<Channel, 'type'>): ChannelCategory | undefined {
  const type = channel.type === 'D' || channel.type === 'G' ? 'direct_messages' : 'channels';
  return state.categories[teamId]?.find((c) => c.type === type);
}

/**
 * Where a category may take a channel, as in Mattermost's "Move to…": not the one it is in,
 * not Favorites (that is the favourite item), and a DM or group message never into Channels nor a
 * channel into Direct Messages.
 */
export function moveTargets(categories: ChannelCategory[], channel: Pick<Channel, 'type'>, currentId: string | undefined): ChannelCategory[] {
  const direct = channel.type === 'D' || channel.type === 'G';
  const excluded = direct ? 'channels' : 'direct_messages';
  return categories.filter((c) => c.id !== currentId && c.type !== 'favorites' && c.type !== excluded);
}

/** A category with a channel put first in it (the server takes it out of the category it was in). */
export function withChannelFirst(category: ChannelCategory, channelId: string): ChannelCategory {
  return { ...category, channel_ids: [channelId, ...category.channel_ids.filter((id) => id !== channelId)] };
}

/** A team's categories with one replaced (an optimistic change, such as collapsing, before the server answers). */
export function categoryChanged(state: ChannelsState, teamId: string, category: ChannelCategory): ChannelsState {
  const list = state.categories[teamId];
  if (!list) return state;
  return { ...state, categories: { ...state.categories, [teamId]: list.map((c) => (c.id === category.id ? category : c)) } };
}

function sortItems(items: SidebarItem[], sorting: string, state: ChannelsState): SidebarItem[] {
  if (sorting === 'alpha') return [...items].sort((a, b) => a.label.localeCompare(b.label));
  if (sorting === 'recent') return [...items].sort((a, b) => (state.byId[b.id]?.last_post_at ?? 0) - (state.byId[a.id]?.last_post_at ?? 0));
  return items; // manual: the order the user gave
}

/** A group message's name without oneself: the server names it after all its members ("alice, bob, carl"). */
export function groupLabel(displayName: string, myUsername: string): string {
  const others = displayName
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n && n !== myUsername);
  return others.join(', ') || displayName || 'Group message';
}
