import { newId } from '#common';
import { Config, ConfigService, defaultConfig } from '#config';
import { Queryable } from '#db';
import { LocalInvalidationBus, WebSocketEvent } from '#realtime';
import { memoryDatabase, RecordingPublisher } from '#testing';
import { defaultRoles } from '../roles/in-memory-roles.js';
import { PermissionsService } from '../auth/permissions.service.js';
import type { Session } from '../common/session.js';
import { ChannelMembershipService } from '../membership/channel-membership.service.js';
import { MemoryChannelMembers, MemoryMemberUsers, MemoryTeamMembers } from '../membership/in-memory-membership.js';
import { MemberUser } from '../membership/member-users.repository.js';
import { composeRoles } from '../membership/scheme-roles.js';
import { DeletedPosts, PostsRepository } from '../posts/posts.repository.js';
import { ChannelRow, ChannelType, newChannelRow } from './channel.model.js';
import { ChannelAccess } from './channel-access.js';
import { ChannelMembersService } from './channel-members.service.js';
import { ChannelsRepository } from './channels.repository.js';
import { ChannelsService } from './channels.service.js';
import { DefaultChannelsService } from './default-channels.service.js';
import type { ChannelWebhooks } from '../webhooks/channel-webhooks.js';

/** What PostsRepository.deletePermanently was asked to delete: channels and teams take their posts with them. */
export class MemoryPostDeletions {
  readonly deleted: Array<{ channelId: string } | { teamId: string }> = [];

  async deletePermanently(_tx: Queryable, which: { channelId: string } | { teamId: string }): Promise<DeletedPosts> {
    this.deleted.push(which);
    return { posts: 0, reactions: 0 };
  }
}

/** The channels table in memory, with the answers of ChannelsRepository's SQL for what the services call. */
export class MemoryChannels {
  readonly rows = new Map<string, ChannelRow>();

  async insert(c: ChannelRow) {
    this.rows.set(c.id, { ...c });
  }

  async insertOrGet(c: ChannelRow) {
    const existing = await this.byName(c.team_id, c.name, true);
    if (existing) return { channel: existing, created: false };
    await this.insert(c);
    return { channel: { ...c }, created: true };
  }

  async byId(id: string) {
    const c = this.rows.get(id);
    return c ? { ...c } : undefined;
  }

  /** Always current here (nothing is cached). */
  byIdForPosting(id: string) {
    return this.byId(id);
  }

  async byName(teamId: string, name: string, includeDeleted: boolean) {
    const c = [...this.rows.values()].find((r) => r.team_id === teamId && r.name === name && (includeDeleted || r.delete_at === 0));
    return c ? { ...c } : undefined;
  }

  async countForTeam(teamId: string) {
    return [...this.rows.values()].filter((c) => c.team_id === teamId).length;
  }

  async idsForTeam(teamId: string) {
    return [...this.rows.values()].filter((c) => c.team_id === teamId).map((c) => c.id);
  }

  async update(c: ChannelRow) {
    this.rows.set(c.id, { ...c });
  }

  async setDeleteAt(id: string, deleteAt: number, now: number) {
    Object.assign(this.rows.get(id)!, { delete_at: deleteAt, update_at: now });
  }

  async deletePermanently(id: string) {
    this.rows.delete(id);
  }

  async stats(_channelId: string, withFiles: boolean) {
    return { member_count: 0, guest_count: 0, pinnedpost_count: 0, files_count: withFiles ? 0 : -1 };
  }

  asRepository(): ChannelsRepository {
    return this as unknown as ChannelsRepository;
  }
}

/**
 * The channels area's services wired as in the app, over in-memory stores, with the events they
 * publish recorded: for unit specs of their permission decisions (and of the teams area, which
 * builds on them). Helpers seed users, teams, channels and memberships.
 */
export class ChannelsTestbed {
  readonly config: Config = structuredClone(defaultConfig);
  readonly configService = { get: () => this.config } as unknown as ConfigService;
  readonly publisher = new RecordingPublisher();
  readonly events: WebSocketEvent[] = this.publisher.events;
  readonly invalidation = new LocalInvalidationBus();
  /** The default roles, served by a RolesService over the same bus. */
  readonly roles = defaultRoles(undefined, this.invalidation, this.publisher);
  readonly teamIds = new Set<string>();

  readonly users = new MemoryMemberUsers();
  readonly channels = new MemoryChannels();
  readonly posts = new MemoryPostDeletions();
  /** Channels whose webhooks were deleted with them. */
  readonly webhooks = { deletedFor: [] as string[], deleteForChannel: async (channelId: string) => void this.webhooks.deletedFor.push(channelId) };
  readonly teamMembers: MemoryTeamMembers;
  readonly channelMembers: MemoryChannelMembers;

  readonly permissions: PermissionsService;
  readonly membership: ChannelMembershipService;
  readonly access: ChannelAccess;
  readonly defaultChannels: DefaultChannelsService;
  readonly channelsService: ChannelsService;
  readonly membersService: ChannelMembersService;

  /** `teamExists` answers for the teams table (the team lock); by default, the teams seeded here. */
  constructor(teamExists?: (teamId: string) => boolean) {
    this.teamMembers = new MemoryTeamMembers(teamExists ?? ((id) => this.teamIds.has(id)));
    this.channelMembers = new MemoryChannelMembers(this.teamMembers, (id) => this.channels.rows.get(id)?.team_id);
    this.users.membersOf = (channelId) => this.channelMembers.userIds(channelId);
    const [teamMembers, channelMembers, channels, users] = [
      this.teamMembers.asRepository(),
      this.channelMembers.asRepository(),
      this.channels.asRepository(),
      this.users.asRepository(),
    ];
    const posts = this.posts as unknown as PostsRepository;
    this.permissions = new PermissionsService(teamMembers, channelMembers, this.roles);
    this.membership = new ChannelMembershipService(channelMembers, this.publisher, this.invalidation);
    this.access = new ChannelAccess(this.permissions, channelMembers);
    this.defaultChannels = new DefaultChannelsService(channels, this.membership, this.configService);
    this.channelsService = new ChannelsService(
      memoryDatabase,
      channels,
      channelMembers,
      this.membership,
      users,
      teamMembers,
      this.access,
      posts,
      this.permissions,
      this.publisher,
      this.invalidation,
      this.configService,
      this.webhooks as unknown as ChannelWebhooks,
    );
    this.membersService = new ChannelMembersService(
      this.channelsService,
      channelMembers,
      this.membership,
      users,
      teamMembers,
      this.access,
      this.permissions,
      this.roles,
      this.publisher,
      this.invalidation,
    );
  }

  /** A user and a session of theirs with the given system roles. */
  user(roles = 'system_user'): { user: MemberUser; session: Session } {
    const id = newId();
    const user = this.users.add({ id, username: `user-${id.slice(0, 8)}`, email: `${id}@example.com`, roles, delete_at: 0 });
    return {
      user,
      session: {
        id: newId(),
        token: newId(),
        create_at: 0,
        expires_at: 0,
        last_activity_at: 0,
        user_id: id,
        device_id: '',
        roles,
        is_oauth: false,
        expired_notify: false,
        props: {},
      },
    };
  }

  team(): string {
    const id = newId();
    this.teamIds.add(id);
    return id;
  }

  joinTeam(teamId: string, userId: string, role: 'guest' | 'user' | 'admin' = 'user'): void {
    const flags = { scheme_guest: role === 'guest', scheme_user: role !== 'guest', scheme_admin: role === 'admin' };
    void this.teamMembers.save({ team_id: teamId, user_id: userId, roles: composeRoles('team', flags), delete_at: 0, create_at: 0, ...flags });
  }

  channel(teamId: string, type: ChannelType = 'O', name = `channel-${newId().slice(0, 8)}`): ChannelRow {
    const channel = newChannelRow({ team_id: teamId, type, display_name: name, name }, 0);
    this.channels.rows.set(channel.id, channel);
    return channel;
  }

  joinChannel(channel: ChannelRow, userId: string, admin = false): void {
    void this.channelMembers.insert(this.membership.newMember(channel.id, this.users.rows.get(userId)!, admin));
  }
}
