import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import { likePrefix } from '../channels/channels.repository.js';
import { TeamRow } from './team.model.js';

const COLUMNS = `id, create_at, update_at, delete_at, display_name, name, description, email, type, company_name, allowed_domains,
  invite_id, allow_open_invite, last_team_icon_update, scheme_id, group_constrained`;
const T_COLUMNS = COLUMNS.replace(/(\w+)/g, 't.$1');

export interface TeamListFilter {
  /** undefined: open and invite-only teams; true/false: only teams with that allow_open_invite. */
  allowOpenInvite?: boolean;
  term?: string;
}

@Injectable()
export class TeamsRepository {
  constructor(private readonly db: Database) {}

  async insert(t: TeamRow, tx: Queryable = this.db): Promise<void> {
    await tx.query(`INSERT INTO teams (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`, [
      t.id,
      t.create_at,
      t.update_at,
      t.delete_at,
      t.display_name,
      t.name,
      t.description,
      t.email,
      t.type,
      t.company_name,
      t.allowed_domains,
      t.invite_id,
      t.allow_open_invite,
      t.last_team_icon_update,
      t.scheme_id,
      t.group_constrained,
    ]);
  }

  async byId(id: string, tx: Queryable = this.db): Promise<TeamRow | undefined> {
    return (await tx.query<TeamRow>(`SELECT ${COLUMNS} FROM teams WHERE id = $1`, [id]))[0];
  }

  async byName(name: string): Promise<TeamRow | undefined> {
    return (await this.db.query<TeamRow>(`SELECT ${COLUMNS} FROM teams WHERE name = $1`, [name.toLowerCase()]))[0];
  }

  async byInviteId(inviteId: string): Promise<TeamRow | undefined> {
    return (await this.db.query<TeamRow>(`SELECT ${COLUMNS} FROM teams WHERE invite_id = $1`, [inviteId]))[0];
  }

  /** Teams by name, deleted ones too (the bulk import matches teams by name). */
  async byNames(names: string[], tx: Queryable = this.db): Promise<TeamRow[]> {
    if (names.length === 0) return [];
    return tx.query<TeamRow>(`SELECT ${COLUMNS} FROM teams WHERE name = ANY($1)`, [names]);
  }

  async update(t: TeamRow, tx: Queryable = this.db): Promise<void> {
    await tx.query(
      `UPDATE teams SET update_at = $2, delete_at = $3, display_name = $4, description = $5, type = $6, company_name = $7,
          allowed_domains = $8, invite_id = $9, allow_open_invite = $10, last_team_icon_update = $11, group_constrained = $12
        WHERE id = $1`,
      [
        t.id,
        t.update_at,
        t.delete_at,
        t.display_name,
        t.description,
        t.type,
        t.company_name,
        t.allowed_domains,
        t.invite_id,
        t.allow_open_invite,
        t.last_team_icon_update,
        t.group_constrained,
      ],
    );
  }

  /** Removes a team with its channels and memberships, in the transaction that deletes its posts. */
  async deletePermanently(id: string, tx: Queryable): Promise<void> {
    const inTeam = 'SELECT id FROM channels WHERE team_id = $1';
    await tx.query(`DELETE FROM channel_members WHERE channel_id IN (${inTeam})`, [id]);
    await tx.query('DELETE FROM channels WHERE team_id = $1', [id]);
    await tx.query('DELETE FROM team_members WHERE team_id = $1', [id]);
    await tx.query('DELETE FROM teams WHERE id = $1', [id]);
  }

  private where(filter: TeamListFilter, params: unknown[]): string {
    const conds = ['t.delete_at = 0'];
    if (filter.allowOpenInvite !== undefined) {
      params.push(filter.allowOpenInvite);
      conds.push(`t.allow_open_invite = $${params.length}`);
    }
    if (filter.term) {
      params.push(likePrefix(filter.term));
      conds.push(`(lower(t.name) LIKE $${params.length} OR lower(t.display_name) LIKE $${params.length})`);
    }
    return conds.join(' AND ');
  }

  async list(filter: TeamListFilter, page: number, perPage: number): Promise<TeamRow[]> {
    const params: unknown[] = [];
    const where = this.where(filter, params);
    params.push(perPage, page * perPage);
    return this.db
      .replica()
      .query<TeamRow>(
        `SELECT ${T_COLUMNS} FROM teams t WHERE ${where} ORDER BY t.display_name, t.name LIMIT $${params.length - 1} OFFSET $${params.length}`,
        params,
      );
  }

  async count(filter: TeamListFilter): Promise<number> {
    const params: unknown[] = [];
    const rows = await this.db.replica().query<{ n: number }>(`SELECT count(*)::int AS n FROM teams t WHERE ${this.where(filter, params)}`, params);
    return rows[0].n;
  }

  /** Live teams the user is an active member of. */
  async forUser(userId: string): Promise<TeamRow[]> {
    return this.db.replica().query<TeamRow>(
      `SELECT ${T_COLUMNS} FROM teams t JOIN team_members tm ON tm.team_id = t.id
        WHERE tm.user_id = $1 AND tm.delete_at = 0 AND t.delete_at = 0 ORDER BY t.display_name, t.name`,
      [userId],
    );
  }
}
