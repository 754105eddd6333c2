import { memoryDatabase } from '#testing';
import { ChannelsTestbed } from '../channels/in-memory-channels.js';
import type { Preference } from '../preferences/preference.model.js';
import { PreferencesRepository } from '../preferences/preferences.repository.js';
import { CategoriesRepository, MemberChannel } from './categories.repository.js';
import { CategoriesService } from './categories.service.js';
import { Category, CategoryRow, FAVORITES, SidebarChannel, SORT_DISTANCE } from './category.model.js';

interface Link {
  channel_id: string;
  user_id: string;
  category_id: string;
  sort_order: number;
}

/** The preferences table, as far as favourites need it. */
export class MemoryPreferences {
  readonly rows = new Map<string, Preference>();

  async inCategory(userId: string, category: string) {
    return [...this.rows.values()].filter((p) => p.user_id === userId && p.category === category).sort((a, b) => a.name.localeCompare(b.name));
  }

  async upsert(prefs: Preference[]) {
    for (const p of prefs) this.rows.set(`${p.user_id}/${p.category}/${p.name}`, { ...p });
  }

  async delete(userId: string, keys: Array<Pick<Preference, 'category' | 'name'>>) {
    for (const k of keys) this.rows.delete(`${userId}/${k.category}/${k.name}`);
  }

  asRepository(): PreferencesRepository {
    return this as unknown as PreferencesRepository;
  }
}

/**
 * sidebar_categories and sidebar_channels over the channels testbed's channels and memberships,
 * answering as CategoriesRepository's SQL does.
 */
export class MemoryCategories {
  readonly categories = new Map<string, CategoryRow>();
  links: Link[] = [];

  constructor(private readonly bed: ChannelsTestbed) {}

  private withChannels(row: CategoryRow): Category {
    const ids = this.links
      .filter((l) => l.category_id === row.id)
      .sort((a, b) => a.sort_order - b.sort_order || a.channel_id.localeCompare(b.channel_id))
      .map((l) => l.channel_id);
    return { ...row, channel_ids: ids };
  }

  private teamOf(categoryId: string): string | undefined {
    return this.categories.get(categoryId)?.team_id;
  }

  private ofUser(userId: string, teamId: string): CategoryRow[] {
    return [...this.categories.values()]
      .filter((c) => c.user_id === userId && c.team_id === teamId)
      .sort((a, b) => a.sort_order - b.sort_order || a.id.localeCompare(b.id));
  }

  private memberships(userId: string) {
    return [...this.bed.channelMembers.rows.values()].filter((m) => m.user_id === userId).map((m) => this.bed.channels.rows.get(m.channel_id)!);
  }

  async forTeam(userId: string, teamId: string) {
    if ((await this.bed.teamMembers.activeRoles(teamId, userId)) === undefined) return [];
    return this.ofUser(userId, teamId).map((c) => this.withChannels(c));
  }

  async byId(categoryId: string) {
    const row = this.categories.get(categoryId);
    return row && this.withChannels(row);
  }

  async unplaced(userId: string, teamId: string): Promise<SidebarChannel[]> {
    const placed = new Set(this.links.filter((l) => l.user_id === userId && this.teamOf(l.category_id) === teamId).map((l) => l.channel_id));
    return this.memberships(userId)
      .filter((c) => c.delete_at === 0 && ((c.team_id === teamId && (c.type === 'O' || c.type === 'P')) || c.type === 'D' || c.type === 'G'))
      .filter((c) => !placed.has(c.id))
      .sort((a, b) => a.display_name.localeCompare(b.display_name) || a.id.localeCompare(b.id))
      .map((c) => ({ id: c.id, type: c.type, team_id: c.team_id }));
  }

  async memberChannels(userId: string, teamId: string): Promise<MemberChannel[]> {
    return this.memberships(userId)
      .filter((c) => c.team_id === teamId || c.team_id === '')
      .sort((a, b) => a.display_name.localeCompare(b.display_name) || a.name.localeCompare(b.name))
      .map((c) => ({ id: c.id, type: c.type, team_id: c.team_id, display_name: c.display_name, name: c.name }));
  }

  async order(userId: string, teamId: string) {
    return this.ofUser(userId, teamId).map((c) => c.id);
  }

  async insert(rows: CategoryRow[]) {
    const inserted: string[] = [];
    for (const row of rows) {
      if (this.categories.has(row.id)) continue;
      this.categories.set(row.id, { ...row });
      inserted.push(row.id);
    }
    return inserted;
  }

  async update(row: CategoryRow) {
    const current = this.categories.get(row.id);
    if (current) Object.assign(current, { display_name: row.display_name, sorting: row.sorting, muted: row.muted, collapsed: row.collapsed });
  }

  async setOrder(ids: string[]) {
    ids.forEach((id, i) => {
      const row = this.categories.get(id);
      if (row) row.sort_order = i * SORT_DISTANCE;
    });
  }

  async clearChannels(categoryIds: string[]) {
    this.links = this.links.filter((l) => !categoryIds.includes(l.category_id));
  }

  async place(userId: string, teamId: string, categoryId: string, channelIds: string[]) {
    this.links = this.links.filter((l) => !(l.user_id === userId && this.teamOf(l.category_id) === teamId && channelIds.includes(l.channel_id)));
    channelIds.forEach((id, i) => this.links.push({ channel_id: id, user_id: userId, category_id: categoryId, sort_order: i * SORT_DISTANCE }));
  }

  async delete(categoryId: string) {
    this.categories.delete(categoryId);
    this.links = this.links.filter((l) => l.category_id !== categoryId);
  }

  async addToFavorites(userId: string, channelId: string, teamId: string) {
    const inScope = (categoryId: string) => teamId === '' || this.teamOf(categoryId) === teamId;
    this.links = this.links.filter(
      (l) => !(l.user_id === userId && l.channel_id === channelId && this.categories.get(l.category_id)?.type !== FAVORITES && inScope(l.category_id)),
    );
    for (const fav of [...this.categories.values()].filter((c) => c.user_id === userId && c.type === FAVORITES && inScope(c.id))) {
      if (this.links.some((l) => l.category_id === fav.id && l.channel_id === channelId)) continue;
      const orders = this.links.filter((l) => l.category_id === fav.id).map((l) => l.sort_order);
      this.links.push({ channel_id: channelId, user_id: userId, category_id: fav.id, sort_order: orders.length ? Math.min(...orders) - SORT_DISTANCE : 0 });
    }
  }

  async removeFromFavorites(userId: string, channelIds: string[]) {
    this.links = this.links.filter(
      (l) => !(l.user_id === userId && channelIds.includes(l.channel_id) && this.categories.get(l.category_id)?.type === FAVORITES),
    );
  }

  async clearTeam(userId: string, teamId: string) {
    const ids = this.ofUser(userId, teamId).map((c) => c.id);
    await this.clearChannels(ids);
    for (const id of ids) this.categories.delete(id);
  }

  asRepository(): CategoriesRepository {
    return this as unknown as CategoriesRepository;
  }
}

/** CategoriesService over the channels testbed and in-memory categories and preferences. */
export class CategoriesTestbed {
  readonly bed = new ChannelsTestbed();
  readonly categories = new MemoryCategories(this.bed);
  readonly preferences = new MemoryPreferences();
  readonly service = new CategoriesService(
    memoryDatabase,
    this.categories.asRepository(),
    this.bed.channels.asRepository(),
    this.bed.channelMembers.asRepository(),
    this.bed.teamMembers.asRepository(),
    this.preferences.asRepository(),
    this.bed.permissions,
    this.bed.publisher,
    this.bed.invalidation,
  );
}
