/**
 * Direct and group messages: finding people (POST /users/search), opening a conversation with one
 * (POST /channels/direct, through the /{team}/messages/@username route) or several
 * (POST /channels/group), and the socket's `direct_added` / `group_added`, which put a
 * conversation someone else started into the sidebar at once.
 */
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import { client } from '../api/client';
import { UserFacingError } from '../api/errors';
import { directPartnerId, myChannelByName, receivedMyChannel } from '../state/channels';
import { currentTeam } from '../state/selectors';
import { currentUserId } from '../state/session';
import { store, update } from '../state/store';
import { receivedProfiles } from '../state/users';
import { loadTeamChannels } from './channels';
import { navigate } from './navigation';
import { loadMissingProfiles } from './users';

/** As many people as the dialog lists. */
const SEARCH_LIMIT = 50;
/** A group message has 3 to 8 members, oneself included (Mattermost's limits). */
export const GROUP_MAX_OTHERS = 7;

/** Active people whose names match `term` (everyone active, first page, for an empty term), not oneself. */
export async function searchPeople(term: string): Promise<UserProfile[]> {
  const me = currentUserId(store.get().session);
  const trimmed = term.trim().replace(/^@/, '');
  const users = trimmed ? await client.searchUsers(trimmed, { limit: SEARCH_LIMIT }) : await client.getProfiles(0, SEARCH_LIMIT, { active: true });
  update('users', (s) => receivedProfiles(s, users));
  return users.filter((u) => u.id !== me && !u.delete_at);
}

/** Opens the conversation with the chosen people: a DM for one, a group message for more. */
export async function openConversation(team: Team, people: UserProfile[]): Promise<void> {
  if (people.length === 0) return;
  if (people.length === 1) {
    navigate({ screen: 'direct', team: team.name, username: people[0]!.username });
    return;
  }
  if (people.length > GROUP_MAX_OTHERS) throw new UserFacingError(`A group message can have at most ${GROUP_MAX_OTHERS} other people.`);
  const me = currentUserId(store.get().session);
  const channel = await client.createGroupChannel([me, ...people.map((p) => p.id)]);
  addToEveryTeam(channel);
  navigate({ screen: 'group', team: team.name, channel: channel.name });
}

/** A group message by its name (/{team}/messages/{name}): one of the user's channels. */
export async function openGroup(team: Team, name: string): Promise<Channel> {
  await loadTeamChannels(team);
  let mine = myChannelByName(store.get().channels, team.id, name);
  if (!mine) {
    // Perhaps made since the sidebar was loaded.
    await loadTeamChannels(team, true);
    mine = myChannelByName(store.get().channels, team.id, name);
  }
  if (!mine || mine.type !== 'G') throw new UserFacingError('There is no such group message, or you are not in it.');
  return mine;
}

/** `direct_added` / `group_added`: someone started a conversation with the user; it joins the sidebar. */
export async function conversationAdded(channelId: string): Promise<void> {
  const channel = await client.getChannel(channelId);
  addToEveryTeam(channel);
  if (channel.type === 'D') await loadMissingProfiles([directPartnerId(channel, currentUserId(store.get().session))]);
}

/** DMs and GMs belong to no team: they are listed in every team whose sidebar is loaded. */
function addToEveryTeam(channel: Channel): void {
  const teams = Object.keys(store.get().channels.myByTeam);
  const team = currentTeam(store.get());
  if (team && !teams.includes(team.id)) teams.push(team.id);
  update('channels', (s) => teams.reduce((acc, teamId) => receivedMyChannel(acc, teamId, channel), s));
}
