/**
 * The users, teams and channels pages: lists and searches, and the changes a system admin makes
 * (activate, roles, sessions, archive, remove members). After each change the server's new copy
 * replaces the old one, so the page shows what the server now holds.
 */
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import { client } from '../api/client';
import {
  receivedChannelResults,
  receivedConsoleChannel,
  receivedConsoleTeam,
  receivedConsoleTeams,
  receivedConsoleUser,
  receivedConsoleUsers,
  receivedMembers,
  receivedTeamResults,
  receivedUserResults,
  removedMember,
  withSystemAdmin,
} from '../state/console-directory';
import { store } from '../state/store';
import { updateConsole } from './console-update';

const LIST_SIZE = 100;

// Client4's fetch, for the routes it has no method for (a team's private channels).
type DoFetch = <T>(url: string, options: { method: string }) => Promise<T>;
const doFetch: DoFetch = (url, options) => (client as unknown as { doFetch: DoFetch }).doFetch(url, options);

// ---- users ------------------------------------------------------------------------------------

/** Everyone (GET /users, active and deactivated), or those a term finds (POST /users/search, deactivated too). */
export async function searchConsoleUsers(term: string): Promise<void> {
  const t = term.trim();
  const users = t ? await client.searchUsers(t, { allow_inactive: true, limit: LIST_SIZE }) : await client.getProfiles(0, LIST_SIZE, {});
  updateConsole('directory', (s) => receivedUserResults(s, users));
}

async function refreshUser(userId: string): Promise<void> {
  const user = await client.getUser(userId);
  updateConsole('directory', (s) => receivedConsoleUser(s, user));
}

/** PUT /users/{id}/active: deactivating also ends the user's sessions (the server does that). */
export async function setUserActive(user: UserProfile, active: boolean): Promise<void> {
  await client.updateUserActive(user.id, active);
  await refreshUser(user.id);
}

/** PUT /users/{id}/roles: system admin or member, other roles kept. */
export async function setSystemAdmin(user: UserProfile, admin: boolean): Promise<void> {
  await client.updateUserRoles(user.id, withSystemAdmin(user.roles, admin));
  await refreshUser(user.id);
}

/** POST /users/{id}/sessions/revoke/all: signs the user out everywhere. */
export async function revokeSessions(user: UserProfile): Promise<void> {
  await client.revokeAllSessionsForUser(user.id);
}

// ---- teams ------------------------------------------------------------------------------------

/** All teams (GET /teams, system admins see private ones too), or those a term finds (POST /teams/search). */
export async function searchConsoleTeams(term: string): Promise<void> {
  const t = term.trim();
  const answer = t ? ((await client.searchTeams(t, {} as never)) as Team[] | { teams: Team[] }) : await client.getTeams(0, LIST_SIZE);
  const teams = Array.isArray(answer) ? answer : answer.teams;
  updateConsole('directory', (s) => receivedTeamResults(s, teams));
}

/** The teams to pick a channel list from, without touching the teams page's results. */
export async function loadConsoleTeamPicker(): Promise<void> {
  const answer = await client.getTeams(0, LIST_SIZE);
  const teams = Array.isArray(answer) ? answer : answer.teams;
  updateConsole('directory', (s) => receivedConsoleTeams(s, teams));
}

/** DELETE /teams/{id}: archives the team (Mattermost's soft delete); its new copy shows it archived. */
export async function archiveTeam(team: Team): Promise<void> {
  await client.deleteTeam(team.id);
  const archived = await client.getTeam(team.id).catch(() => ({ ...team, delete_at: Date.now() }));
  updateConsole('directory', (s) => receivedConsoleTeam(s, archived));
}

/** A team's members (GET /teams/{id}/members) and their profiles. */
export async function loadTeamMembers(teamId: string): Promise<void> {
  const members = await client.getTeamMembers(teamId, 0, LIST_SIZE);
  await loadConsoleProfiles(members.map((m) => m.user_id));
  updateConsole('directory', (s) => receivedMembers(s, teamId, members));
}

export async function removeTeamMember(teamId: string, userId: string): Promise<void> {
  await client.removeFromTeam(teamId, userId);
  updateConsole('directory', (s) => removedMember(s, teamId, userId));
}

// ---- channels ---------------------------------------------------------------------------------

/**
 * A team's channels: public and private (GET /teams/{id}/channels and …/channels/private, the
 * latter for system admins) and archived ones, or those a term finds (POST /teams/{id}/channels/search).
 */
export async function searchConsoleChannels(teamId: string, term: string): Promise<void> {
  const t = term.trim();
  const channels = t
    ? await client.searchChannels(teamId, t)
    : (
        await Promise.all([
          client.getChannels(teamId, 0, LIST_SIZE),
          doFetch<Channel[]>(`${client.getTeamRoute(teamId)}/channels/private?page=0&per_page=${LIST_SIZE}`, { method: 'get' }),
          client.getArchivedChannels(teamId, 0, LIST_SIZE),
        ])
      ).flat();
  updateConsole('directory', (s) => receivedChannelResults(s, teamId, channels as Channel[]));
}

/** DELETE /channels/{id}: archives the channel; its new copy shows it archived. */
export async function archiveChannel(channel: Channel): Promise<void> {
  await client.deleteChannel(channel.id);
  const archived = await client.getChannel(channel.id).catch(() => ({ ...channel, delete_at: Date.now() }));
  updateConsole('directory', (s) => receivedConsoleChannel(s, archived));
}

export async function loadChannelMembers(channelId: string): Promise<void> {
  const members = await client.getChannelMembers(channelId, 0, LIST_SIZE);
  await loadConsoleProfiles(members.map((m) => m.user_id));
  updateConsole('directory', (s) => receivedMembers(s, channelId, members));
}

export async function removeChannelMember(channelId: string, userId: string): Promise<void> {
  await client.removeFromChannel(userId, channelId);
  updateConsole('directory', (s) => removedMember(s, channelId, userId));
}

/** Profiles of members the console has not met yet. */
async function loadConsoleProfiles(ids: string[]): Promise<void> {
  const known = store.get().adminConsole.directory.users;
  const missing = [...new Set(ids)].filter((id) => !known[id]);
  if (missing.length === 0) return;
  const users = await client.getProfilesByIds(missing);
  updateConsole('directory', (s) => receivedConsoleUsers(s, users));
}
