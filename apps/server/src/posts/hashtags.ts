/**
 * Hashtag extraction as Mattermost does it (model.ParseHashtags): words are trimmed of surrounding
 * punctuation, repeated leading `#`s collapse to one, and a hashtag is `#` + a letter, then letters,
 * digits, `-`, `_` or `.`, ending on a letter or digit. The result is space-separated, at most 1000
 * characters (cut at a word boundary), and keeps duplicates in message order.
 */

const PUNCTUATION_START = /^[^\p{L}\p{N}\s#]+/u;
const PUNCTUATION_END = /[^\p{L}\p{N}\s]+$/u;
const REPEATED_HASH = /^#{2,}/u;
export const VALID_HASHTAG = /^#\p{L}[\p{L}\p{N}\-_.]*[\p{L}\p{N}]$/u;

export const HASHTAGS_MAX_LENGTH = 1000;

/** A word as the hashtag rules see it, or '' when nothing is left after trimming. */
export function normalizeHashtagWord(word: string): string {
  return word.replace(PUNCTUATION_START, '').replace(PUNCTUATION_END, '').replace(REPEATED_HASH, '#');
}

export function isHashtag(word: string): boolean {
  return VALID_HASHTAG.test(word);
}

export function parseHashtags(message: string): string {
  const tags: string[] = [];
  for (const raw of message.split(/\s+/u)) {
    const word = normalizeHashtagWord(raw);
    if (isHashtag(word)) tags.push(word);
  }
  let joined = tags.join(' ');
  if (joined.length > HASHTAGS_MAX_LENGTH) {
    joined = joined.slice(0, HASHTAGS_MAX_LENGTH - 1);
    const lastSpace = joined.lastIndexOf(' ');
    joined = lastSpace > -1 ? joined.slice(0, lastSpace) : '';
  }
  return joined;
}
