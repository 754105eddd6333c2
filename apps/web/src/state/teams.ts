/** The teams the signed-in user is on. */
import type { Team } from '@mattermost/types/teams';

export interface TeamsState {
  /** Whether GET /users/me/teams has answered since sign-in. */
  loaded: boolean;
  byId: Record<string, Team>;
}

export const initialTeams: TeamsState = { loaded: false, byId: {} };

export function receivedMyTeams(_state: TeamsState, teams: Team[]): TeamsState {
  return { loaded: true, byId: Object.fromEntries(teams.filter((t) => !t.delete_at).map((t) => [t.id, t])) };
}

export function receivedTeam(state: TeamsState, team: Team): TeamsState {
  return { ...state, byId: { ...state.byId, [team.id]: team } };
}

export function teamByName(state: TeamsState, name: string): Team | undefined {
  return Object.values(state.byId).find((t) => t.name === name);
}

/** The user's teams in the order Mattermost's team sidebar shows them without a saved order: by display name. */
export function sortedTeams(state: TeamsState): Team[] {
  return Object.values(state.byId).sort((a, b) => a.display_name.localeCompare(b.display_name) || a.name.localeCompare(b.name));
}

/** The team to open when a URL names none: the first in order (undefined: the user is on no team). */
export const defaultTeam = (state: TeamsState): Team | undefined => sortedTeams(state)[0];

/**
 * A team URL name from a display name, as Mattermost's create-team page suggests it: lower case,
 * letters and digits joined by single dashes, 2–64 characters (padded when too short).
 */
export function teamNameFrom(displayName: string): string {
  const name = displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return name.length >= 2 ? name : `${name || 'team'}-${Math.random().toString(36).slice(2, 8)}`;
}
