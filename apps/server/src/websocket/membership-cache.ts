import { InvalidationBus, RecipientResolver } from '#realtime';
import type { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import type { TeamMembersRepository } from '../membership/team-members.repository.js';

const MAX_ENTRIES = 20_000;

/**
 * Channel and team member sets for broadcast filtering, loaded on first use and dropped the
 * moment membership changes (via the invalidation bus), so a removed member stops receiving
 * events immediately. A load that races with an invalidation is not cached, and no lookup made
 * after an invalidation is answered by a load begun before it.
 */
export class MembershipCache implements RecipientResolver {
  private readonly channels = new Map<string, ReadonlySet<string>>();
  private readonly teams = new Map<string, ReadonlySet<string>>();
  private readonly versions = new Map<string, number>();
  /** Reads under way, by version key, with the version and epoch they began at. */
  private readonly reading = new Map<string, { version: number; epoch: number; members: Promise<ReadonlySet<string>> }>();
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

  /**
   * The members from memory, else from the read under way for the same id if nothing changed
   * since it began (the hub starts the reads of events still waiting for their turn, then asks
   * again when each is delivered), else from a new read.
   */
  private load(map: Map<string, ReadonlySet<string>>, versionKey: string, id: string, fetch: (id: string) => Promise<string[]>): Promise<ReadonlySet<string>> {
    const cached = map.get(id);
    if (cached) return Promise.resolve(cached);
    const version = this.versions.get(versionKey) ?? 0;
    const epoch = this.epoch;
    const reading = this.reading.get(versionKey);
    if (reading && reading.version === version && reading.epoch === epoch) return reading.members;
    const members = fetch(id).then((ids) => {
      const set: ReadonlySet<string> = new Set(ids);
      if ((this.versions.get(versionKey) ?? 0) === version && this.epoch === epoch) {
        if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as string);
        map.set(id, set);
      }
      return set;
    });
    const entry = { version, epoch, members };
    this.reading.set(versionKey, entry);
    const done = () => {
      if (this.reading.get(versionKey) === entry) this.reading.delete(versionKey);
    };
    members.then(done, done);
    return members;
  }
}
