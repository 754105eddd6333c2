import { Injectable } from '@nestjs/common';
import { permissionDenied } from '#common';
import { ConfigService } from '#config';
import { PermissionsService } from '../auth/permissions.service.js';
import { hasRole, Session } from '../common/session.js';
import { TeamMembersRepository } from '../membership/team-members.repository.js';

/** What a member may do to their own webhooks once ServiceSettings.EnableOnlyAdminIntegrations is off. */
const OWN_WEBHOOK_PERMISSIONS = new Set(['manage_own_incoming_webhooks', 'manage_own_outgoing_webhooks']);

/**
 * The webhook permissions with ServiceSettings.EnableOnlyAdminIntegrations. The built-in roles give
 * manage_own_* and manage_others_* webhooks to team and system admins only, which is Mattermost's
 * default (the setting on). With it off, Mattermost's policy let every member (team_user, not
 * guests) manage integrations; here that grants managing one's own webhooks, while others' stay
 * with the roles that hold manage_others_*.
 */
@Injectable()
export class IntegrationPermissions {
  constructor(
    private readonly permissions: PermissionsService,
    private readonly teamMembers: TeamMembersRepository,
    private readonly config: ConfigService,
  ) {}

  private membersManageOwn(permission: string): boolean {
    return !this.config.get().ServiceSettings.EnableOnlyAdminIntegrations && OWN_WEBHOOK_PERMISSIONS.has(permission);
  }

  async hasTeam(session: Session, teamId: string, permission: string): Promise<boolean> {
    if (await this.permissions.hasTeam(session, teamId, permission)) return true;
    if (!this.membersManageOwn(permission)) return false;
    const roles = await this.teamMembers.activeRoles(teamId, session.user_id);
    return roles !== undefined && hasRole(roles, 'team_user');
  }

  async requireTeam(session: Session, teamId: string, permission: string): Promise<void> {
    if (!(await this.hasTeam(session, teamId, permission))) throw permissionDenied(permission);
  }

  /** On no team in particular (lists across teams): system roles, or any non-guest user with the setting off. */
  hasSystem(session: Session, permission: string): boolean {
    if (this.permissions.hasSystem(session, permission)) return true;
    return this.membersManageOwn(permission) && hasRole(session.roles, 'system_user');
  }

  /**
   * On a channel (outgoing hooks listed by channel), as SessionHasPermissionToChannel: the
   * member's roles there, then the channel's team, and for a channel that does not exist the
   * system roles.
   */
  async hasChannel(session: Session, channel: { id: string; team_id: string } | undefined, permission: string): Promise<boolean> {
    if (!channel) return this.hasSystem(session, permission);
    if (await this.permissions.hasChannel(session, channel.id, permission)) return true;
    return channel.team_id !== '' ? this.hasTeam(session, channel.team_id, permission) : this.hasSystem(session, permission);
  }
}
