import { AppError, badRequest } from '#common';
import { SYSTEM_EMOJI_NAMES } from './system-emoji-names.js';

/** A row of the emoji table, also its wire shape (model.Emoji; description is always empty). */
export interface EmojiRow {
  id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  creator_id: string;
  name: string;
}

export interface EmojiView extends EmojiRow {
  description: string;
}

export const emojiView = (row: EmojiRow): EmojiView => ({ ...row, description: '' });

/** app.MaxEmojiFileSize: a larger upload is a 413 before anything is decoded. */
export const MAX_EMOJI_FILE_SIZE = 1 << 20;
/** app.MaxEmojiWidth/Height: larger images are scaled down to fit. */
export const MAX_EMOJI_SIDE = 128;
/** app.MaxEmojiOriginalWidth/Height: larger images are refused (decoding them would cost too much). */
export const MAX_EMOJI_ORIGINAL_SIDE = 1028;
/** api4/emoji.go caps POST /emoji/names at 200 names. */
export const MAX_EMOJI_NAMES = 200;
/** Autocomplete and search answer at most this many (EmojiSearchDefaultLimit-like cap). */
export const EMOJI_SEARCH_LIMIT = 60;

const EMOJI_NAME = /^[a-zA-Z0-9\-+_]+$/;

/** model.IsValidEmojiName: 1–64 of [a-zA-Z0-9_+-], and not a system emoji's name. */
export function assertCustomEmojiName(name: string): void {
  if (name === '' || name.length > 64 || !EMOJI_NAME.test(name)) {
    throw badRequest('model.emoji.name.app_error', 'Name must be 1 to 64 lowercase alphanumeric characters.', `name=${name}`);
  }
  if (SYSTEM_EMOJI_NAMES.has(name)) {
    throw badRequest('model.emoji.system_emoji_name.app_error', 'Name conflicts with an existing system emoji name.', `name=${name}`);
  }
}

export const emojiDisabled = () => new AppError('', 'api.emoji.disabled.app_error', 'Custom emoji have been disabled by the system admin.', 501);
export const emojiTooLarge = () =>
  new AppError('', 'api.emoji.create.too_large.app_error', `Unable to create emoji. Image must be less than ${MAX_EMOJI_FILE_SIZE / 1024} KB in size.`, 413);
export const emojiNotFound = (detail: string) => new AppError('', 'app.emoji.get.no_result', 'Unable to find the emoji.', 404, detail);
export const emojiByNameNotFound = (detail: string) => new AppError('', 'app.emoji.get_by_name.no_result', 'Unable to find the emoji.', 404, detail);

/** The emoji JSON field of the create form (model.EmojiFromJSON); anything else is invalid_param emoji. */
export function parseEmojiField(text: string | undefined): { creator_id: string; name: string } {
  let value: unknown;
  try {
    value = text === undefined ? undefined : JSON.parse(text);
  } catch {
    value = undefined;
  }
  const o = value as Record<string, unknown> | undefined;
  if (!o || typeof o !== 'object' || Array.isArray(o) || typeof o.name !== 'string' || (o.creator_id !== undefined && typeof o.creator_id !== 'string')) {
    throw new AppError('', 'api.context.invalid_body_param.app_error', 'Invalid or missing emoji in request body.', 400, 'emoji');
  }
  return { creator_id: (o.creator_id as string | undefined) ?? '', name: o.name };
}
