import { Injectable } from '@nestjs/common';
import { forbidden, permissionDenied } from '#common';
import { PermissionsService } from '../auth/permissions.service.js';
import { Session } from '../common/session.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { ChannelRow } from './channel.model.js';

/**
 * The channel permission rules the API handlers share: reading a channel, changing its
 * properties, managing its members. Private, direct and group channels are for their members
 * (and, for private channels, whoever holds the permission through their team role).
 */
@Injectable()
export class ChannelAccess {
  constructor(
    private readonly permissions: PermissionsService,
    private readonly members: ChannelMembersRepository,
  ) {}

  /** Public channels are readable by the team (read_public_channel); the rest by members (read_channel). */
  async canRead(session: Session, channel: ChannelRow): Promise<boolean> {
    if (channel.type === 'O' && (await this.permissions.hasTeam(session, channel.team_id, 'read_public_channel'))) return true;
    return this.permissions.hasChannel(session, channel.id, 'read_channel');
  }

  async requireRead(session: Session, channel: ChannelRow): Promise<void> {
    if (!(await this.canRead(session, channel))) throw permissionDenied('read_channel');
  }

  /** read_channel proper: for member lists, stats and unread counts (no team-wide fallback for public channels). */
  async requireReadChannel(session: Session, channelId: string): Promise<void> {
    await this.permissions.requireChannel(session, channelId, 'read_channel');
  }

  /** Changing name/header/purpose: a permission for open/private channels, membership for DMs and GMs. */
  async requireManageProperties(session: Session, channel: ChannelRow): Promise<void> {
    if (channel.type === 'O') return this.permissions.requireChannel(session, channel.id, 'manage_public_channel_properties');
    if (channel.type === 'P') return this.permissions.requireChannel(session, channel.id, 'manage_private_channel_properties');
    if (!(await this.members.get(channel.id, session.user_id))) {
      throw forbidden('api.channel.patch_update_channel.forbidden.app_error', 'You do not have the appropriate permissions to update this channel.');
    }
  }

  async canManageMembers(session: Session, channel: ChannelRow): Promise<boolean> {
    const permission = channel.type === 'O' ? 'manage_public_channel_members' : 'manage_private_channel_members';
    return this.permissions.hasChannel(session, channel.id, permission);
  }

  async requireManageMembers(session: Session, channel: ChannelRow): Promise<void> {
    if (!(await this.canManageMembers(session, channel))) {
      throw permissionDenied(channel.type === 'O' ? 'manage_public_channel_members' : 'manage_private_channel_members');
    }
  }

  async requireDelete(session: Session, channel: ChannelRow): Promise<void> {
    await this.permissions.requireChannel(session, channel.id, channel.type === 'O' ? 'delete_public_channel' : 'delete_private_channel');
  }

  /** Unarchiving needs manage_team on the channel's team (restoreChannel). */
  async requireRestore(session: Session, channel: ChannelRow): Promise<void> {
    await this.permissions.requireTeam(session, channel.team_id, 'manage_team');
  }
}
