/** The user's teams. */
import type { Team } from '@mattermost/types/teams';
import { client } from '../api/client';
import { store, update } from '../state/store';
import { currentTeam } from '../state/selectors';
import { currentUserId } from '../state/session';
import { joinableTeams, receivedMyTeams, receivedTeam, receivedTeamUnreads, teamNameFrom } from '../state/teams';

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

/** The teams the user could join (GET /teams lists the open ones, or all for a system admin), not yet theirs. */
export async function loadJoinableTeams(): Promise<Team[]> {
  await loadMyTeams();
  const listed = await client.getTeams(0, 200);
  return joinableTeams(store.get().teams, Array.isArray(listed) ? listed : listed.teams);
}

/** Joins a team (POST /teams/{id}/members, which the server allows for an open team). */
export async function joinTeam(team: Team): Promise<void> {
  await client.addToTeam(team.id, currentUserId(store.get().session));
  update('teams', (s) => receivedTeam(s, team));
}

/** Reads the unread state of every team (one request however many events asked for it at once). */
let unreadsLoading: Promise<void> | undefined;
export function loadTeamUnreads(): Promise<void> {
  unreadsLoading ??= (async () => {
    const collapsed = store.get().threads.collapsed;
    const list = await client.getMyTeamUnreads(collapsed);
    update('teams', (s) => receivedTeamUnreads(s, list, collapsed));
  })().finally(() => (unreadsLoading = undefined));
  return unreadsLoading;
}

/** A post in another team: its tile in the team switcher (shown to people on several teams) is read again. */
export function otherTeamActivity(teamId: string): void {
  const state = store.get();
  if (!teamId || teamId === currentTeam(state)?.id || Object.keys(state.teams.byId).length < 2) return;
  loadTeamUnreads().catch(() => undefined);
}
