import { Injectable } from '@nestjs/common';
import { ConfigService } from '#config';
import { isSystemAdmin, Session } from '../common/session.js';
import { TeamMembersRepository } from '../membership/team-members.repository.js';
import { RolesService } from '../roles/roles.service.js';
import { FULL_VISIBILITY, SANITIZED, TeamRow, teamView, TeamView, TeamVisibility } from './team.model.js';

export type TeamPresenter = (team: TeamRow) => TeamView;

/**
 * Renders teams for a viewer with Mattermost's sanitizing (App.SanitizeTeam): those who may
 * manage the team see everything, those who may invite see the invite id, everyone else neither
 * the invite id nor the team email. The viewer's team roles are read once per request.
 */
@Injectable()
export class TeamViews {
  constructor(
    private readonly members: TeamMembersRepository,
    private readonly config: ConfigService,
    private readonly roles: RolesService,
  ) {}

  async forSession(session: Session, opts: { hideEmailUnlessAdmin?: boolean } = {}): Promise<TeamPresenter> {
    const admin = isSystemAdmin(session);
    const teamRoles = admin ? new Map<string, string>() : await this.members.rolesByTeam(session.user_id);
    // GET /users/{id}/teams and regenerate_invite_id also honour PrivacySettings.ShowEmailAddress.
    const hideEmail = opts.hideEmailUnlessAdmin && !admin && !this.config.get().PrivacySettings.ShowEmailAddress;
    return (team) => {
      const visibility = visibilityFor((p) => this.grantsOn(session, teamRoles.get(team.id), p));
      return teamView(team, hideEmail ? { ...visibility, email: false } : visibility);
    };
  }

  private grantsOn(session: Session, teamRoles: string | undefined, permission: string): boolean {
    return this.roles.grants(session.roles, permission) || (teamRoles !== undefined && this.roles.grants(teamRoles, permission));
  }

  async one(session: Session, team: TeamRow, opts: { hideEmailUnlessAdmin?: boolean } = {}): Promise<TeamView> {
    return (await this.forSession(session, opts))(team);
  }
}

function visibilityFor(grants: (permission: string) => boolean): TeamVisibility {
  if (grants('manage_team')) return FULL_VISIBILITY;
  if (grants('invite_user')) return { inviteId: true, email: false };
  return SANITIZED;
}
