import { badRequest } from '#common';

/** A reactions row (the table keeps live reactions only; removal deletes the row). */
export interface ReactionRow {
  user_id: string;
  post_id: string;
  emoji_name: string;
  channel_id: string;
  create_at: number;
}

/** The wire shape of model.Reaction. */
export interface ReactionView {
  user_id: string;
  post_id: string;
  emoji_name: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  remote_id: string;
  channel_id: string;
}

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

export function reactionView(row: ReactionRow, deletedAt = 0): ReactionView {
  return {
    user_id: row.user_id,
    post_id: row.post_id,
    emoji_name: row.emoji_name,
    create_at: row.create_at,
    update_at: deletedAt || row.create_at,
    delete_at: deletedAt,
    remote_id: '',
    channel_id: row.channel_id,
  };
}
