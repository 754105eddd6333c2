/**
 * What screens show, derived from the state and the route. Each returns an object stored in the
 * state (or undefined), so that useAppState can use them directly.
 */
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import type { AppState } from './app-state';
import { directChannelName, myChannelByName } from './channels';
import { currentUserId } from './session';
import { teamByName } from './teams';

/** The team the URL names, if the user is on it. */
export function currentTeam(state: AppState): Team | undefined {
  const route = state.route;
  if (route.screen !== 'team' && route.screen !== 'channel' && route.screen !== 'direct' && route.screen !== 'group' && route.screen !== 'threads')
    return undefined;
  return teamByName(state.teams, route.team);
}

/** The channel the URL names (by name, or a DM by the partner's username), if it is one of the user's. */
export function currentChannel(state: AppState): Channel | undefined {
  const route = state.route;
  const team = currentTeam(state);
  if (!team) return undefined;
  if (route.screen === 'channel' || route.screen === 'group') return myChannelByName(state.channels, team.id, route.channel);
  if (route.screen === 'direct') {
    const partner = userByUsername(state, route.username);
    return partner ? myChannelByName(state.channels, team.id, directChannelName(currentUserId(state.session), partner.id)) : undefined;
  }
  return undefined;
}

/** The signed-in user's profile. */
export const currentUser = (state: AppState): UserProfile | undefined => state.users.profiles[currentUserId(state.session)];

export function userByUsername(state: AppState, username: string): UserProfile | undefined {
  return Object.values(state.users.profiles).find((u) => u.username === username);
}
