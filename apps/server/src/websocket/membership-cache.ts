import { InvalidationBus, RecipientResolver } from '#realtime';
import type { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import type { TeamMembersRepository } from '../membership/team-members.repository.js';

const MAX_ENTRIES = 20_000;

/**
 * Channel and team member sets for broadcast filtering, loaded on first use and dropped the
 * moment membership changes (via the invalidation bus), so a removed member stops receiving
 * events immediately. A load that races with an invalidation is not cached.
 */
export class MembershipCache implements RecipientResolver {
  private readonly channels = new Map<string, ReadonlySet<string>>();
  private readonly teams = new Map<string, ReadonlySet<string>>();
  private readonly versions = new Map<string, number>();
  private epoch = 0;

  constructor(
    private readonly channelMembers: Pick<ChannelMembersRepository, 'userIds'>,
    private readonly teamMembers: Pick<TeamMembersRepository, 'activeUserIds'>,
    invalidation: InvalidationBus,
  ) {
    invalidation.on('channel_members', (id) => this.drop(this.channels, `c:${id}`, id));
    invalidation.on('team_members', (id) => this.drop(this.teams, `t:${id}`, id));
    invalidation.on('all', () => {
      this.channels.clear();
      this.teams.clear();
      this.epoch++; // loads already under way must not be cached either
    });
  }

  channelMemberIds(channelId: string): Promise<ReadonlySet<string>> {
    return this.load(this.channels, `c:${channelId}`, channelId, (id) => this.channelMembers.userIds(id));
  }

  teamMemberIds(teamId: string): Promise<ReadonlySet<string>> {
    return this.load(this.teams, `t:${teamId}`, teamId, (id) => this.teamMembers.activeUserIds(id));
  }

  private drop(map: Map<string, ReadonlySet<string>>, versionKey: string, id: string) {
    map.delete(id);
    this.versions.set(versionKey, (this.versions.get(versionKey) ?? 0) + 1);
  }

  private async load(
    map: Map<string, ReadonlySet<string>>,
    versionKey: string,
    id: string,
    fetch: (id: string) => Promise<string[]>,
  ): Promise<ReadonlySet<string>> {
    const cached = map.get(id);
    if (cached) return cached;
    const version = this.versions.get(versionKey) ?? 0;
    const epoch = this.epoch;
    const members = new Set(await fetch(id));
    if ((this.versions.get(versionKey) ?? 0) === version && this.epoch === epoch) {
      if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as string);
      map.set(id, members);
    }
    return members;
  }
}
