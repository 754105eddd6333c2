import { Injectable } from '@nestjs/common';
import { permissionDenied } from '#common';
import { Database } from '#db';
import { Session } from '../common/session.js';
import { rolesGrant } from './roles.js';

/**
 * Mattermost's three-level permission check: system roles first, then the team member's roles,
 * then the channel member's roles (with the channel's team as fallback for public channels).
 */
@Injectable()
export class PermissionsService {
  constructor(private readonly db: Database) {}

  hasSystem(session: Session, permission: string): boolean {
    return rolesGrant(session.roles, permission);
  }

  async hasTeam(session: Session, teamId: string, permission: string): Promise<boolean> {
    if (this.hasSystem(session, permission)) return true;
    const rows = await this.db.query<{ roles: string }>(
      'SELECT roles FROM team_members WHERE team_id = $1 AND user_id = $2 AND delete_at = 0',
      [teamId, session.user_id],
    );
    return rows.length > 0 && rolesGrant(rows[0].roles, permission);
  }

  async hasChannel(session: Session, channelId: string, permission: string): Promise<boolean> {
    if (this.hasSystem(session, permission)) return true;
    const rows = await this.db.query<{ member_roles: string | null; team_id: string; team_roles: string | null }>(
      `SELECT cm.roles AS member_roles, c.team_id, tm.roles AS team_roles
         FROM channels c
         LEFT JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = $2
         LEFT JOIN team_members tm ON tm.team_id = c.team_id AND tm.user_id = $2 AND tm.delete_at = 0
        WHERE c.id = $1`,
      [channelId, session.user_id],
    );
    const row = rows[0];
    if (!row) return false;
    if (row.member_roles !== null && rolesGrant(row.member_roles, permission)) return true;
    return row.team_roles !== null && rolesGrant(row.team_roles, permission);
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
