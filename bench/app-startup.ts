/**
 * The requests Mattermost's web app makes when it loads, in its order and with its concurrency,
 * as mattermost-redux 11.9 issues them: the root's loadConfigAndMe (client config and licence),
 * loadMe (me, preferences, teams, team members, then team unreads and server limits, and the roles
 * of me and my team memberships), then the team route (its channels and channel members, the
 * sidebar categories, the roles of the channel memberships, the thread counts and the first page
 * of the global threads view, and the statuses of the people on screen).
 *
 * bench:core times this burst per user; test/clients drives the same sequence through
 * mattermost-redux itself and checks what the store holds after it.
 */
import type { Client4 } from '@mattermost/client';

/** mattermost-redux's THREADS_PAGE_SIZE: the global threads view asks for this many. */
export const THREADS_PAGE_SIZE = 25;

/** The distinct role names of space-separated role lists: what loadRolesIfNeeded asks the server for. */
export const rolesOf = (...lists: Array<string | undefined>) => [...new Set(lists.flatMap((r) => (r ?? '').split(' ')).filter(Boolean))];

/** One first load of the web app by a signed-in user, on `teamId`. Returns how many requests it made. */
export async function webAppStartup(client: Client4, teamId: string): Promise<number> {
  let requests = 0;
  const count = <T>(p: Promise<T>) => {
    requests++;
    return p;
  };

  // loadConfigAndMe, then loadMe's first Promise.all.
  await Promise.all([count(client.getClientConfig()), count(client.getClientLicenseOld())]);
  const [, , me, , , teamMembers] = await Promise.all([
    count(client.getClientConfig()),
    count(client.getClientLicenseOld()),
    count(client.getMe()),
    count(client.getMyPreferences()),
    count(client.getMyTeams()),
    count(client.getMyTeamMembers()),
  ]);
  // getMe and getMyTeamMembers each load their roles (loadRolesIfNeeded batches them into one request).
  const myRoles = rolesOf(me.roles, ...teamMembers.map((m) => m.roles));
  await Promise.all([count(client.getRolesByNames(myRoles)), count(client.getMyTeamUnreads(true)), count(client.getServerLimits())]);

  // The team: fetchChannelsAndMembers, fetchMyCategories, thread counts and the threads view, statuses.
  const [, members] = await Promise.all([
    count(client.getMyChannels(teamId, true)),
    count(client.getMyChannelMembers(teamId)),
    count(client.getChannelCategories(me.id, teamId)),
    count(client.getUserThreads(me.id, teamId, { totalsOnly: true, threadsOnly: false })),
    count(client.getUserThreads(me.id, teamId, { perPage: THREADS_PAGE_SIZE, extended: true, threadsOnly: true })),
    count(client.getStatusesByIds([me.id])),
  ]);
  await count(client.getRolesByNames(rolesOf(...members.map((m) => m.roles))));
  return requests;
}
