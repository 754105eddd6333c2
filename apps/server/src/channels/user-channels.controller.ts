import { Controller, Get, Param, Query } from '@nestjs/common';
import { CurrentSession } from '../common/decorators.js';
import { boolParam, pagination, urlId, urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { channelMemberView, channelView } from './channel.model.js';
import { ChannelAccess } from './channel-access.js';
import { ChannelMembersRepository } from './channel-members.repository.js';
import { ChannelReadsService } from './channel-reads.service.js';
import { ChannelsRepository } from './channels.repository.js';

/** /api/v4/users/{user_id}/…channels…: a user's channels, memberships and unread counts. */
@Controller('users')
export class UserChannelsController {
  constructor(
    private readonly channels: ChannelsRepository,
    private readonly members: ChannelMembersRepository,
    private readonly reads: ChannelReadsService,
    private readonly access: ChannelAccess,
    private readonly permissions: PermissionsService,
  ) {}

  @Get(':user_id/channels')
  async allChannels(@Param('user_id') userId: string, @Query('include_deleted') includeDeleted: string | undefined, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    this.permissions.requireSelfOrAdmin(s, id);
    return (await this.channels.forUser(id, boolParam(includeDeleted))).map(channelView);
  }

  @Get(':user_id/channel_members')
  async allMemberships(@Param('user_id') userId: string, @Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    this.permissions.requireSelfOrAdmin(s, id);
    const { page, perPage } = pagination(q);
    const rows = await this.members.forUserWithTeams(id, page, perPage);
    return rows.map((row) => ({
      ...channelMemberView(row),
      team_display_name: row.team_display_name,
      team_name: row.team_name,
      team_update_at: row.team_update_at,
    }));
  }

  @Get(':user_id/teams/:team_id/channels')
  async teamChannels(@Param('user_id') userId: string, @Param('team_id') teamId: string, @Query('include_deleted') includeDeleted: string | undefined, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const tid = urlId(teamId, 'team_id');
    this.permissions.requireSelfOrAdmin(s, id);
    await this.permissions.requireTeam(s, tid, 'view_team');
    return (await this.channels.forUserInTeam(id, tid, boolParam(includeDeleted))).map(channelView);
  }

  @Get(':user_id/teams/:team_id/channels/members')
  async teamMemberships(@Param('user_id') userId: string, @Param('team_id') teamId: string, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const tid = urlId(teamId, 'team_id');
    await this.permissions.requireTeam(s, tid, 'view_team');
    if (id !== s.user_id) this.permissions.requireSystem(s, 'manage_system');
    return (await this.members.forUserInTeam(id, tid)).map(channelMemberView);
  }

  @Get(':user_id/channels/:channel_id/unread')
  async unread(@Param('user_id') userId: string, @Param('channel_id') channelId: string, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const cid = urlId(channelId, 'channel_id');
    this.permissions.requireSelfOrAdmin(s, id);
    await this.access.requireReadChannel(s, cid);
    return this.reads.unread(cid, id);
  }
}
