import { badRequest } from '#common';

export const EMOJI_NAME_MAX_LENGTH = 64;
const EMOJI_NAME = /^[a-zA-Z0-9\-+_]+$/;
/** ServiceSettings.UniqueEmojiReactionLimitPerPost's default. */
export const UNIQUE_EMOJI_REACTIONS_PER_POST = 50;

export function isValidEmojiName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= EMOJI_NAME_MAX_LENGTH && EMOJI_NAME.test(name);
}

export function assertValidEmojiName(name: string): void {
  if (!isValidEmojiName(name)) {
    throw badRequest('model.reaction.is_valid.emoji_name.app_error', 'Invalid emoji name.', `emoji_name=${name}`);
  }
}
