import { Controller, Get, Param, Query } from '@nestjs/common';
import { CurrentSession } from '../common/decorators.js';
import { urlId, urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { teamMemberView } from './team.model.js';
import { TeamMembersRepository, TeamUnreadRow } from './team-members.repository.js';
import { TeamViews } from './team-views.js';
import { TeamsService } from './teams.service.js';

/** model.TeamUnread (threads are counted by the threads feature, not here). */
function unreadView(row: TeamUnreadRow) {
  return {
    team_id: row.team_id,
    msg_count: row.msg_count,
    mention_count: row.mention_count,
    mention_count_root: row.mention_count_root,
    msg_count_root: row.msg_count_root,
    thread_count: 0,
    thread_mention_count: 0,
    thread_urgent_mention_count: 0,
  };
}

/** /api/v4/users/{user_id}/teams…: a user's teams, memberships and unread counts. */
@Controller('users')
export class UserTeamsController {
  constructor(
    private readonly teams: TeamsService,
    private readonly members: TeamMembersRepository,
    private readonly views: TeamViews,
    private readonly permissions: PermissionsService,
  ) {}

  @Get(':user_id/teams')
  async teamsForUser(@Param('user_id') userId: string, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    if (id !== s.user_id) this.permissions.requireSystem(s, 'sysconsole_read_user_management_users');
    const present = await this.views.forSession(s, { hideEmailUnlessAdmin: true });
    return (await this.teams.forUser(id)).map(present);
  }

  @Get(':user_id/teams/members')
  async membersForUser(@Param('user_id') userId: string, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    if (id !== s.user_id && !this.permissions.hasSystem(s, 'edit_other_users')) this.permissions.requireSystem(s, 'read_other_users_teams');
    return (await this.members.forUser(id)).map(teamMemberView);
  }

  @Get(':user_id/teams/unread')
  async unreads(@Param('user_id') userId: string, @Query('exclude_team') excludeTeam: string | undefined, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    if (id !== s.user_id) this.permissions.requireSystem(s, 'manage_system');
    const rows = await this.members.unreads(id, { excludeTeamId: excludeTeam || undefined });
    return rows.map(unreadView);
  }

  @Get(':user_id/teams/:team_id/unread')
  async teamUnread(@Param('user_id') userId: string, @Param('team_id') teamId: string, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const tid = urlId(teamId, 'team_id');
    this.permissions.requireSelfOrAdmin(s, id);
    await this.permissions.requireTeam(s, tid, 'view_team');
    const [row] = await this.members.unreads(id, { teamId: tid });
    return unreadView(row ?? { team_id: tid, msg_count: 0, msg_count_root: 0, mention_count: 0, mention_count_root: 0 });
  }
}
