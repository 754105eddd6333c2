import type { ChannelsRepository } from '../../channels/channels.repository.js';
import type { UsersRepository } from '../../users/users.repository.js';
import type { ParsedSearch } from './search-terms.js';

/** The users and channels a search names, as ids. */
export interface ResolvedSearchNames {
  /** Resolved `from:` users; null when the search has no `from:`. */
  fromUserIds: string[] | null;
  excludedUserIds: string[];
  /** Resolved `in:` channels; null when the search has no `in:`. */
  inChannelIds: string[] | null;
  excludedChannelIds: string[];
}

export interface SearchNameLookups {
  users: Pick<UsersRepository, 'byUsernames'>;
  channels: Pick<ChannelsRepository, 'idsByNamesForMember'>;
}

/**
 * Usernames and channel names of `from:` and `in:` as ids (Mattermost's convertUserNameToUserIds
 * and convertChannelNamesToChannelIds): only channels the searcher belongs to, in the team (and
 * DMs/GMs) or in every team; `in:@username` is the DM with that user. A name that resolves to
 * nothing matches nothing.
 */
export async function resolveSearchNames(
  lookups: SearchNameLookups,
  parsed: ParsedSearch,
  teamId: string | null,
  userId: string,
): Promise<ResolvedSearchNames> {
  const userIds = async (usernames: string[]) => (usernames.length === 0 ? [] : (await lookups.users.byUsernames(usernames)).map((u) => u.id));
  const channelIds = async (names: string[]) => {
    if (names.length === 0) return [];
    // A DM is named `<id>__<id>`, the two ids sorted.
    const dmNames = (await userIds(names.filter((n) => n.startsWith('@')).map((n) => n.slice(1)))).map((id) => [id, userId].sort().join('__'));
    return lookups.channels.idsByNamesForMember([...names.filter((n) => !n.startsWith('@')), ...dmNames], teamId, userId);
  };
  return {
    fromUserIds: parsed.fromUsers.length > 0 ? await userIds(parsed.fromUsers) : null,
    excludedUserIds: await userIds(parsed.excludedUsers),
    inChannelIds: parsed.inChannels.length > 0 ? await channelIds(parsed.inChannels) : null,
    excludedChannelIds: await channelIds(parsed.excludedChannels),
  };
}
