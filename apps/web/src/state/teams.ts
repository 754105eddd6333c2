/** The teams the signed-in user is on. */
import type { Team, TeamUnread } from '@mattermost/types/teams';

/** What the team switcher shows of a team the user is not looking at. */
export interface TeamBadge {
  unread: boolean;
  mentions: number;
}

export interface TeamsState {
  /** Whether GET /users/me/teams has answered since sign-in. */
  loaded: boolean;
  byId: Record<string, Team>;
  /** Per team, from GET /users/me/teams/unread (DMs and group messages not counted: they show in every team). */
  unreads: Record<string, TeamBadge>;
}

export const initialTeams: TeamsState = { loaded: false, byId: {}, unreads: {} };

export function receivedMyTeams(state: TeamsState, teams: Team[]): TeamsState {
  return { ...state, loaded: true, byId: Object.fromEntries(teams.filter((t) => !t.delete_at).map((t) => [t.id, t])) };
}

/**
 * The teams' unread state. With collapsed threads on, replies count only in threads, so the
 * root-post counts and the unread threads stand for the team (as the server counts them for
 * Mattermost's team sidebar).
 */
export function receivedTeamUnreads(state: TeamsState, list: TeamUnread[], collapsedThreads: boolean): TeamsState {
  const unreads: Record<string, TeamBadge> = {};
  for (const u of list) {
    const messages = collapsedThreads ? u.msg_count_root + (u.thread_count ?? 0) : u.msg_count;
    const mentions = collapsedThreads ? u.mention_count_root + (u.thread_mention_count ?? 0) : u.mention_count;
    unreads[u.team_id] = { unread: messages > 0 || mentions > 0, mentions };
  }
  return { ...state, unreads };
}

/** Teams one may join: those listed to one that one is not on yet, by name. */
export function joinableTeams(state: TeamsState, listed: Team[]): Team[] {
  return listed.filter((t) => !state.byId[t.id] && !t.delete_at).sort((a, b) => a.display_name.localeCompare(b.display_name));
}

/** A team's initials for its switcher tile, as Mattermost draws a team without an icon: the first two letters. */
export function teamInitials(team: Pick<Team, 'display_name' | 'name'>): string {
  const letters = [...(team.display_name.trim() || team.name)].filter((c) => /[\p{L}\p{N}]/u.test(c));
  const [first = '?', second = ''] = letters;
  return (first.toUpperCase() + second.toLowerCase()).slice(0, 2);
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
