import { Injectable } from '@nestjs/common';
import { notFound } from '#common';
import { ConfigService } from '#config';
import { PermissionsService } from '../auth/permissions.service.js';
import { Session } from '../common/session.js';
import { teamMemberNotFound } from '../membership/membership.model.js';
import { TeamMembersRepository } from '../membership/team-members.repository.js';
import { ChannelRow } from './channel.model.js';
import { ChannelsRepository } from './channels.repository.js';

const SEARCH_LIMIT = 100;
const AUTOCOMPLETE_LIMIT = 50;
const GROUP_SEARCH_LIMIT = 50;

/** Listings, searches and autocompletion of channels: a team's, a user's, and group messages. */
@Injectable()
export class ChannelListsService {
  constructor(
    private readonly channels: ChannelsRepository,
    private readonly teamMembers: TeamMembersRepository,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
  ) {}

  /** Archived channels show up in searches when ExperimentalViewArchivedChannels is on. */
  private withArchived(): boolean {
    return this.config.get().TeamSettings.ExperimentalViewArchivedChannels;
  }

  /** GET /teams/{id}/channels: the team's open channels, for those who may list them. */
  async publicForTeam(session: Session, teamId: string, page: number, perPage: number): Promise<ChannelRow[]> {
    await this.permissions.requireTeam(session, teamId, 'list_team_channels');
    return this.channels.ofTypeForTeam(teamId, 'O', page, perPage);
  }

  /** GET /teams/{id}/channels/private: every private channel of the team, for system admins. */
  async privateForTeam(session: Session, teamId: string, page: number, perPage: number): Promise<ChannelRow[]> {
    this.permissions.requireSystem(session, 'manage_system');
    return this.channels.ofTypeForTeam(teamId, 'P', page, perPage);
  }

  /** GET /teams/{id}/channels/deleted: archived open channels, and the private ones the caller is in (all for admins). */
  async archivedForTeam(session: Session, teamId: string, page: number, perPage: number): Promise<ChannelRow[]> {
    await this.permissions.requireTeam(session, teamId, 'list_team_channels');
    const allPrivate = this.permissions.hasSystem(session, 'manage_system');
    return this.channels.archivedForTeam(teamId, session.user_id, allPrivate, page, perPage);
  }

  /** POST /teams/{id}/channels/ids: the team's open channels among the ids; none found is a 404. */
  async publicByIds(session: Session, teamId: string, channelIds: string[]): Promise<ChannelRow[]> {
    await this.permissions.requireTeam(session, teamId, 'view_team');
    const channels = await this.channels.publicByIds(teamId, channelIds);
    if (channels.length === 0) throw notFound('app.channel.get_channels_by_ids.not_found.app_error', 'No channel found.');
    return channels;
  }

  /**
   * POST /teams/{id}/channels/search: the team's open channels for those who may list them;
   * otherwise a team member's own channels, and a 404 for non-members.
   */
  async search(session: Session, teamId: string, term: string): Promise<ChannelRow[]> {
    if (await this.permissions.hasTeam(session, teamId, 'list_team_channels')) {
      return this.channels.searchPublic(teamId, term, this.withArchived(), SEARCH_LIMIT);
    }
    const member = await this.teamMembers.get(teamId, session.user_id);
    if (!member || member.delete_at > 0) throw teamMemberNotFound();
    return this.channels.searchForMember(teamId, session.user_id, term, this.withArchived(), SEARCH_LIMIT);
  }

  /** GET /teams/{id}/channels/autocomplete: open channels and the caller's private ones. */
  async autocomplete(session: Session, teamId: string, term: string): Promise<ChannelRow[]> {
    await this.permissions.requireTeam(session, teamId, 'list_team_channels');
    return this.channels.autocomplete(teamId, session.user_id, term, this.withArchived(), AUTOCOMPLETE_LIMIT);
  }

  /** GET /teams/{id}/channels/search_autocomplete: only the caller's own channels, so no permission is needed. */
  async autocompleteForSearch(session: Session, teamId: string, term: string): Promise<ChannelRow[]> {
    return this.channels.autocompleteForSearch(teamId, session.user_id, term, this.withArchived(), AUTOCOMPLETE_LIMIT);
  }

  /** POST /channels/group/search: the caller's own group messages. */
  async searchGroups(session: Session, term: string): Promise<ChannelRow[]> {
    if (!term) return [];
    return this.channels.searchGroups(session.user_id, term, GROUP_SEARCH_LIMIT);
  }

  /** GET /users/{id}/channels: every channel of the user, for the user and admins (edit_other_users). */
  async forUser(session: Session, userId: string, includeDeleted: boolean): Promise<ChannelRow[]> {
    this.permissions.requireSelfOrAdmin(session, userId);
    return this.channels.forUser(userId, includeDeleted);
  }

  /** GET /users/{id}/teams/{team_id}/channels: also needs view_team on the team. */
  async forUserInTeam(session: Session, userId: string, teamId: string, includeDeleted: boolean): Promise<ChannelRow[]> {
    this.permissions.requireSelfOrAdmin(session, userId);
    await this.permissions.requireTeam(session, teamId, 'view_team');
    return this.channels.forUserInTeam(userId, teamId, includeDeleted);
  }
}
