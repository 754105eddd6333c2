import { Injectable } from '@nestjs/common';
import { badRequest } from '#common';
import { ConfigService } from '#config';
import { Database } from '#db';
import { EventPublisher, InvalidationBus, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import { CategoriesService } from '../categories/categories.service.js';
import { DefaultChannelsService } from '../channels/default-channels.service.js';
import { Session } from '../common/session.js';
import { ChannelMembershipService } from '../membership/channel-membership.service.js';
import { isGuest, MemberUser } from '../membership/member-users.repository.js';
import { TeamMemberRow, teamMemberNotFound } from '../membership/membership.model.js';
import { composeRoles, parseRolesUpdate, SchemeFlags } from '../membership/scheme-roles.js';
import { RolesService } from '../roles/roles.service.js';
import { TeamMembersRepository, TeamUnreadRow } from '../membership/team-members.repository.js';
import { ThreadMembershipsRepository } from '../threads/thread-memberships.repository.js';
import { TeamRow, teamMemberView } from './team.model.js';

/** A team's unread counts, with its thread counts when asked for. */
export type TeamUnread = TeamUnreadRow & { thread_count?: number; thread_mention_count?: number };

/** The domains a user's email must belong to for this team (teams.GetAllowedDomains); empty means any. */
function allowedDomains(team: TeamRow, restrictCreationToDomains: string): string[] {
  return `${team.allowed_domains} ${restrictCreationToDomains}`
    .split(/[\s,@]+/)
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * Joining and leaving teams (App.JoinUserToTeam / App.LeaveTeam): the member row, the default
 * channels that come with it, the limits, and the events, with member caches invalidated first.
 * And team members on behalf of a caller: reading them and changing their roles, with the
 * caller's permissions checked first.
 */
@Injectable()
export class TeamMembershipService {
  constructor(
    private readonly db: Database,
    private readonly members: TeamMembersRepository,
    private readonly channelMembership: ChannelMembershipService,
    private readonly defaultChannels: DefaultChannelsService,
    private readonly permissions: PermissionsService,
    private readonly publisher: EventPublisher,
    private readonly invalidation: InvalidationBus,
    private readonly config: ConfigService,
    private readonly categories: CategoriesService,
    private readonly threadMemberships: ThreadMembershipsRepository,
    private readonly roles: RolesService,
  ) {}

  private async get(teamId: string, userId: string): Promise<TeamMemberRow> {
    const member = await this.members.get(teamId, userId);
    if (!member) throw teamMemberNotFound();
    return member;
  }

  /** GET /teams/{id}/members/{uid}: needs view_team. */
  async getMember(session: Session, teamId: string, userId: string): Promise<TeamMemberRow> {
    await this.permissions.requireTeam(session, teamId, 'view_team');
    return this.get(teamId, userId);
  }

  /** GET /teams/{id}/members: needs view_team. */
  async list(
    session: Session,
    teamId: string,
    page: number,
    perPage: number,
    opts: { sortByUsername?: boolean; excludeDeletedUsers?: boolean },
  ): Promise<TeamMemberRow[]> {
    await this.permissions.requireTeam(session, teamId, 'view_team');
    return this.members.list(teamId, page, perPage, opts);
  }

  /** POST /teams/{id}/members/ids: needs view_team. */
  async byUserIds(session: Session, teamId: string, userIds: string[]): Promise<TeamMemberRow[]> {
    await this.permissions.requireTeam(session, teamId, 'view_team');
    return this.members.byUserIds(teamId, userIds);
  }

  /** GET /users/{id}/teams/members: one's own, or anyone's with edit_other_users or read_other_users_teams. */
  async forUser(session: Session, userId: string): Promise<TeamMemberRow[]> {
    if (userId !== session.user_id && !this.permissions.hasSystem(session, 'edit_other_users')) {
      this.permissions.requireSystem(session, 'read_other_users_teams');
    }
    return this.members.forUser(userId);
  }

  /**
   * GET /users/{id}/teams/unread: one's own, or anyone's with manage_system; with collapsed threads
   * included, each team's unread followed threads and their mentions too (GetTeamsUnreadForUser).
   */
  async unreads(session: Session, userId: string, excludeTeamId: string | undefined, includeCollapsedThreads = false): Promise<TeamUnread[]> {
    if (userId !== session.user_id) this.permissions.requireSystem(session, 'manage_system');
    const rows = await this.members.unreads(userId, { excludeTeamId });
    if (!includeCollapsedThreads) return rows;
    const threads = new Map(
      (
        await this.threadMemberships.unreadByTeam(
          userId,
          rows.map((r) => r.team_id),
        )
      ).map((t) => [t.team_id, t]),
    );
    return rows.map((r) => ({
      ...r,
      thread_count: threads.get(r.team_id)?.thread_count ?? 0,
      thread_mention_count: threads.get(r.team_id)?.thread_mention_count ?? 0,
    }));
  }

  /** GET /users/{id}/teams/{team_id}/unread: one's own (or anyone's with edit_other_users), with view_team; zero when not a member. */
  async teamUnread(session: Session, userId: string, teamId: string): Promise<TeamUnreadRow> {
    this.permissions.requireSelfOrAdmin(session, userId);
    await this.permissions.requireTeam(session, teamId, 'view_team');
    const [row] = await this.members.unreads(userId, { teamId });
    return row ?? { team_id: teamId, msg_count: 0, msg_count_root: 0, mention_count: 0, mention_count_root: 0 };
  }

  checkEmailDomain(team: TeamRow, user: MemberUser, errorId = 'api.team.join_user_to_team.allowed_domains.app_error'): void {
    if (isGuest(user)) return;
    const domains = allowedDomains(team, this.config.get().TeamSettings.RestrictCreationToDomains);
    const email = user.email.toLowerCase();
    if (domains.length && !domains.some((d) => email.endsWith(`@${d}`))) {
      throw badRequest(errorId, 'The user cannot be added as the domain associated with the account is not permitted.', `team_id=${team.id}`);
    }
  }

  /**
   * Makes the user an active member. Returns the existing membership untouched when the user is
   * already in the team; otherwise saves it (respecting MaxUsersPerTeam), joins the default
   * channels and tells the user with `added_to_team`.
   */
  async join(team: TeamRow, user: MemberUser): Promise<{ member: TeamMemberRow; created: boolean }> {
    this.checkEmailDomain(team, user);
    // The team creator (whose email the team carries) joins as team admin, as in Mattermost.
    const admin = team.email !== '' && team.email.toLowerCase() === user.email.toLowerCase();
    const result = await this.db.transaction(async (tx) => {
      await this.members.lockTeam(team.id, tx);
      const existing = await this.members.get(team.id, user.id, tx);
      if (existing && existing.delete_at === 0) return { member: existing, created: false };
      const max = this.config.get().TeamSettings.MaxUsersPerTeam;
      if ((await this.members.activeCount(team.id, tx)) >= max) {
        const id = existing ? 'app.team.join_user_to_team.max_accounts.app_error' : 'app.team.join_user_to_team.save_member.max_accounts.app_error';
        throw badRequest(
          id,
          'This team has reached the maximum number of allowed accounts. Contact your System Administrator to set a higher limit.',
          `teamId=${team.id}`,
        );
      }
      const guest = isGuest(user);
      const flags: SchemeFlags = { scheme_guest: guest, scheme_user: !guest, scheme_admin: admin };
      const member = await this.members.save(
        { team_id: team.id, user_id: user.id, roles: composeRoles('team', flags), delete_at: 0, create_at: Date.now(), ...flags },
        tx,
      );
      return { member, created: true };
    });
    if (!result.created) return result;
    this.invalidation.emit('team_members', team.id);
    await this.defaultChannels.join(team.id, user, admin);
    this.publisher.publish(newEvent(WsEvents.AddedToTeam, { user_id: user.id }, { team_id: team.id, user_id: user.id }));
    return result;
  }

  /**
   * Ends a membership: the row is soft-deleted, the user leaves the team's channels, and
   * `leave_team` goes to the rest of the team and to the user.
   */
  async leave(team: TeamRow, userId: string): Promise<void> {
    const leftChannels = await this.db.transaction(async (tx) => {
      const member = await this.members.markLeft(team.id, userId, Date.now(), tx);
      if (!member)
        throw badRequest('api.team.remove_user_from_team.missing.app_error', 'The user does not appear to be part of this team.', `user_id=${userId}`);
      return this.channelMembership.leaveTeamChannels(team.id, userId, tx);
    });
    for (const channelId of leftChannels) this.invalidation.emit('channel_members', channelId);
    this.invalidation.emit('team_members', team.id);
    await this.categories.teamLeft(userId, team.id);
    const data = { user_id: userId, team_id: team.id };
    this.publisher.publish(newEvent(WsEvents.LeaveTeam, { team_id: team.id, omit_users: { [userId]: true } }, data));
    this.publisher.publish(newEvent(WsEvents.LeaveTeam, { user_id: userId }, data));
  }

  /** PUT /teams/{id}/members/{uid}/roles: needs manage_team_roles. */
  async updateRoles(session: Session, teamId: string, userId: string, roles: string): Promise<TeamMemberRow> {
    await this.permissions.requireTeam(session, teamId, 'manage_team_roles');
    const member = await this.get(teamId, userId);
    const update = parseRolesUpdate('team', roles, member.scheme_guest, (name) => this.roles.role(name));
    return this.saveRoles(member, update);
  }

  /** PUT /teams/{id}/members/{uid}/schemeRoles: needs manage_team_roles. */
  async updateSchemeRoles(session: Session, teamId: string, userId: string, flags: SchemeFlags): Promise<TeamMemberRow> {
    await this.permissions.requireTeam(session, teamId, 'manage_team_roles');
    const member = await this.get(teamId, userId);
    if (flags.scheme_user && flags.scheme_guest) {
      throw badRequest('api.team.update_team_member_roles.guest_and_user.app_error', 'Invalid roles: a member cannot be both a guest and a user.');
    }
    return this.saveRoles(member, { ...flags, roles: composeRoles('team', flags) });
  }

  private async saveRoles(member: TeamMemberRow, update: SchemeFlags & { roles: string }): Promise<TeamMemberRow> {
    const saved = await this.members.updateRoles({ team_id: member.team_id, user_id: member.user_id, ...update });
    if (!saved) throw teamMemberNotFound();
    this.publisher.publish(newEvent(WsEvents.MemberRoleUpdated, { user_id: saved.user_id }, { member: JSON.stringify(teamMemberView(saved)) }));
    return saved;
  }
}
