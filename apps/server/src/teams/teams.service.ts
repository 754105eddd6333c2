import { Injectable } from '@nestjs/common';
import { AppError, badRequest, forbidden, newId, notFound, permissionDenied } from '#common';
import { ConfigService } from '#config';
import { Database } from '#db';
import { EventPublisher, InvalidationBus, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import { ChannelRow } from '../channels/channel.model.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import { ChannelsService } from '../channels/channels.service.js';
import { DefaultChannelsService } from '../channels/default-channels.service.js';
import { Session } from '../common/session.js';
import { MemberUser, MemberUsersRepository } from '../membership/member-users.repository.js';
import { TeamMemberRow } from '../membership/membership.model.js';
import { TeamMembersRepository } from '../membership/team-members.repository.js';
import { PostsRepository } from '../posts/posts.repository.js';
import { SANITIZED, TeamRow, TeamType, TeamView, teamView, validateTeam } from './team.model.js';
import { TeamMembershipService } from './team-membership.service.js';
import { TeamViews } from './team-views.js';
import { TeamListFilter, TeamsRepository } from './teams.repository.js';
import { isLocalSession } from '../local-mode/local-session.js';

export interface NewTeam {
  name: string;
  display_name: string;
  type: string;
  description?: string;
  company_name?: string;
  allowed_domains?: string;
  allow_open_invite?: boolean;
  /** The team's email; only used without a creator (local mode), whose email it is otherwise. */
  email?: string;
}

/** The fields PUT /teams/{id} and PUT /teams/{id}/patch may change (TeamPatch). */
export interface TeamChanges {
  display_name?: string;
  description?: string;
  company_name?: string;
  allowed_domains?: string;
  allow_open_invite?: boolean;
  group_constrained?: boolean;
  last_team_icon_update?: number;
}

/** POST /teams/search's body (TeamSearch). */
export interface TeamSearch {
  term: string;
  page?: number;
  perPage?: number;
  allowOpenInvite?: boolean;
}

const PG_UNIQUE_VIOLATION = '23505';

export const teamNotFound = () => notFound('app.team.get.find.app_error', 'We could not find the existing team.');
const missingAccount = () => notFound('app.user.missing_account.const', 'Unable to find the user.');

/**
 * Team use cases: lifecycle, lookup and listing, and adding/removing members. Methods that take a
 * session act on behalf of that caller and check their permissions first; teams are returned as
 * that caller may see them (TeamViews).
 */
@Injectable()
export class TeamsService {
  constructor(
    private readonly db: Database,
    private readonly teams: TeamsRepository,
    private readonly members: TeamMembersRepository,
    private readonly membership: TeamMembershipService,
    private readonly views: TeamViews,
    private readonly defaultChannels: DefaultChannelsService,
    private readonly channelsService: ChannelsService,
    private readonly channels: ChannelsRepository,
    private readonly users: MemberUsersRepository,
    private readonly posts: PostsRepository,
    private readonly permissions: PermissionsService,
    private readonly publisher: EventPublisher,
    private readonly invalidation: InvalidationBus,
    private readonly config: ConfigService,
  ) {}

  async get(teamId: string): Promise<TeamRow> {
    const team = await this.teams.byId(teamId);
    if (!team) throw teamNotFound();
    return team;
  }

  async getByName(name: string): Promise<TeamRow> {
    const team = await this.teams.byName(name);
    if (!team) throw notFound('app.team.get_by_name.missing.app_error', 'Unable to find the existing team.');
    return team;
  }

  /** The live team an invite id belongs to (sign-up with ?iid=, joining by invite link). */
  async byInviteId(inviteId: string): Promise<TeamRow> {
    const team = inviteId ? await this.teams.byInviteId(inviteId) : undefined;
    if (!team || team.delete_at > 0) throw notFound('app.team.get_by_invite_id.finding.app_error', 'Unable to find the existing team.');
    return team;
  }

  /** GET /teams/invite/{invite_id} (no session): what the invite landing page shows; invite-only teams are not described. */
  async inviteInfo(inviteId: string) {
    const team = await this.byInviteId(inviteId);
    if (team.type !== 'O') throw forbidden('api.team.get_invite_info.not_open_team', 'Invite is invalid because this is not an open team.', `id=${inviteId}`);
    return { display_name: team.display_name, description: team.description, name: team.name, id: team.id };
  }

  /** GET /teams/{id}: for those who may see the team. */
  async getVisible(session: Session, teamId: string): Promise<TeamView> {
    const team = await this.get(teamId);
    await this.requireViewable(session, team);
    return this.views.one(session, team);
  }

  /** GET /teams/name/{name}: for those who may see the team. */
  async getVisibleByName(session: Session, name: string): Promise<TeamView> {
    const team = await this.getByName(name);
    await this.requireViewable(session, team);
    return this.views.one(session, team);
  }

  /** GET /teams/name/{team_name}/channels/name/{channel_name}: the team by name, then the channel as the caller may see it. */
  async channelByName(session: Session, teamName: string, channelName: string, includeDeleted: boolean): Promise<ChannelRow> {
    const team = await this.getByName(teamName);
    return this.channelsService.getVisibleByName(session, team.id, channelName, includeDeleted);
  }

  private async user(userId: string): Promise<MemberUser> {
    const user = await this.users.byId(userId);
    if (!user) throw missingAccount();
    return user;
  }

  /** POST /teams: needs create_team (Mattermost's "team creation has been disabled" otherwise). */
  async create(session: Session, input: NewTeam): Promise<TeamRow> {
    if (!this.permissions.hasSystem(session, 'create_team')) {
      throw forbidden(
        'api.team.is_team_creation_allowed.disabled.app_error',
        'Team creation has been disabled. Please ask your System Administrator for details.',
      );
    }
    // Local mode (mmctl --local) has no user: Mattermost's localCreateTeam calls App.CreateTeam,
    // which makes nobody a member.
    return this.createWithCreator(isLocalSession(session) ? undefined : session.user_id, input);
  }

  /** Creates a team with its default channels; the creator becomes its admin (App.CreateTeamWithUser). */
  private async createWithCreator(creatorId: string | undefined, input: NewTeam): Promise<TeamRow> {
    const creator = creatorId === undefined ? undefined : await this.user(creatorId);
    const now = Date.now();
    const team: TeamRow = {
      id: newId(),
      create_at: now,
      update_at: now,
      delete_at: 0,
      display_name: input.display_name,
      name: input.name,
      description: input.description ?? '',
      email: (creator?.email ?? input.email ?? '').toLowerCase(),
      type: input.type as TeamType,
      company_name: input.company_name ?? '',
      allowed_domains: input.allowed_domains ?? '',
      invite_id: newId(),
      allow_open_invite: input.allow_open_invite ?? false,
      last_team_icon_update: 0,
      scheme_id: null,
      group_constrained: false,
    };
    validateTeam(team);
    if (creator) this.membership.checkEmailDomain(team, creator, 'api.team.is_team_creation_allowed.domain.app_error');
    await this.db
      .transaction(async (tx) => {
        await this.teams.insert(team, tx);
        await this.defaultChannels.create(team.id, tx, now);
      })
      .catch((err) => {
        if (err?.code === PG_UNIQUE_VIOLATION) throw badRequest('app.team.save.existing.app_error', 'A team with that name already exists.');
        throw err;
      });
    if (creator) await this.membership.join(team, creator);
    return team;
  }

  private async save(team: TeamRow, event: string): Promise<TeamRow> {
    team.update_at = Date.now();
    await this.teams.update(team);
    this.publishTeam(team, event);
    return team;
  }

  /** Team events carry the sanitized team as a JSON string (App.sendTeamEvent), to the team's members. */
  private publishTeam(team: TeamRow, event: string, target: { team_id?: string; user_id?: string } = { team_id: team.id }) {
    this.publisher.publish(newEvent(event, target, { team: JSON.stringify(teamView(team, SANITIZED)) }));
  }

  /**
   * A new team icon (its time) or none (0), told to the team's members with `update_team` as
   * App.SetTeamIconFromFile and RemoveTeamIcon do. The caller checked manage_team.
   */
  async setLastIconUpdate(teamId: string, at: number): Promise<TeamRow> {
    const team = await this.get(teamId);
    team.last_team_icon_update = at;
    return this.save(team, WsEvents.UpdateTeam);
  }

  /** PUT /teams/{id}: replaces the editable fields (App.UpdateTeam with Sanitized options); needs manage_team. */
  async update(
    session: Session,
    teamId: string,
    changes: Required<Omit<TeamChanges, 'group_constrained'>> & { group_constrained?: boolean },
  ): Promise<TeamView> {
    await this.permissions.requireTeam(session, teamId, 'manage_team');
    const team = await this.get(teamId);
    Object.assign(team, {
      display_name: changes.display_name,
      description: changes.description,
      allow_open_invite: changes.allow_open_invite,
      company_name: changes.company_name,
      allowed_domains: changes.allowed_domains,
      last_team_icon_update: changes.last_team_icon_update,
      group_constrained: changes.group_constrained ?? team.group_constrained,
    });
    validateTeam(team);
    return this.views.one(session, await this.save(team, WsEvents.UpdateTeam));
  }

  /** PUT /teams/{id}/patch: closing a team to open invites also invalidates its invite link. Needs manage_team. */
  async patch(session: Session, teamId: string, changes: TeamChanges): Promise<TeamView> {
    await this.permissions.requireTeam(session, teamId, 'manage_team');
    const team = await this.get(teamId);
    for (const key of ['display_name', 'description', 'company_name', 'allowed_domains', 'group_constrained'] as const) {
      if (changes[key] !== undefined) (team as any)[key] = changes[key];
    }
    if (changes.allow_open_invite !== undefined) {
      if (!changes.allow_open_invite) team.invite_id = newId();
      team.allow_open_invite = changes.allow_open_invite;
    }
    validateTeam(team);
    return this.views.one(session, await this.save(team, WsEvents.UpdateTeam));
  }

  /** PUT /teams/{id}/privacy: "O" opens the team, "I" makes it invite-only with a fresh invite id. Needs manage_team. */
  async setPrivacy(session: Session, teamId: string, privacy: TeamType): Promise<TeamRow> {
    await this.permissions.requireTeam(session, teamId, 'manage_team');
    const team = await this.get(teamId);
    const openInvite = privacy === 'O';
    if ((openInvite !== team.allow_open_invite || privacy !== team.type) && privacy === 'I') team.invite_id = newId();
    team.type = privacy;
    team.allow_open_invite = openInvite;
    return this.save(team, WsEvents.UpdateTeam);
  }

  /** POST /teams/{id}/regenerate_invite_id: needs manage_team; the team's email shows only as PrivacySettings allow. */
  async regenerateInviteId(session: Session, teamId: string): Promise<TeamView> {
    await this.permissions.requireTeam(session, teamId, 'manage_team');
    const team = await this.get(teamId);
    team.invite_id = newId();
    return this.views.one(session, await this.save(team, WsEvents.UpdateTeam), { hideEmailUnlessAdmin: true });
  }

  /** DELETE /teams/{id}: archives the team, or with `permanent` deletes it; needs manage_team. */
  async delete(session: Session, teamId: string, permanent: boolean): Promise<void> {
    await this.permissions.requireTeam(session, teamId, 'manage_team');
    if (permanent) await this.deletePermanently(teamId);
    else await this.archive(teamId);
  }

  /** Archives a team (delete_at); members and channels stay so it can be restored. */
  private async archive(teamId: string): Promise<void> {
    const team = await this.get(teamId);
    team.delete_at = Date.now();
    await this.save(team, WsEvents.DeleteTeam);
  }

  /** Deletes a team and everything in it; only with ServiceSettings.EnableAPITeamDeletion. */
  private async deletePermanently(teamId: string): Promise<void> {
    if (!this.config.get().ServiceSettings.EnableAPITeamDeletion) {
      throw new AppError(
        '',
        'api.user.delete_team.not_enabled.app_error',
        'Permanent team deletion feature is not enabled. Please ask your System Administrator.',
        401,
        `teamId=${teamId}`,
      );
    }
    const team = await this.get(teamId);
    const memberIds = (await this.members.list(team.id, 0, Number.MAX_SAFE_INTEGER, {})).map((m) => m.user_id);
    const channelIds = await this.channels.idsForTeam(team.id);
    team.delete_at = Date.now();
    await this.db.transaction(async (tx) => {
      await this.posts.deletePermanently(tx, { teamId: team.id });
      await this.teams.deletePermanently(team.id, tx);
    });
    for (const channelId of channelIds) {
      this.invalidation.emit('channel_members', channelId);
      this.invalidation.emit('channel', channelId);
    }
    this.invalidation.emit('team_members', team.id);
    // The team's member list is gone, so each former member is told directly.
    for (const userId of memberIds) this.publishTeam(team, WsEvents.DeleteTeam, { user_id: userId });
  }

  /** POST /teams/{id}/restore: needs manage_team. */
  async restore(session: Session, teamId: string): Promise<TeamRow> {
    await this.permissions.requireTeam(session, teamId, 'manage_team');
    const team = await this.get(teamId);
    team.delete_at = 0;
    return this.save(team, WsEvents.RestoreTeam);
  }

  /** GET /teams: users see teams open to invites, admins (list_private_teams too) every team. */
  private listingFilter(session: Session): TeamListFilter {
    const listPrivate = this.permissions.hasSystem(session, 'list_private_teams');
    const listPublic = this.permissions.hasSystem(session, 'list_public_teams');
    if (listPrivate && listPublic) return {};
    if (listPrivate) return { allowOpenInvite: false };
    if (listPublic) return { allowOpenInvite: true };
    throw forbidden('api.team.get_all_teams.insufficient_permissions', 'You do not have the appropriate permissions to list teams.');
  }

  /** GET /teams: a page of the teams the caller may list, with their total when asked for. */
  async list(session: Session, page: number, perPage: number, withTotal: boolean): Promise<{ teams: TeamView[]; total_count?: number }> {
    const filter = this.listingFilter(session);
    const present = await this.views.forSession(session);
    const teams = (await this.teams.list(filter, page, perPage)).map(present);
    if (!withTotal) return { teams };
    return { teams, total_count: await this.teams.count(filter) };
  }

  /**
   * POST /teams/search: as GET /teams, for names starting with the term; `allow_open_invite`
   * narrows the listing only for those who may list both kinds. Paged (with the total) only
   * when both page and per_page are given; otherwise the first 200.
   */
  async search(session: Session, input: TeamSearch): Promise<{ teams: TeamView[]; total_count?: number }> {
    const filter = { ...this.listingFilter(session), term: input.term };
    if (input.allowOpenInvite !== undefined && filter.allowOpenInvite === undefined) filter.allowOpenInvite = input.allowOpenInvite;
    const present = await this.views.forSession(session);
    if (input.page !== undefined && input.perPage !== undefined) {
      const size = Math.min(Math.max(0, Math.floor(input.perPage)), 200);
      const teams = (await this.teams.list(filter, Math.max(0, Math.floor(input.page)), size)).map(present);
      return { teams, total_count: await this.teams.count(filter) };
    }
    return { teams: (await this.teams.list(filter, 0, 200)).map(present) };
  }

  /** GET /users/{id}/teams: one's own teams, or anyone's with sysconsole_read_user_management_users. */
  async forUser(session: Session, userId: string): Promise<TeamView[]> {
    if (userId !== session.user_id) this.permissions.requireSystem(session, 'sysconsole_read_user_management_users');
    const present = await this.views.forSession(session, { hideEmailUnlessAdmin: true });
    return (await this.teams.forUser(userId)).map(present);
  }

  /** GET /teams/name/{name}/exists: true only when the caller could see the team. */
  async exists(session: Session, name: string): Promise<boolean> {
    const team = await this.teams.byName(name);
    if (!team) return false;
    const member = await this.members.get(team.id, session.user_id);
    if (member && member.delete_at === 0) return true;
    return this.permissions.hasSystem(session, team.allow_open_invite ? 'list_public_teams' : 'list_private_teams');
  }

  /** GET /teams/{id}/stats: needs view_team. */
  async stats(session: Session, teamId: string) {
    await this.permissions.requireTeam(session, teamId, 'view_team');
    const stats = await this.members.stats(teamId);
    return { team_id: teamId, total_member_count: stats.total_member_count, active_member_count: stats.active_member_count };
  }

  /**
   * Adds a user to a team. With a caller (actor) Mattermost's rules apply: one may join a team
   * open to invites oneself (join_public_teams; join_private_teams for the others), while adding
   * someone else needs add_user_to_team. A null actor is the system (sign-up with an invite id).
   */
  async addMember(teamId: string, userId: string, actor: Session | null): Promise<TeamMemberRow> {
    const team = await this.get(teamId);
    if (actor) await this.requireMayAdd(actor, team, userId);
    const { member } = await this.membership.join(team, await this.user(userId));
    return member;
  }

  private async requireMayAdd(actor: Session, team: TeamRow, userId: string): Promise<void> {
    if (userId === actor.user_id) {
      this.permissions.requireSystem(actor, team.allow_open_invite ? 'join_public_teams' : 'join_private_teams');
    } else {
      await this.permissions.requireTeam(actor, team.id, 'add_user_to_team');
    }
  }

  /**
   * POST /teams/{id}/members/batch: needs add_user_to_team. Stops at the first failure unless
   * graceful, in which case every user gets a result: the membership or the error.
   */
  async addMembers(actor: Session, teamId: string, userIds: string[], graceful: boolean) {
    const team = await this.get(teamId);
    await this.permissions.requireTeam(actor, team.id, 'add_user_to_team');
    const results: Array<{ user_id: string; member?: TeamMemberRow; error?: AppError }> = [];
    for (const userId of userIds) {
      try {
        const { member } = await this.membership.join(team, await this.user(userId));
        results.push({ user_id: userId, member });
      } catch (err) {
        if (!graceful || !(err instanceof AppError)) throw err;
        results.push({ user_id: userId, error: err });
      }
    }
    return results;
  }

  /** POST /teams/members/invite?invite_id=: the caller joins the team the link belongs to. */
  async joinByInviteId(session: Session, inviteId: string): Promise<TeamMemberRow> {
    const team = await this.byInviteId(inviteId);
    if (team.group_constrained) throw forbidden('app.team.invite_id.group_constrained.error', 'Unable to join a group-constrained team by invite.');
    const { member } = await this.membership.join(team, await this.user(session.user_id));
    return member;
  }

  /** DELETE /teams/{id}/members/{uid}: leaving oneself, or removing others with remove_user_from_team. */
  async removeMember(actor: Session, teamId: string, userId: string): Promise<void> {
    if (userId !== actor.user_id) await this.permissions.requireTeam(actor, teamId, 'remove_user_from_team');
    const team = await this.get(teamId);
    await this.user(userId);
    await this.membership.leave(team, userId);
  }

  /** Whether the session may see a team at all: members, or anyone for teams open to invites. */
  async requireViewable(session: Session, team: TeamRow): Promise<void> {
    if (team.allow_open_invite && team.type === 'O') return;
    if (!(await this.permissions.hasTeam(session, team.id, 'view_team'))) throw permissionDenied('view_team');
  }
}
