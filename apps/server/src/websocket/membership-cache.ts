import { RefreshingCache } from '#common';
import { InvalidationBus, RecipientResolver } from '#realtime';
import type { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import type { TeamMembersRepository } from '../membership/team-members.repository.js';

const MAX_ENTRIES = 20_000;

/**
 * Channel and team member sets for broadcast filtering, loaded on first use and dropped the
 * moment membership changes (via the invalidation bus), so a removed member stops receiving
 * events immediately. Lookups made while a read is under way share it (the hub asks early for
 * events still waiting their turn, then again at delivery); a read that races with an
 * invalidation is neither cached nor shared with lookups made after it (RefreshingCache, here
 * without expiry: only invalidations replace a set).
 */
export class MembershipCache implements RecipientResolver {
  private readonly channels: RefreshingCache<string, ReadonlySet<string>>;
  private readonly teams: RefreshingCache<string, ReadonlySet<string>>;

  constructor(
    channelMembers: Pick<ChannelMembersRepository, 'userIds'>,
    teamMembers: Pick<TeamMembersRepository, 'activeUserIds'>,
    invalidation: InvalidationBus,
  ) {
    this.channels = membersCache(async (id) => new Set(await channelMembers.userIds(id)));
    this.teams = membersCache(async (id) => new Set(await teamMembers.activeUserIds(id)));
    invalidation.on('channel_members', (id) => this.channels.invalidate(id));
    invalidation.on('team_members', (id) => this.teams.invalidate(id));
    invalidation.on('all', () => {
      this.channels.clear();
      this.teams.clear();
    });
  }

  channelMemberIds(channelId: string): Promise<ReadonlySet<string>> {
    return this.channels.get(channelId);
  }

  teamMemberIds(teamId: string): Promise<ReadonlySet<string>> {
    return this.teams.get(teamId);
  }
}

function membersCache(load: (id: string) => Promise<ReadonlySet<string>>): RefreshingCache<string, ReadonlySet<string>> {
  // Never refreshed by age, so a refresh never fails; a failed first read rejects its lookups.
  return new RefreshingCache({ load, ttlMs: Infinity, maxEntries: MAX_ENTRIES, onRefreshError: () => undefined });
}
