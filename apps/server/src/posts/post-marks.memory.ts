/**
 * A small in-memory server for the specs of saved posts, marking unread and acknowledgements:
 * users, channels with their members' roles, posts, priorities and acknowledgements, behind the
 * repository methods these services call. Roles decide through the real role table.
 */
import { newId } from '#common';
import { ConfigService, defaultConfig } from '#config';
import { Queryable } from '#db';
import { memoryDatabase, RecordingPublisher } from '#testing';
import { PermissionsService } from '../auth/permissions.service.js';
import { defaultRoles } from '../roles/in-memory-roles.js';
import type { ChannelRow, ChannelType } from '../channels/channel.model.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import type { Session } from '../common/session.js';
import { ChannelMembersRepository, ChannelUnreadAtRow, MarkUnreadInput } from '../membership/channel-members.repository.js';
import { newChannelMember } from '../membership/channel-membership.service.js';
import { ChannelMemberRow } from '../membership/membership.model.js';
import { TeamMembersRepository } from '../membership/team-members.repository.js';
import type { UserRow } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { testUserRow } from '../users/user.fixtures.js';
import { PostAccess } from './post-access.service.js';
import { testPostRow } from './post.fixtures.js';
import { PostAcknowledgementView, PostPriorityExtras, PostPriorityRow } from './post-priority.js';
import { PostPriorityRepository } from './post-priority.repository.js';
import { PostPriorityService } from './post-priority.service.js';
import type { PostRow } from './post.model.js';
import { MentionCandidate, PostsRepository } from './posts.repository.js';

export const TEAM = 'teamteamteamteamteamteamte';

export class MarksWorld {
  users = new Map<string, UserRow>();
  teamRoles = new Map<string, string>();
  channels = new Map<string, ChannelRow>();
  members = new Map<string, ChannelMemberRow>();
  posts = new Map<string, PostRow>();
  priorities = new Map<string, PostPriorityRow>();
  acks = new Map<string, PostAcknowledgementView>();
  flags = new Map<string, Set<string>>();
  config = structuredClone(defaultConfig);
  publisher = new RecordingPublisher();
  private clock = 1_000_000;

  person(username: string, systemRoles = 'system_user', teamRoles: string | null = 'team_user', notify: Record<string, string> = {}): Session {
    const id = newId();
    this.users.set(id, testUserRow(username, { id, first_name: username, roles: systemRoles, notify_props: notify }));
    if (teamRoles) this.teamRoles.set(`${TEAM}:${id}`, teamRoles);
    return { id: newId(), user_id: id, roles: systemRoles, props: {} } as unknown as Session;
  }

  channel(type: ChannelType, members: Session[], opts: { deleteAt?: number; teamId?: string } = {}): string {
    const id = newId();
    const teamId = opts.teamId ?? (type === 'D' || type === 'G' ? '' : TEAM);
    this.channels.set(id, {
      id,
      team_id: teamId,
      type,
      name: id,
      display_name: id,
      delete_at: opts.deleteAt ?? 0,
      total_msg_count: 0,
      total_msg_count_root: 0,
    } as ChannelRow);
    for (const m of members) this.join(id, m);
    return id;
  }

  join(channelId: string, who: Session) {
    this.members.set(`${channelId}:${who.user_id}`, newChannelMember(channelId, { id: who.user_id, roles: 'system_user' }, false, 0));
  }

  /** A post, later than every post before it; the channel counts it. */
  post(channelId: string, by: Session, message: string, over: Partial<PostRow> = {}): PostRow {
    this.clock += 10;
    const row = testPostRow(newId(), this.clock, { channel_id: channelId, user_id: by.user_id, message, ...over });
    this.posts.set(row.id, row);
    const channel = this.channels.get(channelId)!;
    channel.total_msg_count++;
    if (row.root_id === '') channel.total_msg_count_root++;
    return row;
  }

  flag(userId: string, postId: string) {
    const set = this.flags.get(userId) ?? new Set<string>();
    set.add(postId);
    this.flags.set(userId, set);
  }

  member(channelId: string, userId: string) {
    return this.members.get(`${channelId}:${userId}`);
  }

  configService(): ConfigService {
    return { get: () => this.config } as unknown as ConfigService;
  }

  permissions(): PermissionsService {
    return memoryPermissions(this);
  }

  access(): PostAccess {
    return new PostAccess(this.permissions(), this.postsRepository(), this.channelsRepository());
  }

  postsRepository(): PostsRepository {
    return new MemoryPosts(this) as unknown as PostsRepository;
  }

  channelsRepository(): ChannelsRepository {
    const world = this;
    return {
      async byId(id: string) {
        return world.channels.get(id);
      },
      async byIds(ids: string[]) {
        return ids.flatMap((id) => (world.channels.has(id) ? [world.channels.get(id)!] : []));
      },
    } as unknown as ChannelsRepository;
  }

  membersRepository(): ChannelMembersRepository {
    return new MemoryMembers(this) as unknown as ChannelMembersRepository;
  }

  usersRepository(): UsersRepository {
    const world = this;
    return {
      async byId(id: string) {
        return world.users.get(id);
      },
    } as unknown as UsersRepository;
  }

  priorityRepository(): PostPriorityRepository {
    return new MemoryPriorities(this) as unknown as PostPriorityRepository;
  }

  priorityService(): PostPriorityService {
    return new PostPriorityService(
      this.priorityRepository(),
      this.postsRepository(),
      this.membersRepository(),
      this.access(),
      this.permissions(),
      memoryDatabase,
      this.configService(),
      this.publisher,
    );
  }
}

/**
 * The real PermissionsService over the world's memberships: the two lookups it makes of the
 * membership repositories answered from memory, as their SQL would.
 */
function memoryPermissions(world: MarksWorld): PermissionsService {
  const teamRoles = (teamId: string, userId: string) => world.teamRoles.get(`${teamId}:${userId}`);
  const teamMembers = { activeRoles: async (teamId: string, userId: string) => teamRoles(teamId, userId) };
  const channelMembers = {
    permissionRoles: async (channelId: string, userId: string) => {
      const channel = world.channels.get(channelId);
      if (!channel) return undefined;
      return { member_roles: world.member(channelId, userId)?.roles ?? null, team_roles: teamRoles(channel.team_id, userId) ?? null };
    },
  };
  return new PermissionsService(teamMembers as unknown as TeamMembersRepository, channelMembers as unknown as ChannelMembersRepository, defaultRoles());
}

const JOIN_LEAVE = new Set(['system_join_channel', 'system_leave_channel', 'system_add_to_channel', 'system_remove_from_channel']);

class MemoryPosts {
  constructor(private readonly world: MarksWorld) {}

  private live(channelId: string): PostRow[] {
    return [...this.world.posts.values()].filter((p) => p.channel_id === channelId && p.delete_at === 0).sort((a, b) => a.create_at - b.create_at);
  }

  async byId(id: string, includeDeleted = false) {
    const post = this.world.posts.get(id);
    return post && (includeDeleted || post.delete_at === 0) ? { ...post } : undefined;
  }

  async nextChangeAt(_tx: Queryable, _channelId: string, now: number) {
    return now;
  }

  async touch(_tx: Queryable, id: string, now: number) {
    const post = this.world.posts.get(id)!;
    post.update_at = Math.max(post.update_at, now);
  }

  async flagged(userId: string, filter: { channelId?: string; teamId?: string }, offset: number, limit: number) {
    const flagged = this.world.flags.get(userId) ?? new Set<string>();
    return [...this.world.posts.values()]
      .filter((p) => flagged.has(p.id) && p.delete_at === 0 && this.world.member(p.channel_id, userId))
      .filter((p) => !filter.channelId || p.channel_id === filter.channelId)
      .filter((p) => !filter.teamId || ['', filter.teamId].includes(this.world.channels.get(p.channel_id)!.team_id))
      .sort((a, b) => b.create_at - a.create_at)
      .slice(offset, offset + limit);
  }

  async countAfter(channelId: string, time: number, excludedUserId = '') {
    const after = this.live(channelId).filter((p) => p.create_at > time && !JOIN_LEAVE.has(p.type) && (!excludedUserId || p.user_id !== excludedUserId));
    return { all: after.length, roots: after.filter((p) => p.root_id === '').length };
  }

  async mentionCandidates(channelId: string, from: number, limit: number): Promise<MentionCandidate[]> {
    return this.live(channelId)
      .filter((p) => p.create_at >= from)
      .slice(0, limit);
  }

  async threadAuthorship(rootIds: string[], userId: string) {
    const result = new Map<string, { rootUserId: string; firstReplyAt: number }>();
    for (const id of rootIds) {
      const root = this.world.posts.get(id);
      if (!root) continue;
      const mine = [...this.world.posts.values()].filter((p) => p.root_id === id && p.user_id === userId && p.delete_at === 0).map((p) => p.create_at);
      result.set(id, { rootUserId: root.user_id, firstReplyAt: mine.length ? Math.min(...mine) : 0 });
    }
    return result;
  }
}

class MemoryMembers {
  constructor(private readonly world: MarksWorld) {}

  async get(channelId: string, userId: string) {
    return this.world.member(channelId, userId);
  }

  async markUnreadFrom(m: MarkUnreadInput, now: number): Promise<ChannelUnreadAtRow | undefined> {
    const member = this.world.member(m.channelId, m.userId);
    const channel = this.world.channels.get(m.channelId);
    if (!member || !channel || channel.delete_at !== 0) return undefined;
    Object.assign(member, {
      mention_count: m.mentions,
      mention_count_root: m.mentionsRoot,
      urgent_mention_count: m.urgentMentions,
      msg_count: Math.max(channel.total_msg_count - m.unread, 0),
      msg_count_root: Math.max(channel.total_msg_count_root - m.unreadRoot, 0),
      last_viewed_at: m.lastViewedAt,
      last_update_at: now,
    });
    const { channel_id, user_id, msg_count, mention_count, mention_count_root, urgent_mention_count, msg_count_root, last_viewed_at, notify_props } = member;
    return {
      team_id: channel.team_id,
      user_id,
      channel_id,
      msg_count,
      mention_count,
      mention_count_root,
      urgent_mention_count,
      msg_count_root,
      last_viewed_at,
      notify_props,
    };
  }

  async incrementUrgentMentions(channelId: string, userIds: string[]) {
    for (const id of userIds) {
      const member = this.world.member(channelId, id);
      if (member) member.urgent_mention_count++;
    }
  }
}

class MemoryPriorities {
  constructor(private readonly world: MarksWorld) {}

  async savePriority(_tx: Queryable, row: PostPriorityRow) {
    this.world.priorities.set(row.post_id, { ...row });
  }

  async extrasFor(postIds: string[]) {
    const result = new Map<string, PostPriorityExtras>();
    for (const id of postIds) {
      const priority = this.world.priorities.get(id);
      const acks = [...this.world.acks.values()].filter((a) => a.post_id === id);
      if (!priority && acks.length === 0) continue;
      result.set(id, {
        ...(priority
          ? { priority: { priority: priority.priority, requested_ack: priority.requested_ack, persistent_notifications: priority.persistent_notifications } }
          : {}),
        ...(acks.length ? { acknowledgements: acks } : {}),
      });
    }
    return result;
  }

  async urgentAmong(postIds: string[]) {
    return new Set(postIds.filter((id) => this.world.priorities.get(id)?.priority === 'urgent'));
  }

  async countUrgentAfter(channelId: string, time: number, excludedUserId: string) {
    return [...this.world.posts.values()].filter(
      (p) =>
        p.channel_id === channelId &&
        p.create_at > time &&
        p.delete_at === 0 &&
        p.root_id === '' &&
        p.user_id !== excludedUserId &&
        this.world.priorities.get(p.id)?.priority === 'urgent',
    ).length;
  }

  async acknowledgement(postId: string, userId: string) {
    const ack = this.world.acks.get(`${postId}:${userId}`);
    return ack && { ...ack };
  }

  async saveAcknowledgement(_tx: Queryable, ack: PostAcknowledgementView) {
    this.world.acks.set(`${ack.post_id}:${ack.user_id}`, { ...ack });
    return { ...ack };
  }

  async deleteAcknowledgement(_tx: Queryable, postId: string, userId: string) {
    return this.world.acks.delete(`${postId}:${userId}`);
  }
}
