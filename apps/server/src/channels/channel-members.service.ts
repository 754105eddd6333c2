import { Injectable } from '@nestjs/common';
import { AppError, badRequest, forbidden, notFound, permissionDenied } from '#common';
import { EventPublisher, InvalidationBus, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import { Session } from '../common/session.js';
import { ChannelMembersRepository, MemberTeamData } from '../membership/channel-members.repository.js';
import { ChannelMembershipService } from '../membership/channel-membership.service.js';
import { isGuest, MemberUsersRepository } from '../membership/member-users.repository.js';
import { teamMemberNotFound } from '../membership/membership.model.js';
import { composeRoles, parseRolesUpdate, SchemeFlags } from '../membership/scheme-roles.js';
import { RolesService } from '../roles/roles.service.js';
import { TeamMembersRepository } from '../membership/team-members.repository.js';
import { ChannelMemberRow, channelMemberView, ChannelRow, mergeNotifyProps, TOWN_SQUARE } from './channel.model.js';
import { ChannelAccess } from './channel-access.js';
import { ChannelsService } from './channels.service.js';

export const channelMemberNotFound = () => notFound('app.channel.get_member.missing.app_error', 'No channel member found for that user ID and channel ID.');
const missingAccount = () => notFound('app.user.missing_account.const', 'Unable to find the user.');

/**
 * Channel members on behalf of a caller: listing them, adding and removing them, and changes to a
 * membership. Each public method checks the caller's permissions.
 */
@Injectable()
export class ChannelMembersService {
  constructor(
    private readonly channels: ChannelsService,
    private readonly members: ChannelMembersRepository,
    private readonly membership: ChannelMembershipService,
    private readonly users: MemberUsersRepository,
    private readonly teamMembers: TeamMembersRepository,
    private readonly access: ChannelAccess,
    private readonly permissions: PermissionsService,
    private readonly roles: RolesService,
    private readonly publisher: EventPublisher,
    private readonly invalidation: InvalidationBus,
  ) {}

  private async get(channelId: string, userId: string): Promise<ChannelMemberRow> {
    const member = await this.members.get(channelId, userId);
    if (!member) throw channelMemberNotFound();
    return member;
  }

  /** GET /channels/{id}/members/{uid}: needs read_channel. */
  async getMember(session: Session, channelId: string, userId: string): Promise<ChannelMemberRow> {
    await this.access.requireReadChannel(session, channelId);
    return this.get(channelId, userId);
  }

  /** GET /channels/{id}/members: needs read_channel. */
  async list(session: Session, channelId: string, page: number, perPage: number): Promise<ChannelMemberRow[]> {
    await this.access.requireReadChannel(session, channelId);
    return this.members.list(channelId, page, perPage);
  }

  /** POST /channels/{id}/members/ids: needs read_channel. */
  async byUserIds(session: Session, channelId: string, userIds: string[]): Promise<ChannelMemberRow[]> {
    await this.access.requireReadChannel(session, channelId);
    return this.members.byUserIds(channelId, userIds);
  }

  /**
   * GET /channels/{id}/timezones: needs read_channel; each member's preferred timezone (the
   * automatic one when useAutomaticTimezone is "true", else the manual one), members with neither
   * left out, each timezone once (App.GetChannelMembersTimezones).
   */
  async timezones(session: Session, channelId: string): Promise<string[]> {
    await this.access.requireReadChannel(session, channelId);
    const preferred = new Set<string>();
    for (const tz of await this.users.timezonesInChannel(channelId)) {
      if (!tz.automaticTimezone && !tz.manualTimezone) continue;
      preferred.add((tz.useAutomaticTimezone === 'true' ? tz.automaticTimezone : tz.manualTimezone) ?? '');
    }
    return [...preferred];
  }

  /** GET /users/{id}/channel_members: all of a user's memberships, for the user and admins. */
  async forUser(session: Session, userId: string, page: number, perPage: number): Promise<Array<ChannelMemberRow & MemberTeamData>> {
    this.permissions.requireSelfOrAdmin(session, userId);
    return this.members.forUserWithTeams(userId, page, perPage);
  }

  /** GET /users/{id}/teams/{team_id}/channels/members: view_team, then only one's own unless manage_system. */
  async forUserInTeam(session: Session, userId: string, teamId: string): Promise<ChannelMemberRow[]> {
    await this.permissions.requireTeam(session, teamId, 'view_team');
    if (userId !== session.user_id) this.permissions.requireSystem(session, 'manage_system');
    return this.members.forUserInTeam(userId, teamId);
  }

  /**
   * POST /channels/{id}/members (api4 addChannelMember). In a public channel one may join oneself
   * with join_public_channels and add others with manage_public_channel_members; a private channel
   * needs manage_private_channel_members for anyone. Users already in the channel are returned as
   * they are. Fails only when nobody could be added.
   */
  async add(session: Session, channelId: string, userIds: string[]): Promise<ChannelMemberRow[]> {
    const channel = await this.channels.get(channelId);
    if (channel.type !== 'O' && channel.type !== 'P') {
      throw badRequest('api.channel.add_user_to_channel.type.app_error', 'Can not add user to this channel type.');
    }
    let canAddSelf = false;
    let canAddOthers = false;
    if (channel.type === 'O') {
      canAddSelf = await this.permissions.hasTeam(session, channel.team_id, 'join_public_channels');
      canAddOthers = await this.access.canManageMembers(session, channel);
    } else {
      await this.access.requireManageMembers(session, channel);
      canAddSelf = canAddOthers = true;
    }
    const added: ChannelMemberRow[] = [];
    let lastError: AppError | undefined;
    for (const userId of userIds) {
      try {
        const existing = await this.members.get(channel.id, userId);
        const self = userId === session.user_id;
        if (self && existing) {
          added.push(existing);
          continue;
        }
        if (self && !canAddSelf) throw permissionDenied('join_public_channels');
        if (!self && !canAddOthers) throw permissionDenied('manage_public_channel_members');
        added.push(existing ?? (await this.addOne(channel, userId)));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        lastError = err;
      }
    }
    if (lastError && added.length === 0) throw lastError;
    return added;
  }

  /** App.AddChannelMember: an active account that is an active member of the channel's team. */
  private async addOne(channel: ChannelRow, userId: string): Promise<ChannelMemberRow> {
    const user = await this.users.byId(userId);
    if (!user) throw missingAccount();
    if (user.delete_at > 0) throw forbidden('app.channel.add_member.deleted_user.app_error', 'Unable to add a deactivated user to the channel.');
    const teamMember = await this.teamMembers.get(channel.team_id, userId);
    if (!teamMember) throw teamMemberNotFound();
    if (teamMember.delete_at > 0) {
      throw badRequest(
        'api.channel.add_user.to.channel.failed.deleted.app_error',
        'Failed to add user to channel because they have been removed from the team.',
      );
    }
    return (await this.membership.join(channel, user)).member;
  }

  /**
   * DELETE /channels/{id}/members/{uid}: leaving oneself, or removing someone with the manage-members
   * permission. Direct and group messages cannot be left, nor Town Square (except by guests).
   */
  async remove(session: Session, channelId: string, userId: string): Promise<void> {
    const channel = await this.channels.get(channelId);
    const user = await this.users.byId(userId);
    if (!user) throw missingAccount();
    if (channel.type !== 'O' && channel.type !== 'P') {
      throw badRequest('api.channel.remove_channel_member.type.app_error', 'Unable to remove user from a channel.');
    }
    if (userId !== session.user_id) await this.access.requireManageMembers(session, channel);
    if (channel.name === TOWN_SQUARE && !isGuest(user)) {
      throw badRequest('api.channel.remove.default.app_error', `Unable to remove user from the default channel ${TOWN_SQUARE}.`);
    }
    if (!(await this.membership.leave(channel, userId, session.user_id))) throw channelMemberNotFound();
  }

  /** PUT .../members/{uid}/roles: needs manage_channel_roles. */
  async updateRoles(session: Session, channelId: string, userId: string, roles: string): Promise<ChannelMemberRow> {
    await this.permissions.requireChannel(session, channelId, 'manage_channel_roles');
    const member = await this.get(channelId, userId);
    return this.saveRoles(
      member,
      parseRolesUpdate('channel', roles, member.scheme_guest, (name) => this.roles.role(name)),
    );
  }

  /** PUT .../members/{uid}/schemeRoles (App.UpdateChannelMemberSchemeRoles): needs manage_channel_roles. */
  async updateSchemeRoles(session: Session, channelId: string, userId: string, flags: SchemeFlags): Promise<ChannelMemberRow> {
    await this.permissions.requireChannel(session, channelId, 'manage_channel_roles');
    const member = await this.get(channelId, userId);
    if (member.scheme_guest)
      throw badRequest('api.channel.update_channel_member_roles.guest.app_error', 'Invalid channel member update: a guest’s scheme roles cannot be changed.');
    if (flags.scheme_guest)
      throw badRequest('api.channel.update_channel_member_roles.user_and_guest.app_error', 'Invalid channel member update: a user cannot be made a guest.');
    if (!flags.scheme_user)
      throw badRequest(
        'api.channel.update_channel_member_roles.unset_user_scheme.app_error',
        'Invalid channel member update: the user scheme role is required.',
      );
    return this.saveRoles(member, { ...flags, roles: composeRoles('channel', flags) });
  }

  private async saveRoles(member: ChannelMemberRow, update: SchemeFlags & { roles: string }): Promise<ChannelMemberRow> {
    const saved = await this.members.updateRoles({ channel_id: member.channel_id, user_id: member.user_id, ...update }, Date.now());
    if (!saved) throw channelMemberNotFound();
    this.announce(saved);
    return saved;
  }

  /** PUT .../members/{uid}/notify_props: one's own, or anyone's with edit_other_users. */
  async updateNotifyProps(session: Session, channelId: string, userId: string, input: Record<string, unknown>): Promise<ChannelMemberRow> {
    this.permissions.requireSelfOrAdmin(session, userId);
    const member = await this.get(channelId, userId);
    const props = mergeNotifyProps(member.notify_props, input);
    const saved = await this.members.updateNotifyProps(channelId, userId, props, Date.now());
    if (!saved) throw channelMemberNotFound();
    // Mention detection caches members' notify props per channel.
    this.invalidation.emit('channel_members', channelId);
    this.announce(saved);
    return saved;
  }

  /** `channel_member_updated` to the member's own sessions, the membership as a JSON string. */
  private announce(member: ChannelMemberRow) {
    this.publisher.publish(newEvent(WsEvents.ChannelMemberUpdated, { user_id: member.user_id }, { channelMember: JSON.stringify(channelMemberView(member)) }));
  }
}
