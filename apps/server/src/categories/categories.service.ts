import { Injectable } from '@nestjs/common';
import { badRequest, invalidParam, newId, permissionDenied } from '#common';
import { Database } from '#db';
import { EventPublisher, InvalidationBus, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import { channelMemberView } from '../channels/channel.model.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import { Session } from '../common/session.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { TeamMembersRepository } from '../membership/team-members.repository.js';
import type { Preference } from '../preferences/preference.model.js';
import { PreferencesRepository } from '../preferences/preferences.repository.js';
import { CategoriesRepository } from './categories.repository.js';
import {
  Category,
  categoriesError,
  CategoryRow,
  categoryView,
  CHANNELS,
  CUSTOM,
  defaultCategories,
  defaultCategoryId,
  DIRECT_MESSAGES,
  FAVORITE_CHANNEL,
  FAVORITES,
  isDirect,
  OrderedCategories,
  parseCategory,
  parseCategoryList,
  parseOrder,
  SidebarChannel,
  SORT_DISTANCE,
} from './category.model.js';

/**
 * The Channels and Direct Messages categories also hold the user's channels that are in no
 * category (new channels, new DMs), before the placed ones, as completePopulatingCategoryChannelsT.
 */
function complete(category: Category, unplaced: SidebarChannel[]): Category {
  const placed = category.channel_ids ?? [];
  if (category.type === CHANNELS) return { ...category, channel_ids: [...unplaced.filter((c) => !isDirect(c.type)).map((c) => c.id), ...placed] };
  if (category.type === DIRECT_MESSAGES) return { ...category, channel_ids: [...unplaced.filter((c) => isDirect(c.type)).map((c) => c.id), ...placed] };
  return { ...category, channel_ids: [...placed] };
}

/** Which category each channel is in. */
function placement(categories: Category[]): Map<string, string> {
  const where = new Map<string, string>();
  for (const c of categories) for (const id of c.channel_ids ?? []) where.set(id, c.id);
  return where;
}

/**
 * The channels to mute and unmute after an update (muteChannelsForUpdatedCategories): all of a
 * category that was muted or unmuted, and those moved between a muted and an unmuted category.
 */
export function muteChanges(updated: Category[], originals: Category[]): { mute: string[]; unmute: string[] } {
  const mute: string[] = [];
  const unmute: string[] = [];
  updated.forEach((now, i) => {
    const before = originals[i];
    if (now.muted && !before.muted) mute.push(...(now.channel_ids ?? []));
    else if (!now.muted && before.muted) unmute.push(...(now.channel_ids ?? []));
  });
  const after = placement(updated);
  for (const [channelId, fromId] of placement(originals)) {
    const toId = after.get(channelId);
    if (!toId || toId === fromId) continue;
    const from = originals.find((c) => c.id === fromId)!;
    const to = updated.find((c) => c.id === toId)!;
    if (to.muted && !from.muted) mute.push(channelId);
    else if (!to.muted && from.muted) unmute.push(channelId);
  }
  return { mute, unmute };
}

const favoritePref = (userId: string, channelId: string): Preference => ({ user_id: userId, category: FAVORITE_CHANNEL, name: channelId, value: 'true' });

/**
 * A user's sidebar categories on a team (api4/channel_category.go, app/channel_category.go): the
 * default Favorites, Channels and Direct Messages categories, created on first use, custom ones,
 * their order, muting, and Favorites kept in step with the `favorite_channel` preferences.
 */
@Injectable()
export class CategoriesService {
  constructor(
    private readonly db: Database,
    private readonly repo: CategoriesRepository,
    private readonly channels: ChannelsRepository,
    private readonly channelMembers: ChannelMembersRepository,
    private readonly teamMembers: TeamMembersRepository,
    private readonly preferences: PreferencesRepository,
    private readonly permissions: PermissionsService,
    private readonly publisher: EventPublisher,
    private readonly invalidation: InvalidationBus,
  ) {}

  // ---- routes --------------------------------------------------------------------------------

  /** GET .../categories: the user themself or edit_other_users; empty for a team the user is not on. */
  async list(session: Session, userId: string, teamId: string): Promise<OrderedCategories> {
    this.permissions.requireSelfOrAdmin(session, userId);
    const categories = await this.load(userId, teamId);
    return { categories, order: categories.map((c) => c.id) };
  }

  /** GET .../categories/order. */
  async getOrder(session: Session, userId: string, teamId: string): Promise<string[]> {
    this.permissions.requireSelfOrAdmin(session, userId);
    const order = await this.repo.order(userId, teamId);
    if (order.length > 0 || !(await this.ensureDefaults(userId, teamId))) return order;
    return this.repo.order(userId, teamId);
  }

  /** GET .../categories/{id}: one's own category of that team, or any with edit_other_users. */
  async getOne(session: Session, userId: string, teamId: string, categoryId: string): Promise<Category> {
    await this.requireCategory(session, userId, teamId, categoryId);
    const category = await this.repo.byId(categoryId);
    if (!category) throw categoriesError(404, `category_id=${categoryId}`);
    if (category.type !== CHANNELS && category.type !== DIRECT_MESSAGES) return category;
    return complete(category, await this.repo.unplaced(category.user_id, category.team_id));
  }

  /**
   * POST .../categories: a custom category, placed after Favorites when Favorites comes first and
   * first otherwise; the channels given (those the user may place) move into it.
   */
  async create(session: Session, userId: string, teamId: string, body: unknown): Promise<Category> {
    this.permissions.requireSelfOrAdmin(session, userId);
    const input = parseCategory(body);
    if (input.user_id !== userId || input.team_id !== teamId) throw invalidParam('category');
    const channelIds = await this.placeable(userId, teamId, input.channel_ids ?? []);
    const current = await this.load(userId, teamId);
    if (current.length === 0) throw categoriesError(404, `userId=${userId}, teamId=${teamId}`);

    const id = newId();
    const order = current.map((c) => c.id);
    const favoritesFirst = current[0].type === FAVORITES;
    order.splice(favoritesFirst ? 1 : 0, 0, id);
    const row: CategoryRow = {
      id,
      user_id: userId,
      team_id: teamId,
      sort_order: SORT_DISTANCE * order.length,
      sorting: input.sorting,
      type: CUSTOM,
      display_name: input.display_name,
      muted: input.muted,
      collapsed: false,
    };
    const favorites = new Set(current.find((c) => c.type === FAVORITES)?.channel_ids ?? []);
    const unfavorited = channelIds.filter((c) => favorites.has(c));
    await this.db.transaction(async (tx) => {
      await this.repo.insert([row], tx);
      await this.repo.place(userId, teamId, id, channelIds, tx);
      await this.repo.setOrder(order, tx);
      if (unfavorited.length)
        await this.preferences.delete(
          userId,
          unfavorited.map((name) => ({ category: FAVORITE_CHANNEL, name })),
          tx,
        );
    });
    this.announcePreferences(userId, [], unfavorited);
    this.publisher.publish(newEvent(WsEvents.SidebarCategoryCreated, { user_id: userId, team_id: teamId }, { category_id: id }));
    // Mattermost answers with the channel list as validated, which is nil (null) when empty.
    return { ...row, sort_order: favoritesFirst ? SORT_DISTANCE : 0, channel_ids: channelIds.length ? channelIds : null };
  }

  /** PUT .../categories: each category must be the user's own on this team (or edit_other_users), else 400. */
  async updateMany(session: Session, userId: string, teamId: string, body: unknown): Promise<Category[]> {
    this.permissions.requireSelfOrAdmin(session, userId);
    const input = parseCategoryList(body);
    for (const category of input) {
      if (!(await this.mayAccess(session, userId, teamId, category.id))) throw invalidParam('category');
    }
    const allowed = await this.placeableSet(userId, teamId);
    return this.apply(
      userId,
      teamId,
      input.map((c) => ({ ...c, channel_ids: (c.channel_ids ?? []).filter((id) => allowed.has(id)) })),
    );
  }

  /** PUT .../categories/{id}: the body's user and team must be the URL's. */
  async updateOne(session: Session, userId: string, teamId: string, categoryId: string, body: unknown): Promise<Category> {
    await this.requireCategory(session, userId, teamId, categoryId);
    const input = parseCategory(body);
    if (input.user_id !== userId || input.team_id !== teamId) throw invalidParam('category');
    const allowed = await this.placeableSet(userId, teamId);
    const channelIds = (input.channel_ids ?? []).filter((id) => allowed.has(id));
    return (await this.apply(userId, teamId, [{ ...input, id: categoryId, channel_ids: channelIds }]))[0];
  }

  /** PUT .../categories/order: a permutation of the user's categories on the team. */
  async updateOrder(session: Session, userId: string, teamId: string, body: unknown): Promise<string[]> {
    this.permissions.requireSelfOrAdmin(session, userId);
    const order = parseOrder(body);
    for (const id of order) {
      if (!(await this.mayAccess(session, userId, teamId, id))) throw invalidParam('category');
    }
    await this.db.transaction(async (tx) => {
      const existing = await this.repo.order(userId, teamId, tx);
      const wanted = new Set(order);
      if (existing.length !== order.length || existing.some((id) => !wanted.has(id))) {
        throw categoriesError(400, 'the order must name each of the categories once');
      }
      await this.repo.setOrder(order, tx);
    });
    this.publisher.publish(newEvent(WsEvents.SidebarCategoryOrderUpdated, { user_id: userId, team_id: teamId }, { order }));
    return order;
  }

  /** DELETE .../categories/{id}: custom categories only; their channels go back to Channels and Direct Messages. */
  async remove(session: Session, userId: string, teamId: string, categoryId: string): Promise<void> {
    await this.requireCategory(session, userId, teamId, categoryId);
    await this.db.transaction(async (tx) => {
      const category = await this.repo.byId(categoryId, tx);
      if (!category) throw categoriesError(404, `category_id=${categoryId}`);
      if (category.type !== CUSTOM) throw categoriesError(400, `only custom categories can be deleted, category_id=${categoryId}`);
      await this.repo.delete(categoryId, tx);
    });
    this.publisher.publish(newEvent(WsEvents.SidebarCategoryDeleted, { user_id: userId, team_id: teamId }, { category_id: categoryId }));
  }

  // ---- hooks for other areas -----------------------------------------------------------------

  /**
   * After preferences were saved (App.UpdatePreferences): a `favorite_channel` preference moves
   * its channel into Favorites, or out of it when the value is "false"; then, as Mattermost does
   * after every save, `sidebar_category_updated` (without data) tells the user's apps to reload.
   * A preference naming no channel is skipped (Mattermost fails the whole request with a 500), as
   * is one naming a channel the user is not in.
   */
  async preferencesSaved(userId: string, prefs: Preference[]): Promise<void> {
    const favorites = prefs.filter((p) => p.category === FAVORITE_CHANNEL);
    for (const pref of favorites) {
      if (pref.value === 'false') {
        await this.repo.removeFromFavorites(userId, [pref.name]);
        continue;
      }
      // Only channels the user is in go in their sidebar (Mattermost does not check here).
      const [channel, member] = await Promise.all([this.channels.byId(pref.name), this.channelMembers.get(pref.name, userId)]);
      if (channel && member) await this.repo.addToFavorites(userId, channel.id, channel.team_id);
    }
    this.publisher.publish(newEvent(WsEvents.SidebarCategoryUpdated, { user_id: userId }));
  }

  /** After preferences were deleted (App.DeletePreferences): deleted favourites leave Favorites. */
  async preferencesDeleted(userId: string, prefs: Array<Pick<Preference, 'category' | 'name'>>): Promise<void> {
    const names = prefs.filter((p) => p.category === FAVORITE_CHANNEL).map((p) => p.name);
    await this.repo.removeFromFavorites(userId, names);
    this.publisher.publish(newEvent(WsEvents.SidebarCategoryUpdated, { user_id: userId }));
  }

  /** After the user left a team: their categories there go (ClearSidebarOnTeamLeave); rejoining starts afresh. */
  async teamLeft(userId: string, teamId: string): Promise<void> {
    await this.repo.clearTeam(userId, teamId);
  }

  // ---- internals -----------------------------------------------------------------------------

  /**
   * The user's categories on the team, complete: two queries in parallel (categories with their
   * channels, and the channels placed nowhere). A team member without categories gets the
   * defaults first (Mattermost makes them on joining a team, and on reading when missing).
   */
  private async load(userId: string, teamId: string, mayCreate = true): Promise<Category[]> {
    const [categories, unplaced] = await Promise.all([this.repo.forTeam(userId, teamId), this.repo.unplaced(userId, teamId)]);
    if (categories.length === 0 && mayCreate && (await this.ensureDefaults(userId, teamId))) return this.load(userId, teamId, false);
    return categories.map((c) => complete(c, unplaced));
  }

  /**
   * Creates the default categories of an active team member (no-op for those that exist), putting
   * the channels they had favourited into Favorites by name (migrateFavoritesToSidebarT).
   * False when the user is not on the team.
   */
  private async ensureDefaults(userId: string, teamId: string): Promise<boolean> {
    if ((await this.teamMembers.activeRoles(teamId, userId)) === undefined) return false;
    const [prefs, channels] = await Promise.all([this.preferences.inCategory(userId, FAVORITE_CHANNEL), this.repo.memberChannels(userId, teamId)]);
    const favorite = new Set(prefs.filter((p) => p.value === 'true').map((p) => p.name));
    const favoriteIds = channels.filter((c) => favorite.has(c.id)).map((c) => c.id);
    // Mostly there is no favourite to place: one statement then, not a transaction that holds its
    // connection open while this process gets round to sending the COMMIT.
    if (favoriteIds.length === 0) {
      await this.repo.insert(defaultCategories(userId, teamId));
      return true;
    }
    await this.db.transaction(async (tx) => {
      const inserted = await this.repo.insert(defaultCategories(userId, teamId), tx);
      const favoritesId = defaultCategoryId(FAVORITES, userId, teamId);
      if (inserted.includes(favoritesId)) await this.repo.place(userId, teamId, favoritesId, favoriteIds, tx);
    });
    return true;
  }

  /**
   * The store half of an update (UpdateSidebarCategories): the type, owner, team and position of a
   * category never change, nor the name of a default one; Direct Messages keeps no channel order
   * and no muting. Favorites writes the favourite preferences, the other categories drop them.
   */
  private async apply(userId: string, teamId: string, input: Category[]): Promise<Category[]> {
    const favoritePrefs = new Set((await this.preferences.inCategory(userId, FAVORITE_CHANNEL)).filter((p) => p.value === 'true').map((p) => p.name));
    const { updated, originals, favorited, unfavorited } = await this.db.transaction(async (tx) => {
      const before = await this.repo.unplaced(userId, teamId, tx);
      const originals: Category[] = [];
      const updated: Category[] = [];
      for (const request of input) {
        const src = await this.repo.byId(request.id, tx);
        if (!src || src.user_id !== userId || src.team_id !== teamId) throw invalidParam('category');
        originals.push(complete(src, before));
        updated.push({
          ...src,
          sorting: request.sorting,
          collapsed: request.collapsed,
          display_name: src.type === CUSTOM ? request.display_name : src.display_name,
          muted: src.type === DIRECT_MESSAGES ? src.muted : request.muted,
          channel_ids: src.type === DIRECT_MESSAGES ? [] : [...(request.channel_ids ?? [])],
        });
      }
      // Rows in id order, as Mattermost does to keep concurrent updates from deadlocking.
      for (const row of [...updated].sort((a, b) => (a.id < b.id ? -1 : 1))) await this.repo.update(row, tx);
      await this.repo.clearChannels(
        updated.map((c) => c.id),
        tx,
      );
      for (const c of updated) if (c.type !== DIRECT_MESSAGES) await this.repo.place(userId, teamId, c.id, c.channel_ids!, tx);

      const nowFavorite = new Set(updated.find((c) => c.type === FAVORITES)?.channel_ids ?? []);
      const touched = [
        ...(originals.find((c) => c.type === FAVORITES)?.channel_ids ?? []),
        ...updated.filter((c) => c.type !== FAVORITES).flatMap((c) => c.channel_ids ?? []),
      ];
      const unfavorite = [...new Set(touched)].filter((id) => !nowFavorite.has(id));
      const favorite = [...nowFavorite].filter((id) => !favoritePrefs.has(id));
      if (unfavorite.length)
        await this.preferences.delete(
          userId,
          unfavorite.map((name) => ({ category: FAVORITE_CHANNEL, name })),
          tx,
        );
      if (favorite.length)
        await this.preferences.upsert(
          favorite.map((id) => favoritePref(userId, id)),
          tx,
        );

      const after = await this.repo.unplaced(userId, teamId, tx);
      return {
        updated: updated.map((c) => complete(c, after)),
        originals,
        favorited: favorite,
        unfavorited: unfavorite.filter((id) => favoritePrefs.has(id)),
      };
    });
    const data = { updatedCategories: JSON.stringify(updated.map(categoryView)) };
    this.publisher.publish(newEvent(WsEvents.SidebarCategoryUpdated, { user_id: userId, team_id: teamId }, data));
    this.announcePreferences(userId, favorited, unfavorited);
    const { mute, unmute } = muteChanges(updated, originals);
    await this.setMuted(userId, mute, true);
    await this.setMuted(userId, unmute, false);
    return updated;
  }

  /**
   * Mutes or unmutes the user's memberships (App.setChannelsMuted): a muted channel marks itself
   * unread only for mentions. Each change reaches the user as `channel_member_updated`.
   */
  private async setMuted(userId: string, channelIds: string[], muted: boolean): Promise<void> {
    const markUnread = muted ? 'mention' : 'all';
    for (const channelId of new Set(channelIds)) {
      const member = await this.channelMembers.get(channelId, userId);
      if (!member || member.notify_props.mark_unread === markUnread) continue;
      const saved = await this.channelMembers.updateNotifyProps(channelId, userId, { ...member.notify_props, mark_unread: markUnread }, Date.now());
      if (!saved) continue;
      // Mention detection caches members' notify props per channel.
      this.invalidation.emit('channel_members', channelId);
      this.publisher.publish(newEvent(WsEvents.ChannelMemberUpdated, { user_id: userId }, { channelMember: JSON.stringify(channelMemberView(saved)) }));
    }
  }

  /** The preference events for favourites a category change wrote or deleted, as saving them through the preferences API would send. */
  private announcePreferences(userId: string, favorited: string[], unfavorited: string[]): void {
    const send = (event: string, ids: string[]) => {
      if (ids.length === 0) return;
      this.publisher.publish(newEvent(event, { user_id: userId }, { preferences: JSON.stringify(ids.map((id) => favoritePref(userId, id))) }));
    };
    send(WsEvents.PreferencesChanged, favorited);
    send(WsEvents.PreferencesDeleted, unfavorited);
  }

  /** App.SessionHasPermissionToCategory: edit_other_users, or a category of the caller's own on this team. */
  private async mayAccess(session: Session, userId: string, teamId: string, categoryId: string): Promise<boolean> {
    if (this.permissions.hasSystem(session, 'edit_other_users')) return true;
    const category = await this.repo.byId(categoryId);
    return category !== undefined && category.user_id === session.user_id && category.user_id === userId && category.team_id === teamId;
  }

  private async requireCategory(session: Session, userId: string, teamId: string, categoryId: string): Promise<void> {
    if (!(await this.mayAccess(session, userId, teamId, categoryId))) throw permissionDenied('edit_other_users');
  }

  /** The channels the user may put in a category (validateSidebarCategory); none at all is a 400. */
  private async placeableSet(userId: string, teamId: string): Promise<Set<string>> {
    const channels = await this.repo.memberChannels(userId, teamId);
    if (channels.length === 0) throw badRequest('api.invalid_channel', 'Channel in request is invalid.', `userId=${userId}, teamId=${teamId}`);
    return new Set(channels.map((c) => c.id));
  }

  /** Keeps the requested channels the user may place, dropping the others as Mattermost does. */
  private async placeable(userId: string, teamId: string, requested: string[]): Promise<string[]> {
    const allowed = await this.placeableSet(userId, teamId);
    return requested.filter((id) => allowed.has(id));
  }
}
