import { Injectable } from '@nestjs/common';
import { Database } from '#db';

/** A command's response URL (model.CommandWebhook): who ran the command, where. */
export interface CommandWebhookRow {
  id: string;
  create_at: number;
  command_id: string;
  user_id: string;
  channel_id: string;
  root_id: string;
  use_count: number;
}

/** The `command_webhooks` table. */
@Injectable()
export class CommandWebhooksRepository {
  constructor(private readonly db: Database) {}

  async insert(hook: CommandWebhookRow): Promise<void> {
    await this.db.query(
      'INSERT INTO command_webhooks (id, create_at, command_id, user_id, channel_id, root_id, use_count) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [hook.id, hook.create_at, hook.command_id, hook.user_id, hook.channel_id, hook.root_id, hook.use_count],
    );
  }

  /** Store().CommandWebhook().Get: only a hook made after `since` (an older one has expired). */
  async byId(id: string, since: number): Promise<CommandWebhookRow | undefined> {
    const rows = await this.db.query<CommandWebhookRow>(
      'SELECT id, create_at, command_id, user_id, channel_id, root_id, use_count FROM command_webhooks WHERE id = $1 AND create_at > $2',
      [id, since],
    );
    return rows[0];
  }

  /** TryUse: counts one use if fewer than `limit` were made, in one statement so that racing posts cannot both pass. */
  async tryUse(id: string, limit: number): Promise<boolean> {
    const rows = await this.db.query('UPDATE command_webhooks SET use_count = use_count + 1 WHERE id = $1 AND use_count < $2 RETURNING id', [id, limit]);
    return rows.length > 0;
  }

  /** Store().CommandWebhook().Cleanup: removes the hooks made before `before`. */
  async deleteOlderThan(before: number): Promise<void> {
    await this.db.query('DELETE FROM command_webhooks WHERE create_at < $1', [before]);
  }
}
