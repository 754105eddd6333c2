import { Controller, Get, Param, Query } from '@nestjs/common';
import { CurrentSession } from '../common/decorators.js';
import { boolParam, pagination, urlId, urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { channelMemberView, channelView } from './channel.model.js';
import { ChannelListsService } from './channel-lists.service.js';
import { ChannelMembersService } from './channel-members.service.js';
import { ChannelReadsService } from './channel-reads.service.js';

/** /api/v4/users/{user_id}/…channels…: a user's channels, memberships and unread counts. */
@Controller('users')
export class UserChannelsController {
  constructor(
    private readonly lists: ChannelListsService,
    private readonly members: ChannelMembersService,
    private readonly reads: ChannelReadsService,
  ) {}

  @Get(':user_id/channels')
  async allChannels(@Param('user_id') userId: string, @Query('include_deleted') includeDeleted: string | undefined, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    return (await this.lists.forUser(s, id, boolParam(includeDeleted))).map(channelView);
  }

  @Get(':user_id/channel_members')
  async allMemberships(@Param('user_id') userId: string, @Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const { page, perPage } = pagination(q);
    const rows = await this.members.forUser(s, id, page, perPage);
    return rows.map((row) => ({
      ...channelMemberView(row),
      team_display_name: row.team_display_name,
      team_name: row.team_name,
      team_update_at: row.team_update_at,
    }));
  }

  @Get(':user_id/teams/:team_id/channels')
  async teamChannels(
    @Param('user_id') userId: string,
    @Param('team_id') teamId: string,
    @Query('include_deleted') includeDeleted: string | undefined,
    @CurrentSession() s: Session,
  ) {
    const id = urlUserId(userId, s);
    const tid = urlId(teamId, 'team_id');
    return (await this.lists.forUserInTeam(s, id, tid, boolParam(includeDeleted))).map(channelView);
  }

  @Get(':user_id/teams/:team_id/channels/members')
  async teamMemberships(@Param('user_id') userId: string, @Param('team_id') teamId: string, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const tid = urlId(teamId, 'team_id');
    return (await this.members.forUserInTeam(s, id, tid)).map(channelMemberView);
  }

  @Get(':user_id/channels/:channel_id/unread')
  async unread(@Param('user_id') userId: string, @Param('channel_id') channelId: string, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const cid = urlId(channelId, 'channel_id');
    return this.reads.unread(s, id, cid);
  }
}
