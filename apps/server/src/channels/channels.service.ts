import { Injectable } from '@nestjs/common';
import { AppError, badRequest, forbidden, notFound } from '#common';
import { ConfigService } from '#config';
import { Database } from '#db';
import { EventPublisher, InvalidationBus, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import { isSystemAdmin, Session, sessionFor } from '../common/session.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { ChannelMembershipService } from '../membership/channel-membership.service.js';
import { MemberUsersRepository } from '../membership/member-users.repository.js';
import { TeamMembersRepository } from '../membership/team-members.repository.js';
import { PostsRepository } from '../posts/posts.repository.js';
import { ChannelWebhooks } from '../webhooks/channel-webhooks.js';
import {
  ChannelRow,
  newChannelRow,
  channelView,
  directChannelName,
  GROUP_MAX_USERS,
  GROUP_MIN_USERS,
  groupChannelName,
  groupDisplayName,
  TOWN_SQUARE,
  validateChannel,
} from './channel.model.js';
import { ChannelAccess } from './channel-access.js';
import { isLocalSession } from '../local-mode/local-session.js';
import { ChannelsRepository } from './channels.repository.js';

export interface NewChannel {
  team_id: string;
  name: string;
  display_name: string;
  type: string;
  header?: string;
  purpose?: string;
}

/** What PUT /channels/{id} and PUT /channels/{id}/patch may change. */
export interface ChannelChanges {
  display_name?: string;
  name?: string;
  header?: string;
  purpose?: string;
}

const PG_UNIQUE_VIOLATION = '23505';

export const channelNotFound = (channelId = '') =>
  notFound('app.channel.get.existing.app_error', 'Unable to find the existing channel.', channelId ? `channel_id=${channelId}` : '');
const channelExists = () => badRequest('store.sql_channel.save_channel.exists.app_error', 'A channel with that name already exists on the same team.');
const channelNameMissing = (teamId: string, name: string) =>
  notFound('app.channel.get_by_name.missing.app_error', 'Channel does not exist.', `teamId=${teamId}, name=${name}`);

/**
 * Channel use cases on behalf of a caller: reading, creating (open, private, direct, group),
 * changing, archiving, restoring. Each public method that takes a session checks the caller's
 * permissions, after finding the channel (a missing channel is a 404 before any 403), as
 * Mattermost's handlers do.
 */
@Injectable()
export class ChannelsService {
  constructor(
    private readonly db: Database,
    private readonly channels: ChannelsRepository,
    private readonly members: ChannelMembersRepository,
    private readonly membership: ChannelMembershipService,
    private readonly users: MemberUsersRepository,
    private readonly teamMembers: TeamMembersRepository,
    private readonly access: ChannelAccess,
    private readonly posts: PostsRepository,
    private readonly permissions: PermissionsService,
    private readonly publisher: EventPublisher,
    private readonly invalidation: InvalidationBus,
    private readonly config: ConfigService,
    private readonly webhooks: ChannelWebhooks,
  ) {}

  async get(channelId: string): Promise<ChannelRow> {
    const channel = await this.channels.byId(channelId);
    if (!channel) throw channelNotFound(channelId);
    return channel;
  }

  /** GET /channels/{id}: public channels for the team, the others for their members. */
  async getVisible(session: Session, channelId: string): Promise<ChannelRow> {
    const channel = await this.get(channelId);
    await this.access.requireRead(session, channel);
    return channel;
  }

  /**
   * GET /teams/{id}/channels/name/{name}: public channels for the team; private ones for their
   * members and team admins, and hidden (404) from everyone else.
   */
  async getVisibleByName(session: Session, teamId: string, name: string, includeDeleted: boolean): Promise<ChannelRow> {
    const channel = await this.channels.byName(teamId, name, includeDeleted);
    if (!channel) throw channelNameMissing(teamId, name);
    if (channel.type === 'O') {
      await this.access.requireRead(session, channel);
    } else if (
      !(await this.permissions.hasTeam(session, channel.team_id, 'manage_team')) &&
      !(await this.permissions.hasChannel(session, channel.id, 'read_channel'))
    ) {
      throw channelNameMissing(teamId, name);
    }
    return channel;
  }

  /** GET /channels/{id}/stats: needs read_channel on the channel. */
  async stats(session: Session, channelId: string, excludeFilesCount: boolean) {
    await this.access.requireReadChannel(session, channelId);
    return { channel_id: channelId, ...(await this.channels.stats(channelId, !excludeFilesCount)) };
  }

  /**
   * POST /channels: an open channel needs create_public_channel on its team, a private one
   * create_private_channel (other types are refused after that check, by the creation itself).
   */
  async create(session: Session, input: NewChannel): Promise<ChannelRow> {
    if (input.type === 'O') await this.permissions.requireTeam(session, input.team_id, 'create_public_channel');
    if (input.type === 'P') await this.permissions.requireTeam(session, input.team_id, 'create_private_channel');
    // Local mode has no user: Mattermost's localCreateChannel creates the channel without a member.
    return this.createInTeam(isLocalSession(session) ? '' : session.user_id, input);
  }

  /**
   * Creates an open or private channel in a team (App.CreateChannelWithUser): the creator joins
   * as channel admin and is told with `channel_created`.
   */
  private async createInTeam(creatorId: string, input: NewChannel): Promise<ChannelRow> {
    if (input.type === 'D' || input.type === 'G') {
      throw badRequest('api.channel.create_channel.direct_channel.app_error', 'Must use createDirectChannel API service for direct message channel creation.');
    }
    const creator = creatorId ? await this.users.byId(creatorId) : undefined;
    if (creatorId && !creator) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
    const channel = newChannelRow({
      team_id: input.team_id,
      type: input.type as ChannelRow['type'],
      display_name: input.display_name.trim(),
      name: input.name,
      header: input.header ?? '',
      purpose: input.purpose ?? '',
      creator_id: creatorId,
    });
    validateChannel(channel);
    const member = await this.db.transaction(async (tx) => {
      // The team lock makes MaxChannelsPerTeam hold under concurrent creations.
      if (!(await this.teamMembers.lockTeam(channel.team_id, tx))) throw notFound('app.team.get.find.app_error', 'We could not find the existing team.');
      const max = this.config.get().TeamSettings.MaxChannelsPerTeam;
      if ((await this.channels.countForTeam(channel.team_id, tx)) + 1 > max) {
        throw badRequest('api.channel.create_channel.max_channel_limit.app_error', `Unable to create more than ${max} channels for current team.`);
      }
      const existing = await this.channels.byName(channel.team_id, channel.name, true, tx);
      if (existing) {
        if (existing.delete_at > 0) throw badRequest('store.sql_channel.save.archived_channel.app_error', 'You can not modify an archived channel.');
        throw channelExists();
      }
      await this.channels.insert(channel, tx);
      return creator ? this.members.insert(this.membership.newMember(channel.id, creator, true, channel.create_at), tx) : undefined;
    });
    if (member) this.invalidation.emit('channel_members', channel.id);
    if (creator) this.publisher.publish(newEvent(WsEvents.ChannelCreated, { user_id: creatorId }, { channel_id: channel.id, team_id: channel.team_id }));
    return channel;
  }

  /**
   * POST /channels/direct: needs create_direct_channel, and manage_system for a channel the caller
   * is not in.
   */
  async createDirect(session: Session, userIds: [string, string]): Promise<ChannelRow> {
    this.permissions.requireSystem(session, 'create_direct_channel');
    if (!userIds.includes(session.user_id)) this.permissions.requireSystem(session, 'manage_system');
    return this.getOrCreateDirect(session, userIds);
  }

  /**
   * The direct channel an integration posts to for its owner (an incoming webhook's `@username`
   * channel override), created on first use with the owner's system roles deciding as for them.
   */
  async directChannelFor(owner: { id: string; roles: string }, otherUserId: string): Promise<ChannelRow> {
    return this.getOrCreateDirect(sessionFor(owner), [owner.id, otherUserId]);
  }

  /**
   * The direct channel between two users, created on first use (App.GetOrCreateDirectChannel).
   * A new one is announced with `direct_added` to both members.
   */
  private async getOrCreateDirect(session: Session, userIds: [string, string]): Promise<ChannelRow> {
    const [first, second] = userIds;
    const name = directChannelName(first, second);
    const existing = await this.channels.byName('', name, true);
    if (existing) return existing;
    const unique = [...new Set(userIds)];
    const users = await this.users.byIds(unique);
    if (users.length !== unique.length) {
      throw badRequest(
        'api.channel.create_direct_channel.invalid_user.app_error',
        'Invalid user ID for direct channel creation.',
        `user_ids=${unique.join(',')}`,
      );
    }
    if (
      this.config.get().TeamSettings.RestrictDirectMessage === 'team' &&
      first !== second &&
      !this.permissions.hasSystem(session, 'manage_system') &&
      !(await this.teamMembers.shareATeam(first, second))
    ) {
      throw forbidden(
        'api.channel.create_channel.direct_channel.team_restricted_error',
        'A direct channel can only be created between users who share a team.',
      );
    }
    const now = Date.now();
    const { channel, created } = await this.db.transaction(async (tx) => {
      const result = await this.channels.insertOrGet(this.messageChannel('D', name, '', session.user_id, now), tx);
      if (result.created) for (const user of users) await this.members.insert(this.membership.newMember(result.channel.id, user, false, now), tx);
      return result;
    });
    if (created) {
      this.invalidation.emit('channel_members', channel.id);
      const teammate = first === session.user_id ? second : first;
      this.publisher.publish(newEvent(WsEvents.DirectAdded, { channel_id: channel.id }, { creator_id: session.user_id, teammate_id: teammate }));
    }
    return channel;
  }

  /** POST /channels/group: needs create_group_channel; the caller is among the users. */
  async createGroup(session: Session, userIds: string[]): Promise<ChannelRow> {
    this.permissions.requireSystem(session, 'create_group_channel');
    return this.getOrCreateGroup(userIds);
  }

  /**
   * The group channel of 3–8 users (the caller included), created on first use. Each member of a
   * new one is told with `group_added`.
   */
  private async getOrCreateGroup(userIds: string[]): Promise<ChannelRow> {
    if (userIds.length < GROUP_MIN_USERS || userIds.length > GROUP_MAX_USERS) {
      throw badRequest('api.channel.create_group.bad_size.app_error', 'Group message channels must contain at least 3 and no more than 8 users.');
    }
    const users = await this.users.byIds(userIds);
    if (users.length !== userIds.length) {
      throw badRequest('api.channel.create_group.bad_user.app_error', 'One of the provided users does not exist.', `user_ids=${JSON.stringify(userIds)}`);
    }
    const name = groupChannelName(userIds);
    const existing = await this.channels.byName('', name, true);
    if (existing) return existing;
    const now = Date.now();
    const displayName = groupDisplayName(users.map((u) => u.username));
    const { channel, created } = await this.db.transaction(async (tx) => {
      const result = await this.channels.insertOrGet(this.messageChannel('G', name, displayName, '', now), tx);
      if (result.created) for (const user of users) await this.members.insert(this.membership.newMember(result.channel.id, user, false, now), tx);
      return result;
    });
    if (created) {
      this.invalidation.emit('channel_members', channel.id);
      const teammateIds = JSON.stringify(userIds);
      for (const userId of userIds) {
        this.publisher.publish(newEvent(WsEvents.GroupAdded, { channel_id: channel.id, user_id: userId }, { teammate_ids: teammateIds }));
      }
    }
    return channel;
  }

  private messageChannel(type: 'D' | 'G', name: string, displayName: string, creatorId: string, now: number): ChannelRow {
    return newChannelRow({ team_id: '', type, display_name: displayName, name, creator_id: creatorId }, now);
  }

  /**
   * PUT /channels/{id}: needs the permission to manage the channel's properties (membership for
   * direct and group messages); the type cannot change here.
   */
  async update(session: Session, channelId: string, changes: ChannelChanges, type: string | undefined): Promise<ChannelRow> {
    const channel = await this.get(channelId);
    await this.access.requireManageProperties(session, channel);
    if (type && type !== channel.type) throw badRequest('api.channel.update_channel.typechange.app_error', 'The type of a channel cannot be changed here.');
    return this.change(channel, changes, 'update');
  }

  /** PUT /channels/{id}/patch: as update, and an empty patch is refused before the permission check. */
  async patch(session: Session, channelId: string, changes: ChannelChanges): Promise<ChannelRow> {
    const channel = await this.get(channelId);
    if (Object.values(changes).every((v) => v === undefined)) {
      throw badRequest('api.channel.patch_update_channel.no_changes.app_error', 'No changes were requested.');
    }
    await this.access.requireManageProperties(session, channel);
    return this.change(channel, changes, 'patch');
  }

  /**
   * Applies changes from PUT (replace) or PATCH (partial), with Mattermost's rules: archived
   * channels and Town Square's name are fixed, and a DM/GM only takes a new header.
   */
  private async change(channel: ChannelRow, changes: ChannelChanges, mode: 'update' | 'patch'): Promise<ChannelRow> {
    if (channel.delete_at > 0) throw badRequest('api.channel.update_channel.deleted.app_error', 'The channel has been archived or deleted.');
    const next: ChannelRow = { ...channel };
    if (changes.display_name) next.display_name = changes.display_name.trim();
    if (changes.name) next.name = changes.name;
    if (mode === 'update') {
      next.header = changes.header ?? '';
      next.purpose = changes.purpose ?? '';
    } else {
      if (changes.header !== undefined) next.header = changes.header;
      if (changes.purpose !== undefined) next.purpose = changes.purpose;
    }
    if (channel.type === 'D' || channel.type === 'G') {
      if (next.name !== channel.name || next.display_name !== channel.display_name || next.purpose !== channel.purpose) {
        const id =
          mode === 'update'
            ? 'api.channel.update_channel.update_direct_or_group_messages_not_allowed.app_error'
            : 'api.channel.patch_update_channel.update_direct_or_group_messages_not_allowed.app_error';
        throw badRequest(id, 'Only the header of a direct or group message can be changed.');
      }
    } else {
      validateChannel(next);
    }
    if (channel.name === TOWN_SQUARE && next.name !== TOWN_SQUARE) {
      throw badRequest('api.channel.update_channel.tried.app_error', `Tried to perform an invalid update of the default channel ${TOWN_SQUARE}.`);
    }
    return this.save(next);
  }

  /** Stores a changed channel and announces it with `channel_updated` (the channel as a JSON string). */
  private async save(channel: ChannelRow): Promise<ChannelRow> {
    channel.update_at = Date.now();
    try {
      await this.channels.update(channel);
    } catch (err: any) {
      if (err?.code === PG_UNIQUE_VIOLATION) throw channelExists();
      throw err;
    }
    this.publisher.publish(newEvent(WsEvents.ChannelUpdated, { channel_id: channel.id }, { channel: JSON.stringify(channelView(channel)) }));
    return channel;
  }

  /**
   * PUT /channels/{id}/privacy: public ↔ private, announced to the team with `channel_converted`.
   * Needs convert_private_channel_to_public or convert_public_channel_to_private on the channel.
   */
  async setPrivacy(session: Session, channelId: string, privacy: 'O' | 'P'): Promise<ChannelRow> {
    const channel = await this.get(channelId);
    await this.permissions.requireChannel(session, channelId, privacy === 'O' ? 'convert_private_channel_to_public' : 'convert_public_channel_to_private');
    if (channel.type !== 'O' && channel.type !== 'P') {
      throw badRequest('api.channel.update_channel.typechange.app_error', 'Direct and group messages cannot be made public or private.');
    }
    if (channel.name === TOWN_SQUARE && privacy === 'P') {
      throw badRequest('api.channel.update_channel_privacy.default_channel_error', 'The default channel cannot be made private.');
    }
    const updated = await this.save({ ...channel, type: privacy });
    this.publisher.publish(newEvent(WsEvents.ChannelConverted, { team_id: updated.team_id }, { channel_id: updated.id }));
    return updated;
  }

  /**
   * DELETE /channels/{id}: archives, or with `permanent` deletes, an open or private channel.
   * Needs delete_public_channel or delete_private_channel; direct and group messages are refused first.
   */
  async delete(session: Session, channelId: string, permanent: boolean): Promise<void> {
    const channel = await this.get(channelId);
    if (channel.type === 'D' || channel.type === 'G') {
      throw badRequest('api.channel.delete_channel.type.invalid', 'Unable to delete direct or group message channels.');
    }
    await this.access.requireDelete(session, channel);
    if (permanent) await this.deletePermanently(channel, session);
    else await this.archive(channel);
  }

  /** Archives a channel (App.DeleteChannel); Town Square cannot be archived. */
  private async archive(channel: ChannelRow): Promise<void> {
    if (channel.delete_at > 0) throw badRequest('api.channel.delete_channel.deleted.app_error', 'The channel has been archived or deleted.');
    if (channel.name === TOWN_SQUARE) {
      throw badRequest('api.channel.delete_channel.cannot.app_error', `Unable to delete the default channel ${TOWN_SQUARE}.`);
    }
    const deleteAt = Date.now();
    await this.channels.setDeleteAt(channel.id, deleteAt, deleteAt);
    await this.webhooks.deleteForChannel(channel.id, deleteAt);
    this.publishForVisibility(WsEvents.ChannelDeleted, channel, { channel_id: channel.id, delete_at: deleteAt });
  }

  /** Deletes a channel and its content; only with ServiceSettings.EnableAPIChannelDeletion. */
  private async deletePermanently(channel: ChannelRow, session: Session): Promise<void> {
    if (!this.config.get().ServiceSettings.EnableAPIChannelDeletion) {
      const id = isSystemAdmin(session) ? 'api.user.delete_channel.not_enabled.for_admin.app_error' : 'api.user.delete_channel.not_enabled.app_error';
      throw new AppError(
        '',
        id,
        'Permanent channel deletion feature is not enabled. Please contact your System Administrator.',
        401,
        `channelId=${channel.id}`,
      );
    }
    const memberIds = await this.members.userIds(channel.id);
    const deleteAt = Date.now();
    await this.db.transaction(async (tx) => {
      await this.posts.deletePermanently(tx, { channelId: channel.id });
      await this.webhooks.deleteForChannel(channel.id, deleteAt, tx);
      await this.channels.deletePermanently(channel.id, tx);
    });
    this.invalidation.emit('channel_members', channel.id);
    const data = { channel_id: channel.id, delete_at: deleteAt };
    if (channel.type === 'O') this.publisher.publish(newEvent(WsEvents.ChannelDeleted, { team_id: channel.team_id }, data));
    // The member list is gone, so the former members of a private channel are told one by one.
    else for (const userId of memberIds) this.publisher.publish(newEvent(WsEvents.ChannelDeleted, { user_id: userId }, data));
  }

  /** POST /channels/{id}/restore: unarchiving needs manage_team on the channel's team. */
  async restore(session: Session, channelId: string): Promise<ChannelRow> {
    const channel = await this.get(channelId);
    await this.access.requireRestore(session, channel);
    if (channel.delete_at === 0)
      throw badRequest('api.channel.restore_channel.restored.app_error', 'Unable to unarchive channel. The channel is not archived.');
    const now = Date.now();
    await this.channels.setDeleteAt(channel.id, 0, now);
    const restored = { ...channel, delete_at: 0, update_at: now };
    this.publishForVisibility(WsEvents.ChannelRestored, restored, { channel_id: channel.id });
    return restored;
  }

  /** Public channel events go to the whole team, the others to the channel's members. */
  private publishForVisibility(event: string, channel: ChannelRow, data: Record<string, unknown>) {
    const target = channel.type === 'O' ? { team_id: channel.team_id } : { channel_id: channel.id };
    this.publisher.publish(newEvent(event, target, data));
  }
}
