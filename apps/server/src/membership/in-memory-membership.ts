import type { ChannelMembersRepository } from './channel-members.repository.js';
import type { MemberUser, MemberUsersRepository } from './member-users.repository.js';
import type { ChannelMemberRow, ChannelPermissionRoles, TeamMemberRow } from './membership.model.js';
import type { TeamMembersRepository } from './team-members.repository.js';

/**
 * In-memory stand-ins for the membership repositories, with the same answers as their SQL, for
 * unit specs of the services that build on them (as auth/sessions.service.spec.ts does for
 * sessions). Rows are copied in and out, as a database would. Only what those services call is
 * here; transactions (`tx`) are not modelled.
 */

const key = (a: string, b: string) => `${a}:${b}`;
const copy = <T extends object>(row: T | undefined): T | undefined => (row ? structuredClone(row) : undefined);

/** The users table, as far as membership reads it. */
export class MemoryMemberUsers {
  readonly rows = new Map<string, MemberUser>();

  add(user: MemberUser): MemberUser {
    this.rows.set(user.id, { ...user });
    return user;
  }

  async byId(id: string) {
    return copy(this.rows.get(id));
  }

  async byIds(ids: string[]) {
    return ids.flatMap((id) => (this.rows.has(id) ? [copy(this.rows.get(id))!] : []));
  }

  /** users.timezone per user (absent: `{}`), and who is in a channel (the testbed wires it to its channel members). */
  readonly timezones = new Map<string, Record<string, string>>();
  membersOf: (channelId: string) => Promise<string[]> = async () => [];

  async timezonesInChannel(channelId: string) {
    return (await this.membersOf(channelId)).sort().map((id) => ({ ...this.timezones.get(id) }));
  }

  asRepository(): MemberUsersRepository {
    return this as unknown as MemberUsersRepository;
  }
}

/** team_members; `teamExists` answers for the teams table, which the team lock reads. */
export class MemoryTeamMembers {
  readonly rows = new Map<string, TeamMemberRow>();

  constructor(private readonly teamExists: (teamId: string) => boolean) {}

  private active(teamId: string): TeamMemberRow[] {
    return [...this.rows.values()].filter((m) => m.team_id === teamId && m.delete_at === 0).sort((a, b) => a.user_id.localeCompare(b.user_id));
  }

  async get(teamId: string, userId: string) {
    return copy(this.rows.get(key(teamId, userId)));
  }

  async activeRoles(teamId: string, userId: string) {
    const member = this.rows.get(key(teamId, userId));
    return member && member.delete_at === 0 ? member.roles : undefined;
  }

  async lockTeam(teamId: string) {
    return this.teamExists(teamId);
  }

  async shareATeam(a: string, b: string) {
    return [...this.rows.values()].some((x) => x.user_id === a && x.delete_at === 0 && this.rows.get(key(x.team_id, b))?.delete_at === 0);
  }

  async save(m: TeamMemberRow) {
    this.rows.set(key(m.team_id, m.user_id), { ...m });
    return copy(m)!;
  }

  async markLeft(teamId: string, userId: string, now: number) {
    const member = this.rows.get(key(teamId, userId));
    if (!member || member.delete_at !== 0) return undefined;
    member.delete_at = now;
    return copy(member);
  }

  async updateRoles(m: Pick<TeamMemberRow, 'team_id' | 'user_id' | 'roles' | 'scheme_guest' | 'scheme_user' | 'scheme_admin'>) {
    const member = this.rows.get(key(m.team_id, m.user_id));
    if (!member) return undefined;
    Object.assign(member, m);
    return copy(member);
  }

  async activeCount(teamId: string) {
    return this.active(teamId).length;
  }

  async list(teamId: string, page: number, perPage: number) {
    return this.active(teamId)
      .slice(page * perPage, (page + 1) * perPage)
      .map((m) => copy(m)!);
  }

  async byUserIds(teamId: string, userIds: string[]) {
    return this.active(teamId)
      .filter((m) => userIds.includes(m.user_id))
      .map((m) => copy(m)!);
  }

  async rolesByTeam(userId: string) {
    return new Map([...this.rows.values()].filter((m) => m.user_id === userId && m.delete_at === 0).map((m) => [m.team_id, m.roles]));
  }

  asRepository(): TeamMembersRepository {
    return this as unknown as TeamMembersRepository;
  }
}

/** channel_members; `channelTeam` answers for the channels table (a channel's team, '' for DMs and GMs). */
export class MemoryChannelMembers {
  readonly rows = new Map<string, ChannelMemberRow>();

  constructor(
    private readonly teamMembers: MemoryTeamMembers,
    private readonly channelTeam: (channelId: string) => string | undefined,
  ) {}

  private ofChannel(channelId: string): ChannelMemberRow[] {
    return [...this.rows.values()].filter((m) => m.channel_id === channelId).sort((a, b) => a.user_id.localeCompare(b.user_id));
  }

  async insert(m: ChannelMemberRow) {
    if (this.rows.has(key(m.channel_id, m.user_id))) return undefined;
    this.rows.set(key(m.channel_id, m.user_id), structuredClone(m));
    return copy(m);
  }

  async get(channelId: string, userId: string) {
    return copy(this.rows.get(key(channelId, userId)));
  }

  async permissionRoles(channelId: string, userId: string): Promise<ChannelPermissionRoles | undefined> {
    const teamId = this.channelTeam(channelId);
    if (teamId === undefined) return undefined;
    return {
      member_roles: this.rows.get(key(channelId, userId))?.roles ?? null,
      team_roles: (await this.teamMembers.activeRoles(teamId, userId)) ?? null,
    };
  }

  async list(channelId: string, page: number, perPage: number) {
    return this.ofChannel(channelId)
      .slice(page * perPage, (page + 1) * perPage)
      .map((m) => copy(m)!);
  }

  async byUserIds(channelId: string, userIds: string[]) {
    return this.ofChannel(channelId)
      .filter((m) => userIds.includes(m.user_id))
      .map((m) => copy(m)!);
  }

  async userIds(channelId: string) {
    return this.ofChannel(channelId).map((m) => m.user_id);
  }

  async delete(channelId: string, userId: string) {
    return this.rows.delete(key(channelId, userId));
  }

  async deleteForUserInTeam(userId: string, teamId: string) {
    const left = [...this.rows.values()].filter((m) => m.user_id === userId && this.channelTeam(m.channel_id) === teamId);
    for (const m of left) this.rows.delete(key(m.channel_id, m.user_id));
    return left.map((m) => m.channel_id);
  }

  async updateRoles(m: Pick<ChannelMemberRow, 'channel_id' | 'user_id' | 'roles' | 'scheme_guest' | 'scheme_user' | 'scheme_admin'>, now: number) {
    const member = this.rows.get(key(m.channel_id, m.user_id));
    if (!member) return undefined;
    Object.assign(member, m, { last_update_at: now });
    return copy(member);
  }

  async updateNotifyProps(channelId: string, userId: string, props: Record<string, string>, now: number) {
    const member = this.rows.get(key(channelId, userId));
    if (!member) return undefined;
    Object.assign(member, { notify_props: { ...props }, last_update_at: now });
    return copy(member);
  }

  asRepository(): ChannelMembersRepository {
    return this as unknown as ChannelMembersRepository;
  }
}
