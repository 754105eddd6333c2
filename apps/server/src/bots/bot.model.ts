import { AppError, badRequest, notFound, runeCount } from '#common';

/** A bots row: what a bot has beyond its user (model.Bot's stored half). */
export interface BotRow {
  user_id: string;
  description: string;
  /** A user id, or a plugin's id for a plugin's bot. */
  owner_id: string;
  last_icon_update: number;
  create_at: number;
  update_at: number;
  delete_at: number;
}

/** A bot as the API shows it: its row with the user's username and first name (model.Bot). */
export interface Bot extends BotRow {
  username: string;
  display_name: string;
}

/** BotPatch: what POST /bots and PUT /bots/{id} may set. */
export interface BotPatch {
  username?: string;
  display_name?: string;
  description?: string;
}

/** model.BotDescriptionMaxRunes; the display name is the user's first name (64 runes). */
export const BOT_DESCRIPTION_MAX_RUNES = 1024;
export const BOT_DISPLAY_NAME_MAX_RUNES = 64;

/**
 * The wire shape: display_name, description and last_icon_update are left out when empty, as
 * Mattermost's omitempty does.
 */
export function botView(bot: Bot) {
  return {
    user_id: bot.user_id,
    username: bot.username,
    ...(bot.display_name ? { display_name: bot.display_name } : {}),
    ...(bot.description ? { description: bot.description } : {}),
    owner_id: bot.owner_id,
    ...(bot.last_icon_update ? { last_icon_update: bot.last_icon_update } : {}),
    create_at: bot.create_at,
    update_at: bot.update_at,
    delete_at: bot.delete_at,
  };
}

/**
 * Mattermost answers a missing bot and a bot the caller may not see alike (MakeBotNotFoundError),
 * so that the answer does not tell that a user is a bot.
 */
export function botNotFound(userId: string): AppError {
  return notFound('store.sql_bot.get.missing.app_error', 'Unable to find the bot.', `user_id=${userId}`);
}

/** Bot.IsValidCreate's checks on what a patch can change (the username is checked as a user's). */
export function validateBotFields(bot: Pick<Bot, 'display_name' | 'description'>): void {
  // Mattermost reports an over-long display name with the user_id error id.
  if (runeCount(bot.display_name) > BOT_DISPLAY_NAME_MAX_RUNES) throw badRequest('model.bot.is_valid.user_id.app_error', 'Invalid display name.');
  if (runeCount(bot.description) > BOT_DESCRIPTION_MAX_RUNES) throw badRequest('model.bot.is_valid.description.app_error', 'Invalid description.');
}
