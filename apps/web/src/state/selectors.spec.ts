import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import { describe, expect, it } from 'vitest';
import { initialAppState, type AppState } from './app-state';
import { directChannelName, initialChannels, receivedMyChannels } from './channels';
import type { Route } from './route';
import { currentChannel, currentTeam, currentUser } from './selectors';
import { signedIn } from './session';
import { initialTeams, receivedMyTeams } from './teams';

const team = { id: 't1', name: 'acme', display_name: 'Acme', delete_at: 0 } as Team;
const town = { id: 'c1', name: 'town-square', type: 'O', delete_at: 0 } as Channel;
const dm = { id: 'd1', name: directChannelName('me', 'bob'), type: 'D', delete_at: 0 } as Channel;

function stateAt(route: Route): AppState {
  return {
    ...initialAppState(route),
    session: signedIn('me'),
    teams: receivedMyTeams(initialTeams, [team]),
    channels: receivedMyChannels(initialChannels, 't1', [town, dm]),
    users: { profiles: { me: { id: 'me', username: 'me' } as UserProfile, bob: { id: 'bob', username: 'bob' } as UserProfile } },
  };
}

describe('selectors', () => {
  it('finds the team and channel the URL names', () => {
    const state = stateAt({ screen: 'channel', team: 'acme', channel: 'town-square' });
    expect(currentTeam(state)).toBe(team);
    expect(currentChannel(state)).toBe(town);
    expect(currentUser(state)?.username).toBe('me');
  });

  it('finds a DM by the partner in the URL', () => {
    expect(currentChannel(stateAt({ screen: 'direct', team: 'acme', username: 'bob' }))).toBe(dm);
    expect(currentChannel(stateAt({ screen: 'direct', team: 'acme', username: 'nobody' }))).toBeUndefined();
  });

  it('finds nothing for a team the user is not on or a screen without one', () => {
    expect(currentTeam(stateAt({ screen: 'channel', team: 'other', channel: 'town-square' }))).toBeUndefined();
    expect(currentChannel(stateAt({ screen: 'channel', team: 'acme', channel: 'nope' }))).toBeUndefined();
    expect(currentTeam(stateAt({ screen: 'login', redirectTo: '', extra: '' }))).toBeUndefined();
  });
});
