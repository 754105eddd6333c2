import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';

/**
 * What membership code needs to know about a user (a few columns of the users table). Declared
 * here rather than taken from the users area, which depends on teams.
 */
export interface MemberUser {
  id: string;
  username: string;
  email: string;
  roles: string;
  delete_at: number;
}

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
    return this.db.replica().query<MemberUser>('SELECT id, username, email, roles, delete_at FROM users WHERE id = ANY($1)', [ids]);
  }

  /** The timezone maps of a channel's members (Store.Channel().GetChannelMembersTimezones). */
  async timezonesInChannel(channelId: string): Promise<Array<Record<string, string>>> {
    const rows = await this.db.query<{ timezone: Record<string, string> | null }>(
      'SELECT u.timezone FROM channel_members cm JOIN users u ON u.id = cm.user_id WHERE cm.channel_id = $1 ORDER BY u.id',
      [channelId],
    );
    return rows.map((r) => r.timezone ?? {});
  }
}
