import { Injectable } from '@nestjs/common';
import { Database } from '#db';
import { CommandView } from './command.model.js';

const COLUMNS = `id, token, create_at, update_at, delete_at, creator_id, team_id, trigger, method, username, icon_url,
  auto_complete, auto_complete_desc, auto_complete_hint, display_name, description, url, plugin_id`;

/** The fields an update writes (Store().Command().Update: everything but id, create_at and the creator). */
const UPDATED = [
  'token',
  'update_at',
  'delete_at',
  'team_id',
  'trigger',
  'method',
  'username',
  'icon_url',
  'auto_complete',
  'auto_complete_desc',
  'auto_complete_hint',
  'display_name',
  'description',
  'url',
] as const;

/** The `commands` table: a team's custom slash commands. */
@Injectable()
export class CommandsRepository {
  constructor(private readonly db: Database) {}

  /** Store().Command().GetByTeam: the team's commands that are not deleted. */
  async byTeam(teamId: string): Promise<CommandView[]> {
    return this.db.query<CommandView>(`SELECT ${COLUMNS} FROM commands WHERE team_id = $1 AND delete_at = 0 ORDER BY create_at, id`, [teamId]);
  }

  /** Store().Command().Get: a command that is not deleted. */
  async byId(id: string): Promise<CommandView | undefined> {
    return (await this.db.query<CommandView>(`SELECT ${COLUMNS} FROM commands WHERE id = $1 AND delete_at = 0`, [id]))[0];
  }

  async insert(c: CommandView): Promise<void> {
    await this.db.query(`INSERT INTO commands (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`, [
      c.id,
      c.token,
      c.create_at,
      c.update_at,
      c.delete_at,
      c.creator_id,
      c.team_id,
      c.trigger,
      c.method,
      c.username,
      c.icon_url,
      c.auto_complete,
      c.auto_complete_desc,
      c.auto_complete_hint,
      c.display_name,
      c.description,
      c.url,
      c.plugin_id,
    ]);
  }

  /** Writes the command's fields; false when no live command has that id. */
  async update(c: CommandView): Promise<boolean> {
    const sets = UPDATED.map((column, i) => `${column} = $${i + 2}`).join(', ');
    const rows = await this.db.query(`UPDATE commands SET ${sets} WHERE id = $1 AND delete_at = 0 RETURNING id`, [c.id, ...UPDATED.map((k) => c[k])]);
    return rows.length > 0;
  }

  /** Store().Command().Delete: a soft delete, as Mattermost keeps the row. */
  async softDelete(id: string, at: number): Promise<void> {
    await this.db.query('UPDATE commands SET delete_at = $2, update_at = $2 WHERE id = $1 AND delete_at = 0', [id, at]);
  }
}
