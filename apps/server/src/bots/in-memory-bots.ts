import type { Bot, BotRow } from './bot.model.js';
import type { BotListOptions, BotsRepository } from './bots.repository.js';

/**
 * The bots table in memory, for specs; `users` stands for the users table the real reads join
 * (username, first name as display name, and whether an owner is deactivated).
 */
export class MemoryBots implements Pick<BotsRepository, 'get' | 'list' | 'insert' | 'update' | 'delete' | 'ownerOf'> {
  readonly rows = new Map<string, BotRow>();

  constructor(readonly users: Map<string, { username: string; first_name: string; delete_at: number }>) {}

  private view(row: BotRow): Bot {
    const user = this.users.get(row.user_id);
    return { ...row, username: user?.username ?? '', display_name: user?.first_name ?? '' };
  }

  async get(userId: string, includeDeleted: boolean) {
    const row = this.rows.get(userId);
    return row && (includeDeleted || row.delete_at === 0) ? this.view(row) : undefined;
  }

  async list(o: BotListOptions) {
    return [...this.rows.values()]
      .filter((r) => (o.includeDeleted || r.delete_at === 0) && (!o.ownerId || r.owner_id === o.ownerId))
      .filter((r) => !o.onlyOrphaned || (this.users.get(r.owner_id)?.delete_at ?? 0) !== 0)
      .map((r) => this.view(r))
      .sort((a, b) => a.create_at - b.create_at || a.username.localeCompare(b.username))
      .slice(o.page * o.perPage, (o.page + 1) * o.perPage);
  }

  async insert(row: BotRow) {
    if (this.rows.has(row.user_id)) throw new Error('duplicate key value violates unique constraint "bots_pkey"');
    this.rows.set(row.user_id, { ...row });
  }

  async update(row: BotRow) {
    if (this.rows.has(row.user_id)) this.rows.set(row.user_id, { ...row });
  }

  async delete(userId: string) {
    this.rows.delete(userId);
  }

  async ownerOf(userId: string) {
    return this.rows.get(userId)?.owner_id;
  }
}
