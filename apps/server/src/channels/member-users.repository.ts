import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import type { UserRow } from '../users/user.model.js';

/** What membership code needs to know about a user. */
export type MemberUser = Pick<UserRow, 'id' | 'username' | 'email' | 'roles' | 'delete_at'>;

export function isGuest(user: Pick<MemberUser, 'roles'>): boolean {
  return user.roles.split(' ').includes('system_guest');
}

/**
 * Reads the few user fields that team and channel membership depend on (guest role, deactivation,
 * username for group names), without depending on the users module, which depends on teams.
 */
@Injectable()
export class MemberUsersRepository {
  constructor(private readonly db: Database) {}

  async byId(id: string, tx: Queryable = this.db): Promise<MemberUser | undefined> {
    return (await tx.query<MemberUser>('SELECT id, username, email, roles, delete_at FROM users WHERE id = $1', [id]))[0];
  }

  async byIds(ids: string[]): Promise<MemberUser[]> {
    return this.db.query<MemberUser>('SELECT id, username, email, roles, delete_at FROM users WHERE id = ANY($1)', [ids]);
  }

  /** Whether two users share at least one team (TeamSettings.RestrictDirectMessage = "team"). */
  async shareATeam(a: string, b: string): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM team_members x JOIN team_members y ON y.team_id = x.team_id
        WHERE x.user_id = $1 AND y.user_id = $2 AND x.delete_at = 0 AND y.delete_at = 0 LIMIT 1`,
      [a, b],
    );
    return rows.length > 0;
  }
}
