import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CurrentSession } from '../common/decorators.js';
import { bodyIdList, bodyObject, boolParam, optional, pagination, urlId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { ConfigService } from '#config';
import { invalidUrlParam, notFound } from '#common';
import { PermissionsService } from '../auth/permissions.service.js';
import { memberNotFound } from '../teams/team-membership.service.js';
import { TeamMembersRepository } from '../teams/team-members.repository.js';
import { urlTeamName } from '../teams/team.model.js';
import { TeamsService } from '../teams/teams.service.js';
import { ChannelRow, channelView, isValidChannelName } from './channel.model.js';
import { ChannelAccess } from './channel-access.js';
import { ChannelsRepository } from './channels.repository.js';
import { ChannelsService } from './channels.service.js';

const SEARCH_LIMIT = 100;
const AUTOCOMPLETE_LIMIT = 50;

/** A search term from the query string (a repeated parameter counts as none). */
function termParam(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function urlChannelName(value: string): string {
  if (!isValidChannelName(value)) throw invalidUrlParam('channel_name');
  return value;
}

/** /api/v4/teams/{team_id}/channels…: a team's channels, listings and lookups. */
@Controller('teams')
export class TeamChannelsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly repo: ChannelsRepository,
    private readonly teams: TeamsService,
    private readonly teamMembers: TeamMembersRepository,
    private readonly access: ChannelAccess,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
  ) {}

  /** Archived channels show up in searches when ExperimentalViewArchivedChannels is on. */
  private withArchived(): boolean {
    return this.config.get().TeamSettings.ExperimentalViewArchivedChannels;
  }

  @Get('name/:team_name/channels/name/:channel_name')
  async byTeamNameAndName(@Param('team_name') teamName: string, @Param('channel_name') channelName: string, @Query('include_deleted') includeDeleted: string | undefined, @CurrentSession() s: Session) {
    const team = await this.teams.getByName(urlTeamName(teamName));
    return this.byName(team.id, urlChannelName(channelName), boolParam(includeDeleted), s);
  }

  @Get(':team_id/channels/name/:channel_name')
  async byTeamIdAndName(@Param('team_id') teamId: string, @Param('channel_name') channelName: string, @Query('include_deleted') includeDeleted: string | undefined, @CurrentSession() s: Session) {
    return this.byName(urlId(teamId, 'team_id'), urlChannelName(channelName), boolParam(includeDeleted), s);
  }

  /** Public channels for the team; private ones for their members and team admins, hidden (404) from others. */
  private async byName(teamId: string, name: string, includeDeleted: boolean, s: Session) {
    const channel = await this.channels.getByName(teamId, name, includeDeleted);
    if (channel.type === 'O') {
      await this.access.requireRead(s, channel);
    } else if (!(await this.permissions.hasTeam(s, channel.team_id, 'manage_team')) && !(await this.permissions.hasChannel(s, channel.id, 'read_channel'))) {
      throw notFound('app.channel.get_by_name.missing.app_error', 'Channel does not exist.', `teamId=${teamId}, name=${name}`);
    }
    return channelView(channel);
  }

  @Get(':team_id/channels')
  async publicChannels(@Param('team_id') teamId: string, @Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    await this.permissions.requireTeam(s, id, 'list_team_channels');
    const { page, perPage } = pagination(q);
    return (await this.repo.ofTypeForTeam(id, 'O', page, perPage)).map(channelView);
  }

  @Get(':team_id/channels/private')
  async privateChannels(@Param('team_id') teamId: string, @Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    this.permissions.requireSystem(s, 'manage_system');
    const { page, perPage } = pagination(q);
    return (await this.repo.ofTypeForTeam(id, 'P', page, perPage)).map(channelView);
  }

  @Get(':team_id/channels/deleted')
  async archivedChannels(@Param('team_id') teamId: string, @Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    await this.permissions.requireTeam(s, id, 'list_team_channels');
    const { page, perPage } = pagination(q);
    const allPrivate = this.permissions.hasSystem(s, 'manage_system');
    return (await this.repo.archivedForTeam(id, s.user_id, allPrivate, page, perPage)).map(channelView);
  }

  @Post(':team_id/channels/ids')
  async publicByIds(@Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const ids = bodyIdList(body, 'channel_ids');
    await this.permissions.requireTeam(s, id, 'view_team');
    const channels = await this.repo.publicByIds(id, ids);
    if (channels.length === 0) throw notFound('app.channel.get_channels_by_ids.not_found.app_error', 'No channel found.');
    return channels.map(channelView);
  }

  @Post(':team_id/channels/search')
  async search(@Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const term = (optional<string>(bodyObject(body, 'channel_search'), 'term', 'string') ?? '').trim();
    let rows: ChannelRow[];
    if (await this.permissions.hasTeam(s, id, 'list_team_channels')) {
      rows = await this.repo.searchPublic(id, term, this.withArchived(), SEARCH_LIMIT);
    } else {
      const member = await this.teamMembers.get(id, s.user_id);
      if (!member || member.delete_at > 0) throw memberNotFound();
      rows = await this.repo.searchForMember(id, s.user_id, term, this.withArchived(), SEARCH_LIMIT);
    }
    return rows.map(channelView);
  }

  @Get(':team_id/channels/autocomplete')
  async autocomplete(@Param('team_id') teamId: string, @Query('name') name: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    await this.permissions.requireTeam(s, id, 'list_team_channels');
    return (await this.repo.autocomplete(id, s.user_id, termParam(name), this.withArchived(), AUTOCOMPLETE_LIMIT)).map(channelView);
  }

  @Get(':team_id/channels/search_autocomplete')
  async autocompleteForSearch(@Param('team_id') teamId: string, @Query('name') name: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    return (await this.repo.autocompleteForSearch(id, s.user_id, termParam(name), this.withArchived(), AUTOCOMPLETE_LIMIT)).map(channelView);
  }
}
