import { AppError, invalidParam, isValidId, runeCount } from '#common';

/** model.SidebarCategoryType. */
export type CategoryType = 'favorites' | 'channels' | 'direct_messages' | 'custom';
export const FAVORITES: CategoryType = 'favorites';
export const CHANNELS: CategoryType = 'channels';
export const DIRECT_MESSAGES: CategoryType = 'direct_messages';
export const CUSTOM: CategoryType = 'custom';

/** model.SidebarCategorySorting: '' behaves as manual (the default for all but DMs, which sort by recency). */
export const SORTINGS = ['', 'manual', 'recent', 'alpha'] as const;

/** model.MinimalSidebarSortDistance: the gap between neighbouring sort orders. */
export const SORT_DISTANCE = 10;

/** The preference category a favourite channel is also recorded in (model.PreferenceCategoryFavoriteChannel). */
export const FAVORITE_CHANNEL = 'favorite_channel';

/** The SidebarCategories.DisplayName column is varchar(64). */
const MAX_DISPLAY_NAME = 64;

/** A sidebar_categories row. */
export interface CategoryRow {
  id: string;
  user_id: string;
  team_id: string;
  sort_order: number;
  sorting: string;
  type: CategoryType;
  display_name: string;
  muted: boolean;
  collapsed: boolean;
}

/** model.SidebarCategoryWithChannels; `channel_ids` is null where Mattermost's slice is nil (a created category with no channels). */
export interface Category extends CategoryRow {
  channel_ids: string[] | null;
}

/** model.OrderedSidebarCategories. */
export interface OrderedCategories {
  categories: Category[];
  order: string[];
}

/** A channel the user is a member of, as placing it in a category needs it. */
export interface SidebarChannel {
  id: string;
  type: string;
  team_id: string;
}

/** The ids of the three categories every team member has: deterministic, so creating them twice is harmless. */
export function defaultCategoryId(type: CategoryType, userId: string, teamId: string): string {
  return `${type}_${userId}_${teamId}`;
}

/** The three default categories of a user on a team (createInitialSidebarCategoriesT); the names are translated by the apps. */
export function defaultCategories(userId: string, teamId: string): CategoryRow[] {
  const make = (type: CategoryType, order: number, sorting: string, name: string): CategoryRow => ({
    id: defaultCategoryId(type, userId, teamId),
    user_id: userId,
    team_id: teamId,
    sort_order: order,
    sorting,
    type,
    display_name: name,
    muted: false,
    collapsed: false,
  });
  return [
    make(FAVORITES, 0, '', 'Favorites'),
    make(CHANNELS, SORT_DISTANCE, '', 'Channels'),
    make(DIRECT_MESSAGES, 2 * SORT_DISTANCE, 'recent', 'Direct Messages'),
  ];
}

const DEFAULT_ID = /^(favorites|channels|direct_messages)_[a-z0-9]{26}_[a-z0-9]{26}$/;

/** model.IsValidCategoryId: a plain id, or a default category's `<type>_<user>_<team>`. */
export function isValidCategoryId(value: string): boolean {
  return isValidId(value) || DEFAULT_ID.test(value);
}

/** Whether channels of this type go to Direct Messages (rather than Channels) when not placed anywhere. */
export function isDirect(type: string): boolean {
  return type === 'D' || type === 'G';
}

/**
 * A category as a JSON body (model.SidebarCategoryWithChannels): missing fields read as Go's zero
 * values, fields of the wrong type fail the decode, which Mattermost answers with 400 naming `category`.
 */
export function parseCategory(value: unknown): Category {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidParam('category');
  const body = value as Record<string, unknown>;
  const str = (key: string): string => {
    const v = body[key];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw invalidParam('category');
    return v;
  };
  const bool = (key: string): boolean => {
    const v = body[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') throw invalidParam('category');
    return v;
  };
  const order = body.sort_order ?? 0;
  if (typeof order !== 'number' || !Number.isSafeInteger(order)) throw invalidParam('category');
  const ids = body.channel_ids ?? [];
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw invalidParam('category');
  const category: Category = {
    id: str('id'),
    user_id: str('user_id'),
    team_id: str('team_id'),
    sort_order: order,
    sorting: str('sorting'),
    type: str('type') as CategoryType,
    display_name: str('display_name'),
    muted: bool('muted'),
    collapsed: bool('collapsed'),
    channel_ids: [...new Set(ids as string[])],
  };
  // Mattermost stores whatever fits its columns (and fails with a 500 on what does not); the
  // apps only send these sortings and names of at most 64 characters, so anything else is a 400.
  if (!(SORTINGS as readonly string[]).includes(category.sorting)) throw invalidParam('category');
  if (runeCount(category.display_name) > MAX_DISPLAY_NAME) throw invalidParam('category');
  return category;
}

/** The list body of PUT .../categories. */
export function parseCategoryList(value: unknown): Category[] {
  if (!Array.isArray(value)) throw invalidParam('category');
  return value.map(parseCategory);
}

/** The body of PUT .../categories/order (model.ArrayFromJSON): a list of strings. */
export function parseOrder(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalidParam('category');
  return value as string[];
}

/** Every failure of the category store carries this one id (app/channel_category.go); only the status differs. */
export function categoriesError(status: 400 | 404, detail = ''): AppError {
  return new AppError('', 'app.channel.sidebar_categories.app_error', 'Unable to get sidebar categories.', status, detail);
}

/** The wire shape, with fields in Mattermost's order. */
export function categoryView(c: Category): Category {
  return {
    id: c.id,
    user_id: c.user_id,
    team_id: c.team_id,
    sort_order: c.sort_order,
    sorting: c.sorting,
    type: c.type,
    display_name: c.display_name,
    muted: c.muted,
    collapsed: c.collapsed,
    channel_ids: c.channel_ids,
  };
}
