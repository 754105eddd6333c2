import { Controller, Get, Param, Query } from '@nestjs/common';
import { CurrentSession } from '../common/decorators.js';
import { urlId, urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { teamMemberView } from './team.model.js';
import { TeamMembershipService, TeamUnread } from './team-membership.service.js';
import { TeamsService } from './teams.service.js';

/** model.TeamUnread; thread counts only when collapsed threads were asked for. */
function unreadView(row: TeamUnread) {
  return {
    team_id: row.team_id,
    msg_count: row.msg_count,
    mention_count: row.mention_count,
    mention_count_root: row.mention_count_root,
    msg_count_root: row.msg_count_root,
    thread_count: row.thread_count ?? 0,
    thread_mention_count: row.thread_mention_count ?? 0,
    thread_urgent_mention_count: 0,
  };
}

/** /api/v4/users/{user_id}/teams…: a user's teams, memberships and unread counts. */
@Controller('users')
export class UserTeamsController {
  constructor(
    private readonly teams: TeamsService,
    private readonly membership: TeamMembershipService,
  ) {}

  @Get(':user_id/teams')
  async teamsForUser(@Param('user_id') userId: string, @CurrentSession() s: Session) {
    return this.teams.forUser(s, urlUserId(userId, s));
  }

  @Get(':user_id/teams/members')
  async membersForUser(@Param('user_id') userId: string, @CurrentSession() s: Session) {
    return (await this.membership.forUser(s, urlUserId(userId, s))).map(teamMemberView);
  }

  @Get(':user_id/teams/unread')
  async unreads(
    @Param('user_id') userId: string,
    @Query('exclude_team') excludeTeam: string | undefined,
    @Query('include_collapsed_threads') includeCollapsedThreads: string | undefined,
    @CurrentSession() s: Session,
  ) {
    const id = urlUserId(userId, s);
    return (await this.membership.unreads(s, id, excludeTeam || undefined, includeCollapsedThreads === 'true')).map(unreadView);
  }

  @Get(':user_id/teams/:team_id/unread')
  async teamUnread(@Param('user_id') userId: string, @Param('team_id') teamId: string, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const tid = urlId(teamId, 'team_id');
    return unreadView(await this.membership.teamUnread(s, id, tid));
  }
}
