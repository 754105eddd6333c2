/**
 * The people, teams and channels the System Console manages: what the last list or search
 * answered (each section shows one result list at a time), and the members of the team or
 * channel opened. The objects are the server's; every change the console makes is followed by the
 * server's new copy (an archived team has its delete_at, a deactivated user theirs).
 */
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';

/** A membership row, team or channel alike: who, and their roles there. */
export interface Member {
  user_id: string;
  roles: string;
}

export interface Directory {
  users: Record<string, UserProfile>;
  /** The users section's result, in the server's order (undefined: not searched yet). */
  userResults?: string[];
  teams: Record<string, Team>;
  teamResults?: string[];
  channels: Record<string, Channel>;
  /** Channel results per team id (the channels section lists one team's channels at a time). */
  channelResults: Record<string, string[]>;
  /** Members per team or channel id (a team's and a channel's ids never collide). */
  members: Record<string, Member[]>;
}

export const initialDirectory: Directory = { users: {}, teams: {}, channels: {}, channelResults: {}, members: {} };

export function receivedUserResults(state: Directory, users: UserProfile[]): Directory {
  return { ...state, users: { ...state.users, ...byId(users) }, userResults: users.map((u) => u.id) };
}

/** One user's new copy (after activating, changing roles): updated where it is listed. */
export function receivedConsoleUser(state: Directory, user: UserProfile): Directory {
  return { ...state, users: { ...state.users, [user.id]: user } };
}

/** Profiles met on the way (members' names) without changing any result list. */
export function receivedConsoleUsers(state: Directory, users: UserProfile[]): Directory {
  return users.length ? { ...state, users: { ...state.users, ...byId(users) } } : state;
}

export function receivedTeamResults(state: Directory, teams: Team[]): Directory {
  return { ...state, teams: { ...state.teams, ...byId(teams) }, teamResults: teams.map((t) => t.id) };
}

/** Teams known without listing them (the channels section's team picker). */
export function receivedConsoleTeams(state: Directory, teams: Team[]): Directory {
  return { ...state, teams: { ...state.teams, ...byId(teams) } };
}

export function receivedConsoleTeam(state: Directory, team: Team): Directory {
  return { ...state, teams: { ...state.teams, [team.id]: team } };
}

/** A team's channels (public and private, archived or not), by display name. */
export function receivedChannelResults(state: Directory, teamId: string, channels: Channel[]): Directory {
  const unique = Object.values(byId(channels)).sort((a, b) => a.display_name.localeCompare(b.display_name) || a.name.localeCompare(b.name));
  return {
    ...state,
    channels: { ...state.channels, ...byId(unique) },
    channelResults: { ...state.channelResults, [teamId]: unique.map((c) => c.id) },
  };
}

export function receivedConsoleChannel(state: Directory, channel: Channel): Directory {
  return { ...state, channels: { ...state.channels, [channel.id]: channel } };
}

export function receivedMembers(state: Directory, ownerId: string, members: Member[]): Directory {
  return { ...state, members: { ...state.members, [ownerId]: members.map(({ user_id, roles }) => ({ user_id, roles })) } };
}

/** A member removed from a team or channel: off its list at once. */
export function removedMember(state: Directory, ownerId: string, userId: string): Directory {
  const list = state.members[ownerId];
  if (!list) return state;
  return { ...state, members: { ...state.members, [ownerId]: list.filter((m) => m.user_id !== userId) } };
}

/** Listed objects in the result's order (those the state lost are skipped). */
export function listed<T>(ids: readonly string[] | undefined, all: Record<string, T>): T[] | undefined {
  return ids?.map((id) => all[id]).filter((x): x is T => x !== undefined);
}

/** A team's or channel's members as the console lists them: by username (the id until the profile is known). */
export function listedMembers(state: Directory, ownerId: string): Array<{ userId: string; name: string; roles: string }> | undefined {
  return state.members[ownerId]
    ?.map((m) => {
      const user = state.users[m.user_id];
      return { userId: m.user_id, name: user ? `@${user.username}` : m.user_id, roles: m.roles };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Whether the roles string holds system_admin. */
export const hasSystemAdminRole = (roles: string): boolean => roles.split(/\s+/).includes('system_admin');

/**
 * The roles string for PUT /users/{id}/roles: system_user with or without system_admin, keeping
 * any other role the user has (Mattermost's console does the same when it makes a member admin).
 */
export function withSystemAdmin(roles: string, admin: boolean): string {
  const others = roles.split(/\s+/).filter((r) => r && r !== 'system_admin' && r !== 'system_user');
  return ['system_user', ...(admin ? ['system_admin'] : []), ...others].join(' ');
}

function byId<T extends { id: string }>(items: T[]): Record<string, T> {
  return Object.fromEntries(items.map((i) => [i.id, i]));
}
