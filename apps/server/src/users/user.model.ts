import { badRequest, isUnstorableText, runeCount } from '#common';
import { Config } from '#config';

/** A users row; the wire shape is this minus secrets (see sanitizeUser). */
export interface UserRow {
  id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  username: string;
  password: string;
  auth_data: string | null;
  auth_service: string;
  email: string;
  email_verified: boolean;
  nickname: string;
  first_name: string;
  last_name: string;
  position: string;
  roles: string;
  locale: string;
  notify_props: Record<string, string>;
  props: Record<string, string>;
  timezone: Record<string, string>;
  last_password_update: number;
  last_picture_update: number;
  failed_attempts: number;
  mfa_active: boolean;
  is_bot: boolean;
  /** A bot's description and icon time (its bots row), read with the user; absent or null for people. */
  bot_description?: string | null;
  bot_last_icon_update?: number | null;
}

export type PublicUser = Omit<UserRow, 'password'>;

export function defaultNotifyProps(): Record<string, string> {
  return {
    email: 'true',
    push: 'mention',
    desktop: 'mention',
    desktop_sound: 'true',
    mention_keys: '',
    channel: 'true',
    first_name: 'false',
    comments: 'never',
    push_status: 'online',
    desktop_threads: 'all',
    email_threads: 'all',
    push_threads: 'all',
    auto_responder_active: 'false',
  };
}

export function defaultTimezone(): Record<string, string> {
  return { useAutomaticTimezone: 'true', automaticTimezone: '', manualTimezone: '' };
}

/**
 * What a viewer may see of a user (model.User.Sanitize + SanitizeProfile): never the password;
 * others don't see auth data, and see email/full name only as PrivacySettings allow.
 */
export function sanitizeUser(user: UserRow, opts: { self: boolean; admin: boolean; config: Config }): PublicUser {
  const { password: _password, bot_description, bot_last_icon_update, ...fields } = user;
  // Sent for bots only, and left out when empty (Mattermost's omitempty).
  const rest: PublicUser = { ...fields, ...(bot_description ? { bot_description } : {}), ...(bot_last_icon_update ? { bot_last_icon_update } : {}) };
  if (opts.self || opts.admin) return rest;
  const privacy = opts.config.PrivacySettings;
  return {
    ...rest,
    auth_data: '',
    email: privacy.ShowEmailAddress ? rest.email : '',
    first_name: privacy.ShowFullName ? rest.first_name : '',
    last_name: privacy.ShowFullName ? rest.last_name : '',
    notify_props: {},
    failed_attempts: 0,
    last_password_update: 0,
  } as PublicUser;
}

const RESERVED_USERNAMES = new Set(['all', 'channel', 'here', 'matterbot', 'system', 'someone']);

function invalid(field: string, userId = ''): never {
  throw badRequest(`model.user.is_valid.${field}.app_error`, `Invalid ${field.replace(/_/g, ' ')}.`, userId ? `user_id=${userId}` : '');
}

export function isValidUsername(username: string): boolean {
  return /^[a-z][a-z0-9.\-_]{2,63}$/.test(username) && !RESERVED_USERNAMES.has(username);
}

export function isValidEmail(email: string): boolean {
  return email.length <= 128 && /^[^\s@<>]+@[^\s@<>]+$/.test(email);
}

/** model.UserTimezoneMaxRunes: the timezone map, as JSON. */
export const USER_TIMEZONE_MAX_RUNES = 256;

type ValidatedUser = Pick<UserRow, 'id' | 'username' | 'email' | 'nickname' | 'first_name' | 'last_name' | 'position' | 'locale' | 'timezone'>;

/**
 * model.User.IsValid, for the fields we store. Text PostgreSQL cannot store (a NUL, an unpaired
 * surrogate; Mattermost answers those with a 500 from the database) is refused with the field's
 * own IsValid error.
 */
export function validateUser(u: ValidatedUser) {
  if (!isValidUsername(u.username)) invalid('username', u.id);
  if (!isValidEmail(u.email) || isUnstorableText(u.email)) invalid('email', u.id);
  const limits = [
    ['nickname', 64],
    ['first_name', 64],
    ['last_name', 64],
    ['position', 128],
    ['locale', 5],
  ] as const;
  for (const [field, max] of limits) {
    if (u[field].length > max || isUnstorableText(u[field])) invalid(field, u.id);
  }
  if (runeCount(JSON.stringify(u.timezone ?? {})) > USER_TIMEZONE_MAX_RUNES) invalid('timezone_limit', u.id);
}

/**
 * User.GetDisplayNameWithPrefix: the name a format (TeammateNameDisplay, or `username` when full
 * names are private) shows, the username with `prefix` when the format or a missing name falls
 * back to it.
 */
export function userDisplayName(user: Pick<UserRow, 'username' | 'first_name' | 'last_name' | 'nickname'>, format: string, prefix = ''): string {
  const full = [user.first_name, user.last_name].filter(Boolean).join(' ');
  if (format === 'nickname_full_name' && (user.nickname || full)) return user.nickname || full;
  if (format === 'full_name' && full) return full;
  return prefix + user.username;
}
