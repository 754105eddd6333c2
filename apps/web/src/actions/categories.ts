/**
 * The sidebar's categories: making, renaming, deleting and collapsing them, and moving a channel
 * between them (Favorites included), through /users/{me}/teams/{team}/channels/categories. After a
 * change the team's categories are read again: the server decides where the other channels went
 * (a deleted category's channels go back to their defaults), and its `sidebar_category_*` events
 * bring the same reload to the user's other tabs and devices.
 */
import type { ChannelCategory } from '@mattermost/types/channel_categories';
import type { Channel } from '@mattermost/types/channels';
import { client } from '../api/client';
import { categoryChanged, categoryOfChannel, homeCategory, receivedCategories, withChannelFirst } from '../state/channels';
import { currentUserId } from '../state/session';
import { store, update } from '../state/store';

const me = (): string => currentUserId(store.get().session);

/** Reads a team's categories again (one request however many events asked for it at once). */
const reloading = new Map<string, Promise<void>>();
export function reloadCategories(teamId: string): Promise<void> {
  const running = reloading.get(teamId);
  if (running) return running;
  const load = client
    .getChannelCategories(me(), teamId)
    .then((ordered) => update('channels', (s) => receivedCategories(s, teamId, ordered)))
    .finally(() => reloading.delete(teamId));
  reloading.set(teamId, load);
  return load;
}

/**
 * A new custom category, placed by the server after Favorites, with the channel given moved into
 * it. The body names its owner and team, which the server checks against the URL.
 */
export async function createCategory(teamId: string, displayName: string, channelId?: string): Promise<void> {
  await client.createChannelCategory(me(), teamId, { user_id: me(), team_id: teamId, display_name: displayName, channel_ids: channelId ? [channelId] : [] });
  await reloadCategories(teamId);
}

export async function renameCategory(teamId: string, category: ChannelCategory, displayName: string): Promise<void> {
  await client.updateChannelCategory(me(), teamId, { ...category, display_name: displayName });
  await reloadCategories(teamId);
}

/** Deletes a custom category; its channels go back to Channels or Direct Messages. */
export async function deleteCategory(teamId: string, category: ChannelCategory): Promise<void> {
  await client.deleteChannelCategory(me(), teamId, category.id);
  await reloadCategories(teamId);
}

/** Folds a category away or opens it: shown at once, undone if the server refuses. */
export async function toggleCollapsed(teamId: string, category: ChannelCategory): Promise<void> {
  const changed = { ...category, collapsed: !category.collapsed };
  update('channels', (s) => categoryChanged(s, teamId, changed));
  try {
    await client.updateChannelCategory(me(), teamId, changed);
  } catch (err) {
    update('channels', (s) => categoryChanged(s, teamId, category));
    throw err;
  }
}

/** Puts a channel at the top of a category (the server takes it out of the one it was in). */
export async function moveChannel(teamId: string, channelId: string, target: ChannelCategory): Promise<void> {
  await client.updateChannelCategory(me(), teamId, withChannelFirst(target, channelId));
  await reloadCategories(teamId);
}

/** Favourites a channel, or takes it out of Favorites back to its default category. */
export async function toggleFavorite(teamId: string, channel: Channel): Promise<void> {
  const state = store.get().channels;
  const favorites = state.categories[teamId]?.find((c) => c.type === 'favorites');
  const target = categoryOfChannel(state, teamId, channel.id)?.type === 'favorites' ? homeCategory(state, teamId, channel) : favorites;
  if (target) await moveChannel(teamId, channel.id, target);
}
