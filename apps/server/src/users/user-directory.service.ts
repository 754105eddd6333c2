import { Injectable } from '@nestjs/common';
import { badRequest, forbidden, notFound } from '#common';
import { ConfigService } from '#config';
import { isSystemAdmin, Session } from '../common/session.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { TeamMembersRepository } from '../membership/team-members.repository.js';
import { PublicUser, UserRow } from './user.model.js';
import { TermFields, UserListFilter, UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/** Group messages looked at per request (Mattermost's MaxGroupChannelsForProfiles). */
const MAX_GROUP_CHANNELS_FOR_PROFILES = 50;

/**
 * Finding users: lists, search, autocomplete and lookups, each answered as the caller may see the
 * users. Filtering by a team or channel needs the right to see that team or channel (api4/user.go).
 */
@Injectable()
export class UserDirectoryService {
  constructor(
    private readonly repo: UsersRepository,
    private readonly users: UsersService,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
    private readonly teamMembers: TeamMembersRepository,
  ) {}

  /**
   * GET /users. Each membership filter needs the right to see that membership (api4/user.go
   * getUsers); the inactive and role filters stay with system admins here.
   */
  async list(actor: Session, filter: UserListFilter, page: number, perPage: number): Promise<PublicUser[]> {
    await this.requireFilters(actor, filter);
    if (filter.inactive || filter.role) this.permissions.requireSystem(actor, 'manage_system');
    return this.views(await this.repo.list(filter, page, perPage), actor);
  }

  /**
   * POST /users/search: the filters are checked as for GET /users, and the term matches email and
   * full name only where the caller may see them (searchUsers' AllowEmails / AllowFullNames).
   */
  async search(actor: Session, filter: UserListFilter, limit: number): Promise<PublicUser[]> {
    await this.requireFilters(actor, filter);
    const termFields = this.termFields(actor, true);
    return this.views(await this.repo.list({ ...filter, termFields }, 0, limit), actor);
  }

  /**
   * GET /users/autocomplete: in a channel, its members and (`out_of_channel`) the team's members
   * outside it; otherwise active users, of the team when one is given. Both the channel and the
   * team are checked, so a channel the caller reads (its own DM) cannot list a team it may not
   * see. Never matches emails (autocompleteUsers).
   */
  async autocomplete(
    actor: Session,
    term: string,
    scope: { inChannel?: string; inTeam?: string },
    limit: number,
  ): Promise<{ users: PublicUser[]; out_of_channel?: PublicUser[] }> {
    await this.requireFilters(actor, scope);
    const base = { term, active: true, termFields: this.termFields(actor, false) };
    if (scope.inChannel) {
      // Mattermost answers 500 here; a missing parameter is the caller's error, so 400 with its id.
      if (!scope.inTeam) throw badRequest('api.user.autocomplete_users.missing_team_id.app_error', 'A team is needed to autocomplete the users of a channel.');
      const users = await this.repo.list({ ...base, inChannel: scope.inChannel }, 0, limit);
      const out = await this.repo.list({ ...base, notInChannel: scope.inChannel, inTeam: scope.inTeam }, 0, limit);
      return { users: this.views(users, actor), out_of_channel: this.views(out, actor) };
    }
    return { users: this.views(await this.repo.list({ ...base, inTeam: scope.inTeam }, 0, limit), actor) };
  }

  /** POST /users/ids; `since` > 0 keeps only users updated after it. */
  async byIds(actor: Session, ids: string[], since: number): Promise<PublicUser[]> {
    return this.views(await this.repo.profilesByIds(ids, since > 0 ? since : -1), actor);
  }

  /** POST /users/usernames. */
  async byUsernames(actor: Session, usernames: string[]): Promise<PublicUser[]> {
    return this.views(await this.repo.byUsernames(usernames), actor);
  }

  /** GET /users/{id}. */
  async byId(actor: Session, id: string): Promise<PublicUser> {
    return this.users.view(await this.users.get(id), actor);
  }

  /** GET /users/username/{username}. */
  async byUsername(actor: Session, username: string): Promise<PublicUser> {
    const user = await this.repo.byUsername(username);
    if (!user) throw notFound('app.user.get_by_username.app_error', 'Unable to find an existing account matching your username for this team.');
    return this.users.view(user, actor);
  }

  /** GET /users/email/{email}: system admins, or anyone when ShowEmailAddress is on. */
  async byEmail(actor: Session, email: string): Promise<PublicUser> {
    if (!isSystemAdmin(actor) && !this.config.get().PrivacySettings.ShowEmailAddress) {
      throw forbidden('api.user.get_user_by_email.permissions.app_error', 'Unable to get user by email.');
    }
    const user = await this.repo.byEmail(email);
    if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
    return this.users.view(user, actor);
  }

  /** GET /users/known: who shares a channel with the caller; any session may ask (getKnownUsers). */
  async known(actor: Session): Promise<string[]> {
    return this.repo.knownUserIds(actor.user_id);
  }

  /**
   * POST /users/group_channels: for each group message the caller is in, its other members. Every
   * channel asked about needs read_channel first, and at most 50 are looked at
   * (getProfilesInGroupChannels, MaxGroupChannelsForProfiles).
   */
  async inGroupChannels(actor: Session, channelIds: string[]): Promise<Record<string, PublicUser[]>> {
    for (const channelId of channelIds) await this.permissions.requireChannel(actor, channelId, 'read_channel');
    const rows = await this.repo.inGroupChannelsOf(actor.user_id, channelIds.slice(0, MAX_GROUP_CHANNELS_FOR_PROFILES));
    const byChannel: Record<string, PublicUser[]> = {};
    for (const { channel_id, ...user } of rows) (byChannel[channel_id] ??= []).push(this.users.view(user, actor));
    return byChannel;
  }

  /**
   * GET /users/stats: the active accounts the caller may see (getTotalUsersStats with
   * GetViewUsersRestrictions): all of them with view_members, else the members of the teams where
   * the caller has view_members and of the channels the caller is in.
   */
  async stats(actor: Session): Promise<{ total_users_count: number }> {
    if (this.permissions.hasSystem(actor, 'view_members')) return { total_users_count: await this.repo.countActive() };
    const teamIds: string[] = [];
    for (const teamId of (await this.teamMembers.rolesByTeam(actor.user_id)).keys()) {
      if (await this.permissions.hasTeam(actor, teamId, 'view_members')) teamIds.push(teamId);
    }
    return { total_users_count: await this.repo.countActive({ viewerId: actor.user_id, teamIds }) };
  }

  /**
   * Mattermost's check for every membership filter given (searchUsers checks each one it is sent;
   * getUsers the one it applies, and this server applies them all): channels need read_channel, so
   * a private channel's or a DM's members stay with its members, teams need view_team, and users
   * on no team need list_users_without_team (system admins).
   */
  private async requireFilters(actor: Session, f: Pick<UserListFilter, 'inChannel' | 'notInChannel' | 'inTeam' | 'notInTeam' | 'withoutTeam'>) {
    for (const channelId of [f.inChannel, f.notInChannel]) {
      if (channelId) await this.permissions.requireChannel(actor, channelId, 'read_channel');
    }
    for (const teamId of [f.inTeam, f.notInTeam]) {
      if (teamId) await this.permissions.requireTeam(actor, teamId, 'view_team');
    }
    if (f.withoutTeam) this.permissions.requireSystem(actor, 'list_users_without_team');
  }

  /** The hidden fields a term may match: all for system admins, else what PrivacySettings show. */
  private termFields(actor: Session, emails: boolean): TermFields {
    if (this.permissions.hasSystem(actor, 'manage_system')) return { emails, fullNames: true };
    const privacy = this.config.get().PrivacySettings;
    return { emails: emails && privacy.ShowEmailAddress, fullNames: privacy.ShowFullName };
  }

  private views(rows: UserRow[], actor: Session): PublicUser[] {
    return rows.map((u) => this.users.view(u, actor));
  }
}
