import { EmojiRow } from './emoji.model.js';
import type { EmojiRepository } from './emoji.repository.js';

/** The emoji table in memory, with the answers of EmojiRepository's SQL (a live name is unique). */
export class MemoryEmoji {
  readonly rows = new Map<string, EmojiRow>();

  private live(): EmojiRow[] {
    return [...this.rows.values()].filter((r) => r.delete_at === 0);
  }

  async insert(row: EmojiRow) {
    if (this.live().some((r) => r.name === row.name)) return false;
    this.rows.set(row.id, { ...row, delete_at: 0 });
    return true;
  }

  async byId(id: string) {
    const row = this.rows.get(id);
    return row && row.delete_at === 0 ? { ...row } : undefined;
  }

  async byName(name: string) {
    const row = this.live().find((r) => r.name === name);
    return row && { ...row };
  }

  async byNames(names: string[]) {
    return this.live().filter((r) => names.includes(r.name));
  }

  async list(offset: number, limit: number, byName: boolean) {
    const rows = this.live().sort((a, b) => (byName ? a.name.localeCompare(b.name) : a.create_at - b.create_at || a.id.localeCompare(b.id)));
    return rows.slice(offset, offset + limit);
  }

  async search(term: string, prefixOnly: boolean, limit: number) {
    return this.live()
      .filter((r) => (prefixOnly ? r.name.startsWith(term) : r.name.includes(term)))
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(0, limit);
  }

  async softDelete(id: string, now: number) {
    const row = this.rows.get(id);
    if (!row || row.delete_at !== 0) return false;
    row.delete_at = now;
    row.update_at = now;
    return true;
  }

  asRepository(): EmojiRepository {
    return this as unknown as EmojiRepository;
  }
}
