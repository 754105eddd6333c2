/** The user's teams. */
import type { Team } from '@mattermost/types/teams';
import { client } from '../api/client';
import { store, update } from '../state/store';
import { receivedMyTeams, receivedTeam, teamNameFrom } from '../state/teams';

/** Loads the user's teams once per sign-in (again with `force`). */
export async function loadMyTeams(force = false): Promise<void> {
  if (store.get().teams.loaded && !force) return;
  const teams = await client.getMyTeams();
  update('teams', (s) => receivedMyTeams(s, teams));
}

/** Creates an open team named after `displayName` (its creator becomes its admin); returns it. */
export async function createTeam(displayName: string): Promise<Team> {
  const team = await client.createTeam({ display_name: displayName.trim(), name: teamNameFrom(displayName), type: 'O' } as Team);
  update('teams', (s) => receivedTeam(s, team));
  return team;
}
