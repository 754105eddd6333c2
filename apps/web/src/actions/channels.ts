/** The user's channels in a team, and opening one by its URL. */
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import { client } from '../api/client';
import { UserFacingError } from '../api/errors';
import { directChannelName, directPartnerId, myChannelByName, receivedCategories, receivedMyChannel, receivedMyChannels } from '../state/channels';
import { userByUsername } from '../state/selectors';
import { currentUserId } from '../state/session';
import { store, update } from '../state/store';
import { receivedProfiles } from '../state/users';
import { loadMissingProfiles } from './users';

/**
 * The team's sidebar: my channels (GET /users/me/teams/{team}/channels) and my categories
 * (GET /users/me/teams/{team}/channels/categories), once per team per sign-in (again with
 * `force`), and the DM partners' profiles for their names.
 */
export async function loadTeamChannels(team: Team, force = false): Promise<void> {
  if (store.get().channels.myByTeam[team.id] && !force) return;
  const me = currentUserId(store.get().session);
  const [channels, categories] = await Promise.all([client.getMyChannels(team.id), client.getChannelCategories(me, team.id)]);
  update('channels', (s) => receivedCategories(receivedMyChannels(s, team.id, channels), team.id, categories));
  await loadMissingProfiles(channels.filter((c) => c.type === 'D').map((c) => directPartnerId(c, me)));
}

/**
 * The channel a URL names. One of mine is at hand; a public one I am not in is joined on the way
 * in (as Mattermost's web app does when a link to it is opened); anything else is not found.
 */
export async function openChannel(team: Team, name: string): Promise<Channel> {
  await loadTeamChannels(team);
  const mine = myChannelByName(store.get().channels, team.id, name);
  if (mine) return mine;
  const channel = await client.getChannelByName(team.id, name).catch(() => undefined);
  if (!channel || channel.type !== 'O' || channel.delete_at) throw new UserFacingError(`There is no channel "${name}" you can open in ${team.display_name}.`);
  await client.addToChannel(currentUserId(store.get().session), channel.id);
  update('channels', (s) => receivedMyChannel(s, team.id, channel));
  return channel;
}

/** The direct channel with a person (/{team}/messages/@username), made if it is new. */
export async function openDirect(team: Team, username: string): Promise<Channel> {
  await loadTeamChannels(team);
  const me = currentUserId(store.get().session);
  let partner = userByUsername(store.get(), username);
  if (!partner) {
    partner = await client.getUserByUsername(username).catch(() => undefined);
    if (!partner) throw new UserFacingError(`There is nobody called @${username}.`);
    const found = partner;
    update('users', (s) => receivedProfiles(s, [found]));
  }
  const mine = myChannelByName(store.get().channels, team.id, directChannelName(me, partner.id));
  if (mine) return mine;
  const channel = await client.createDirectChannel([me, partner.id]);
  update('channels', (s) => receivedMyChannel(s, team.id, channel));
  return channel;
}
