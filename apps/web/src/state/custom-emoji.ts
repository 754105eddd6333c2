/**
 * Custom emoji the app has looked up by name (POST /emoji/names), for `:name:` in messages and
 * reactions that are not system emoji. A name the server does not know is remembered as null, so
 * that it is asked about once; `emoji_added` events add new ones.
 */
import type { CustomEmoji } from '@mattermost/types/emojis';

export interface CustomEmojiState {
  /** By name: the emoji, or null when the server has none of that name. */
  byName: Record<string, CustomEmoji | null>;
}

export const initialCustomEmoji: CustomEmojiState = { byName: {} };

/** The answer for `requested` names: those found are stored, the others remembered as missing. */
export function receivedCustomEmoji(state: CustomEmojiState, requested: string[], found: CustomEmoji[]): CustomEmojiState {
  const byName = { ...state.byName };
  for (const name of requested) byName[name] = null;
  for (const emoji of found) if (!emoji.delete_at) byName[emoji.name] = emoji;
  return { byName };
}

/** A new emoji (the `emoji_added` event), which may have been missing until now. */
export function customEmojiAdded(state: CustomEmojiState, emoji: CustomEmoji): CustomEmojiState {
  return { byName: { ...state.byName, [emoji.name]: emoji } };
}

/** The names among `names` never looked up yet. */
export function unknownEmojiNames(state: CustomEmojiState, names: Iterable<string>): string[] {
  return [...new Set(names)].filter((name) => !(name in state.byName));
}

/** The emoji's image, served by this site (so the page's CSP allows it). */
export const customEmojiImageUrl = (id: string): string => `/api/v4/emoji/${encodeURIComponent(id)}/image`;
