import type { Client4 as Client4Type } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';

/**
 * How mmctl finds what an argument names (commands/utils.go, userargs.go, teamargs.go,
 * channelargs.go): a user by email, username or id; a team by name or id; a channel by
 * `team:channel` or id. A miss is `undefined`, the command reports it.
 */
const ID = /^[a-z0-9]{26}$/;

function status(err: unknown): number | undefined {
  return (err as { status_code?: number })?.status_code;
}

/** Network failures and 5xx answers must not read as "not found". */
async function maybe<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    const code = status(err);
    if (code !== undefined && code >= 400 && code < 500) return undefined;
    throw err;
  }
}

export async function findUser(c: Client4Type, arg: string): Promise<UserProfile | undefined> {
  if (arg.includes('@')) {
    const byEmail = await maybe(() => c.getUserByEmail(arg));
    if (byEmail) return byEmail;
  }
  const byName = await maybe(() => c.getUserByUsername(arg));
  if (byName) return byName;
  return ID.test(arg) ? maybe(() => c.getUser(arg)) : undefined;
}

export async function findTeam(c: Client4Type, arg: string): Promise<Team | undefined> {
  const byName = await maybe(() => c.getTeamByName(arg));
  if (byName) return byName;
  return ID.test(arg) ? maybe(() => c.getTeam(arg)) : undefined;
}

/** `team:channel` (team by name or id), or a channel id. Archived channels are found too. */
export async function findChannel(c: Client4Type, arg: string): Promise<Channel | undefined> {
  const colon = arg.indexOf(':');
  if (colon < 0) return ID.test(arg) ? maybe(() => c.getChannel(arg)) : undefined;
  const team = await findTeam(c, arg.slice(0, colon));
  if (!team) return undefined;
  return maybe(() => c.getChannelByName(team.id, arg.slice(colon + 1), true));
}

/** Every page of a paged list (mmctl's getPages). */
export async function allPages<T>(fetchPage: (page: number, perPage: number) => Promise<T[]>, perPage = 200): Promise<T[]> {
  const all: T[] = [];
  for (let page = 0; ; page++) {
    const items = await fetchPage(page, perPage);
    all.push(...items);
    if (items.length < perPage) return all;
  }
}
