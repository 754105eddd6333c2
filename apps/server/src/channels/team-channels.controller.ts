import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CurrentSession } from '../common/decorators.js';
import { bodyIdList, bodyObject, boolParam, optional, pagination, urlId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { channelView, urlChannelName } from './channel.model.js';
import { ChannelListsService } from './channel-lists.service.js';
import { ChannelsService } from './channels.service.js';

/** A search term from the query string (a repeated parameter counts as none). */
function termParam(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * /api/v4/teams/{team_id}/channels…: a team's channels, listings and lookups. The lookup by team
 * name is the teams area's (it starts from the team).
 */
@Controller('teams')
export class TeamChannelsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly lists: ChannelListsService,
  ) {}

  @Get(':team_id/channels/name/:channel_name')
  async byTeamIdAndName(
    @Param('team_id') teamId: string,
    @Param('channel_name') channelName: string,
    @Query('include_deleted') includeDeleted: string | undefined,
    @CurrentSession() s: Session,
  ) {
    const channel = await this.channels.getVisibleByName(s, urlId(teamId, 'team_id'), urlChannelName(channelName), boolParam(includeDeleted));
    return channelView(channel);
  }

  @Get(':team_id/channels')
  async publicChannels(@Param('team_id') teamId: string, @Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const { page, perPage } = pagination(q);
    return (await this.lists.publicForTeam(s, id, page, perPage)).map(channelView);
  }

  @Get(':team_id/channels/private')
  async privateChannels(@Param('team_id') teamId: string, @Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const { page, perPage } = pagination(q);
    return (await this.lists.privateForTeam(s, id, page, perPage)).map(channelView);
  }

  @Get(':team_id/channels/deleted')
  async archivedChannels(@Param('team_id') teamId: string, @Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const { page, perPage } = pagination(q);
    return (await this.lists.archivedForTeam(s, id, page, perPage)).map(channelView);
  }

  @Post(':team_id/channels/ids')
  async publicByIds(@Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const ids = bodyIdList(body, 'channel_ids');
    return (await this.lists.publicByIds(s, id, ids)).map(channelView);
  }

  @Post(':team_id/channels/search')
  async search(@Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const term = (optional<string>(bodyObject(body, 'channel_search'), 'term', 'string') ?? '').trim();
    return (await this.lists.search(s, id, term)).map(channelView);
  }

  @Get(':team_id/channels/autocomplete')
  async autocomplete(@Param('team_id') teamId: string, @Query('name') name: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    return (await this.lists.autocomplete(s, id, termParam(name))).map(channelView);
  }

  @Get(':team_id/channels/search_autocomplete')
  async autocompleteForSearch(@Param('team_id') teamId: string, @Query('name') name: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    return (await this.lists.autocompleteForSearch(s, id, termParam(name))).map(channelView);
  }
}
