import { Injectable } from '@nestjs/common';
import { Database } from '#db';
import { CommandView } from './command.model.js';

const COLUMNS = `id, token, create_at, update_at, delete_at, creator_id, team_id, trigger, method, username, icon_url,
  auto_complete, auto_complete_desc, auto_complete_hint, display_name, description, url, plugin_id`;

/** The `commands` table: a team's custom slash commands. */
@Injectable()
export class CommandsRepository {
  constructor(private readonly db: Database) {}

  /** Store().Command().GetByTeam: the team's commands that are not deleted. */
  async byTeam(teamId: string): Promise<CommandView[]> {
    return this.db.query<CommandView>(`SELECT ${COLUMNS} FROM commands WHERE team_id = $1 AND delete_at = 0 ORDER BY create_at, id`, [teamId]);
  }
}
