import { AppError, badRequest, invalidParam, isValidId, runeCount } from '#common';

/** model.Preference: one (user, category, name) → value setting. */
export interface Preference {
  user_id: string;
  category: string;
  name: string;
  value: string;
}

export const CATEGORY_FLAGGED_POST = 'flagged_post';
export const CATEGORY_THEME = 'theme';
export const CATEGORY_SIDEBAR_SETTINGS = 'sidebar_settings';
export const NAME_LIMIT_VISIBLE_DMS_GMS = 'limit_visible_dms_gms';

/** One PUT or delete carries at most this many preferences (Mattermost refuses larger batches). */
export const MAX_PREFERENCES_PER_REQUEST = 100;
const MAX_CATEGORY_BYTES = 32;
const MAX_NAME_BYTES = 32;
/** The value column is varchar(2000); Mattermost counts characters (runes), not bytes. */
export const MAX_VALUE_CHARS = 2000;
const MAX_VISIBLE_DMS_GMS = 40;

/** Category and name as the URL routes accept them (`[A-Za-z0-9_]+`). */
export const URL_KEY_PATTERN = /^[A-Za-z0-9_]+$/;

const THEME_COLOR = /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/;
// Theme keys that are not colours and so are kept as they are.
const THEME_NON_COLOR_KEYS = new Set(['image', 'type', 'codeTheme']);

/**
 * The request body of PUT /preferences and POST /preferences/delete: a non-empty array of at most
 * 100 objects whose fields, when present, are strings. Missing fields read as "" (as Go decodes them).
 */
export function parsePreferenceList(body: unknown): Preference[] {
  if (!Array.isArray(body) || body.length === 0 || body.length > MAX_PREFERENCES_PER_REQUEST) {
    throw invalidParam('preferences');
  }
  return body.map((item) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw invalidParam('preferences');
    const record = item as Record<string, unknown>;
    const field = (key: keyof Preference): string => {
      const value = record[key];
      if (value === undefined || value === null) return '';
      if (typeof value !== 'string') throw invalidParam('preferences');
      return value;
    };
    return { user_id: field('user_id'), category: field('category'), name: field('name'), value: field('value') };
  });
}

function invalid(field: string, detail: string): AppError {
  return badRequest(`model.preference.is_valid.${field}.app_error`, `Invalid ${field.replace(/_/g, ' ')}.`, detail);
}

/** model.Preference.IsValid: the first rule a preference breaks, or null. */
export function preferenceError(p: Preference): AppError | null {
  if (!isValidId(p.user_id)) return invalid('id', `user_id=${p.user_id}`);
  if (p.category === '' || Buffer.byteLength(p.category) > MAX_CATEGORY_BYTES) return invalid('category', `category=${p.category}`);
  if (Buffer.byteLength(p.name) > MAX_NAME_BYTES) return invalid('name', `name=${p.name}`);
  if (runeCount(p.value) > MAX_VALUE_CHARS) return invalid('value', `value length=${runeCount(p.value)}`);
  if (p.category === CATEGORY_THEME && !isStringMap(p.value)) return invalid('theme', 'value is not a JSON object of strings');
  if (p.category === CATEGORY_SIDEBAR_SETTINGS && p.name === NAME_LIMIT_VISIBLE_DMS_GMS) {
    const n = /^[+-]?\d+$/.test(p.value) ? Number(p.value) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > MAX_VISIBLE_DMS_GMS) return invalid('limit_visible_dms_gms', `value=${p.value}`);
  }
  return null;
}

function isStringMap(json: string): boolean {
  try {
    const parsed: unknown = JSON.parse(json);
    // JSON null decodes into a Go map as an empty map, so Mattermost accepts it.
    if (parsed === null) return true;
    if (typeof parsed !== 'object' || Array.isArray(parsed)) return false;
    return Object.values(parsed as object).every((v) => typeof v === 'string');
  } catch {
    return false;
  }
}

/**
 * model.Preference.PreUpdate: a theme's colour entries that are not #rgb / #rrggbb become #ffffff,
 * so a stored theme can never carry CSS injection into other clients.
 */
export function sanitizePreference(p: Preference): Preference {
  if (p.category !== CATEGORY_THEME) return p;
  let theme: Record<string, string> | null;
  try {
    theme = JSON.parse(p.value);
  } catch {
    return p;
  }
  if (theme === null || typeof theme !== 'object') return p;
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(theme)) {
    clean[key] = THEME_NON_COLOR_KEYS.has(key) || THEME_COLOR.test(value) ? value : '#ffffff';
  }
  return { ...p, value: JSON.stringify(clean) };
}

/** The wire shape, with fields in Mattermost's order. */
export function preferenceView(p: Preference): Preference {
  return { user_id: p.user_id, category: p.category, name: p.name, value: p.value };
}
