/**
 * What the composer's autocomplete asks the server: people (GET /users/autocomplete), channels
 * (GET /teams/{t}/channels/autocomplete), custom emoji (GET /emoji/autocomplete, when the server
 * has them) and slash commands (GET /teams/{t}/commands/autocomplete_suggestions). People found
 * are kept as profiles, so that their names show once they are mentioned.
 */
import type { AutocompleteSuggestion } from '@mattermost/types/autocomplete';
import type { Channel } from '@mattermost/types/channels';
import type { CustomEmoji } from '@mattermost/types/emojis';
import type { UserProfile } from '@mattermost/types/users';
import { client } from '../api/client';
import { enabled } from '../state/config';
import { store, update } from '../state/store';
import { receivedProfiles } from '../state/users';

/** As many people as Mattermost's web app asks for. */
const USER_LIMIT = 25;

/** The channel's members matching `term`, and other people of the team who match. */
export async function autocompleteUsers(teamId: string, channelId: string, term: string): Promise<{ members: UserProfile[]; others: UserProfile[] }> {
  const answer = await client.autocompleteUsers(term, teamId, channelId, { limit: USER_LIMIT });
  const members = answer.users ?? [];
  const others = answer.out_of_channel ?? [];
  update('users', (s) => receivedProfiles(s, [...members, ...others]));
  return { members, others };
}

export function autocompleteChannels(teamId: string, term: string): Promise<Channel[]> {
  return client.autocompleteChannels(teamId, term);
}

/** Custom emoji whose name begins with `term`; none when the server has custom emoji off. */
export async function autocompleteCustomEmoji(term: string): Promise<CustomEmoji[]> {
  if (!enabled(store.get().config.client, 'EnableCustomEmoji')) return [];
  return client.autocompleteCustomEmoji(term);
}

/** The image of a custom emoji (a route of this site, so the CSP's img-src 'self' allows it). */
export const customEmojiImageUrl = (id: string): string => `/api/v4/emoji/${encodeURIComponent(id)}/image`;

/** What completes the slash command typed so far; none when the server has commands off. */
export async function autocompleteCommands(teamId: string, channelId: string, typed: string): Promise<AutocompleteSuggestion[]> {
  if (store.get().config.client.EnableCommands === 'false') return [];
  return client.getCommandAutocompleteSuggestionsList(typed, teamId, { channel_id: channelId, team_id: teamId });
}
