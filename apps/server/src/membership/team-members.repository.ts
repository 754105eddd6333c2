import { Injectable, Optional } from '@nestjs/common';
import { Caches, ReadThroughCache } from '#common';
import { Database, Queryable } from '#db';
import { InvalidationBus } from '#realtime';
import { cachedRows, eachPair, pairKey, tellCommitted } from '../common/cached-rows.js';
import { TeamMemberRow } from './membership.model.js';

const COLUMNS = 'team_id, user_id, roles, delete_at, scheme_guest, scheme_user, scheme_admin, create_at';
const TM_COLUMNS = COLUMNS.replace(/(\w+)/g, 'tm.$1');

/** Per-channel counters summed into a team's unread totals. */
export interface TeamUnreadRow {
  team_id: string;
  msg_count: number;
  msg_count_root: number;
  mention_count: number;
  mention_count_root: number;
}

const CACHED_ROLES = 50_000;
const CACHED_ROLES_TTL_MS = 15 * 60_000;

/**
 * The team_members table. On a server node a member's roles in a team (activeRoles, asked by
 * every team permission check) are cached by team and user; every write here tells the
 * invalidation bus ('team_members', after its commit), and the cache drops the team's entries.
 */
@Injectable()
export class TeamMembersRepository {
  private readonly roles?: ReadThroughCache<{ roles: string }>;

  constructor(
    private readonly db: Database,
    @Optional() private readonly invalidation?: InvalidationBus,
    @Optional() caches?: Caches,
  ) {
    this.roles = cachedRows(invalidation, caches, {
      name: 'TeamMemberRoles',
      maxEntries: CACHED_ROLES,
      ttlMs: CACHED_ROLES_TTL_MS,
      dropOn: ['team_members'],
      byPrefix: true,
      load: eachPair(async (teamId, userId) => {
        const roles = await this.loadActiveRoles(teamId, userId);
        return roles === undefined ? undefined : { roles };
      }),
    });
  }

  /** Every node forgets the team's cached roles once what `tx` wrote is committed. */
  private membersChanged(teamId: string, tx: Queryable = this.db): void {
    tellCommitted(this.invalidation, 'team_members', teamId, tx);
  }

  async get(teamId: string, userId: string, tx: Queryable = this.db): Promise<TeamMemberRow | undefined> {
    return (await tx.query<TeamMemberRow>(`SELECT ${COLUMNS} FROM team_members WHERE team_id = $1 AND user_id = $2`, [teamId, userId]))[0];
  }

  /** The role string of an active member, for permission checks (one query on every request). */
  async activeRoles(teamId: string, userId: string): Promise<string | undefined> {
    if (this.roles) return (await this.roles.get(pairKey(teamId, userId)))?.roles;
    return this.loadActiveRoles(teamId, userId);
  }

  private async loadActiveRoles(teamId: string, userId: string): Promise<string | undefined> {
    const rows = await this.db.query<{ roles: string }>('SELECT roles FROM team_members WHERE team_id = $1 AND user_id = $2 AND delete_at = 0', [
      teamId,
      userId,
    ]);
    return rows[0]?.roles;
  }

  /**
   * Takes the team's row lock, under which its members and its channels are counted
   * (MaxUsersPerTeam, MaxChannelsPerTeam), so that those limits hold under concurrent requests.
   * False when there is no such team. Kept with the memberships, which both the teams and the
   * channels areas build on, so that neither depends on the other for it.
   */
  async lockTeam(teamId: string, tx: Queryable): Promise<boolean> {
    return (await tx.query('SELECT id FROM teams WHERE id = $1 FOR UPDATE', [teamId])).length > 0;
  }

  /** Whether two users are active members of at least one common team (TeamSettings.RestrictDirectMessage = "team"). */
  async shareATeam(a: string, b: string): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM team_members x JOIN team_members y ON y.team_id = x.team_id
        WHERE x.user_id = $1 AND y.user_id = $2 AND x.delete_at = 0 AND y.delete_at = 0 LIMIT 1`,
      [a, b],
    );
    return rows.length > 0;
  }

  /** Saves a membership, reviving a row left behind by an earlier leave. */
  async save(m: TeamMemberRow, tx: Queryable = this.db): Promise<TeamMemberRow> {
    const rows = await tx.query<TeamMemberRow>(
      `INSERT INTO team_members (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
       ON CONFLICT (team_id, user_id) DO UPDATE SET roles = EXCLUDED.roles, delete_at = EXCLUDED.delete_at,
         scheme_guest = EXCLUDED.scheme_guest, scheme_user = EXCLUDED.scheme_user, scheme_admin = EXCLUDED.scheme_admin
       RETURNING ${COLUMNS}`,
      [m.team_id, m.user_id, m.roles, m.delete_at, m.scheme_guest, m.scheme_user, m.scheme_admin, m.create_at],
    );
    this.membersChanged(m.team_id, tx);
    return rows[0];
  }

  /** Soft-deletes a membership (the row stays, with delete_at set, as Mattermost keeps it). */
  async markLeft(teamId: string, userId: string, now: number, tx: Queryable = this.db): Promise<TeamMemberRow | undefined> {
    const rows = await tx.query<TeamMemberRow>(
      `UPDATE team_members SET delete_at = $3 WHERE team_id = $1 AND user_id = $2 AND delete_at = 0 RETURNING ${COLUMNS}`,
      [teamId, userId, now],
    );
    if (rows[0]) this.membersChanged(teamId, tx);
    return rows[0];
  }

  async updateRoles(
    m: Pick<TeamMemberRow, 'team_id' | 'user_id' | 'roles' | 'scheme_guest' | 'scheme_user' | 'scheme_admin'>,
  ): Promise<TeamMemberRow | undefined> {
    const rows = await this.db.query<TeamMemberRow>(
      `UPDATE team_members SET roles = $3, scheme_guest = $4, scheme_user = $5, scheme_admin = $6
        WHERE team_id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
      [m.team_id, m.user_id, m.roles, m.scheme_guest, m.scheme_user, m.scheme_admin],
    );
    this.membersChanged(m.team_id);
    return rows[0];
  }

  /** Active members whose accounts are active too (what MaxUsersPerTeam limits). */
  async activeCount(teamId: string, tx: Queryable = this.db): Promise<number> {
    const rows = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM team_members tm JOIN users u ON u.id = tm.user_id
        WHERE tm.team_id = $1 AND tm.delete_at = 0 AND u.delete_at = 0`,
      [teamId],
    );
    return rows[0].n;
  }

  async stats(teamId: string): Promise<{ total_member_count: number; active_member_count: number }> {
    const rows = await this.db.replica().query(
      `SELECT count(*)::int AS total_member_count, (count(*) FILTER (WHERE u.delete_at = 0))::int AS active_member_count
         FROM team_members tm JOIN users u ON u.id = tm.user_id WHERE tm.team_id = $1 AND tm.delete_at = 0`,
      [teamId],
    );
    return rows[0];
  }

  async list(teamId: string, page: number, perPage: number, opts: { sortByUsername?: boolean; excludeDeletedUsers?: boolean }): Promise<TeamMemberRow[]> {
    return this.db.query<TeamMemberRow>(
      `SELECT ${TM_COLUMNS} FROM team_members tm JOIN users u ON u.id = tm.user_id
        WHERE tm.team_id = $1 AND tm.delete_at = 0 ${opts.excludeDeletedUsers ? 'AND u.delete_at = 0' : ''}
        ORDER BY ${opts.sortByUsername ? 'u.username' : 'tm.user_id'} LIMIT $2 OFFSET $3`,
      [teamId, perPage, page * perPage],
    );
  }

  /** Who is in the team now (left members keep their row, with delete_at set). */
  async activeUserIds(teamId: string): Promise<string[]> {
    const rows = await this.db.query<{ user_id: string }>('SELECT user_id FROM team_members WHERE team_id = $1 AND delete_at = 0', [teamId]);
    return rows.map((r) => r.user_id);
  }

  async byUserIds(teamId: string, userIds: string[]): Promise<TeamMemberRow[]> {
    return this.db
      .replica()
      .query<TeamMemberRow>(`SELECT ${COLUMNS} FROM team_members WHERE team_id = $1 AND user_id = ANY($2) AND delete_at = 0 ORDER BY user_id`, [
        teamId,
        userIds,
      ]);
  }

  /** All of a user's memberships, past ones included (GET /users/{id}/teams/members). */
  async forUser(userId: string): Promise<TeamMemberRow[]> {
    return this.db.replica().query<TeamMemberRow>(
      `SELECT ${TM_COLUMNS} FROM team_members tm JOIN teams t ON t.id = tm.team_id
        WHERE tm.user_id = $1 AND t.delete_at = 0 ORDER BY tm.team_id`,
      [userId],
    );
  }

  /** The user's role string per team they are an active member of. */
  async rolesByTeam(userId: string): Promise<Map<string, string>> {
    const rows = await this.db.query<{ team_id: string; roles: string }>('SELECT team_id, roles FROM team_members WHERE user_id = $1 AND delete_at = 0', [
      userId,
    ]);
    return new Map(rows.map((r) => [r.team_id, r.roles]));
  }

  /**
   * Unread totals per team from the user's channel memberships (Store.GetChannelUnreadsForAllTeams):
   * messages count only in channels not muted to mentions; direct and group messages are not in any team.
   */
  async unreads(userId: string, filter: { teamId?: string; excludeTeamId?: string }): Promise<TeamUnreadRow[]> {
    const params: unknown[] = [userId];
    let teamCond = '';
    if (filter.teamId) {
      params.push(filter.teamId);
      teamCond = `AND tm.team_id = $${params.length}`;
    } else if (filter.excludeTeamId) {
      params.push(filter.excludeTeamId);
      teamCond = `AND tm.team_id <> $${params.length}`;
    }
    return this.db.replica().query<TeamUnreadRow>(
      `SELECT tm.team_id, coalesce(u.msg_count, 0)::int AS msg_count, coalesce(u.msg_count_root, 0)::int AS msg_count_root,
              coalesce(u.mention_count, 0)::int AS mention_count, coalesce(u.mention_count_root, 0)::int AS mention_count_root
         FROM team_members tm
         JOIN teams t ON t.id = tm.team_id AND t.delete_at = 0
         LEFT JOIN LATERAL (
           SELECT sum(CASE WHEN cm.notify_props->>'mark_unread' = 'mention' THEN 0 ELSE c.total_msg_count - cm.msg_count END) AS msg_count,
                  sum(CASE WHEN cm.notify_props->>'mark_unread' = 'mention' THEN 0 ELSE c.total_msg_count_root - cm.msg_count_root END) AS msg_count_root,
                  sum(cm.mention_count) AS mention_count, sum(cm.mention_count_root) AS mention_count_root
             FROM channel_members cm JOIN channels c ON c.id = cm.channel_id
            WHERE cm.user_id = tm.user_id AND c.team_id = tm.team_id AND c.delete_at = 0
         ) u ON true
        WHERE tm.user_id = $1 AND tm.delete_at = 0 ${teamCond}
        ORDER BY tm.team_id`,
      params,
    );
  }
}
