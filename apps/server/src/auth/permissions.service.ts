import { Injectable } from '@nestjs/common';
import { permissionDenied } from '#common';
import { Session } from '../common/session.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { TeamMembersRepository } from '../membership/team-members.repository.js';
import { RolesService } from '../roles/roles.service.js';

/**
 * Mattermost's three-level permission check: system roles first, then the team member's roles,
 * then the channel member's roles (with the channel's team as fallback for public channels). Each
 * role's permissions are the roles table's, read from RolesService's snapshot.
 */
@Injectable()
export class PermissionsService {
  constructor(
    private readonly teamMembers: TeamMembersRepository,
    private readonly channelMembers: ChannelMembersRepository,
    private readonly roles: RolesService,
  ) {}

  hasSystem(session: Session, permission: string): boolean {
    return this.roles.grants(session.roles, permission);
  }

  async hasTeam(session: Session, teamId: string, permission: string): Promise<boolean> {
    if (this.hasSystem(session, permission)) return true;
    const roles = await this.teamMembers.activeRoles(teamId, session.user_id);
    return roles !== undefined && this.roles.grants(roles, permission);
  }

  async hasChannel(session: Session, channelId: string, permission: string): Promise<boolean> {
    if (this.hasSystem(session, permission)) return true;
    const row = await this.channelMembers.permissionRoles(channelId, session.user_id);
    if (!row) return false;
    if (row.member_roles !== null && this.roles.grants(row.member_roles, permission)) return true;
    return row.team_roles !== null && this.roles.grants(row.team_roles, permission);
  }

  requireSystem(session: Session, permission: string): void {
    if (!this.hasSystem(session, permission)) throw permissionDenied(permission);
  }

  async requireTeam(session: Session, teamId: string, permission: string): Promise<void> {
    if (!(await this.hasTeam(session, teamId, permission))) throw permissionDenied(permission);
  }

  async requireChannel(session: Session, channelId: string, permission: string): Promise<void> {
    if (!(await this.hasChannel(session, channelId, permission))) throw permissionDenied(permission);
  }

  /** Acting on another user's account needs edit_other_users (system admins). */
  requireSelfOrAdmin(session: Session, userId: string, permission = 'edit_other_users'): void {
    if (session.user_id !== userId) this.requireSystem(session, permission);
  }
}
