/**
 * Who a message mentions, following Mattermost's keyword model (app/notification.go): `@username`,
 * a user's custom mention keys, their first name when they opted in, and the channel-wide
 * `@channel` / `@all` / `@here` (the last only reaches members who are online). Text inside code
 * spans and fences never mentions anyone. Pure: the caller supplies the channel's members.
 */

export interface MentionMember {
  userId: string;
  username: string;
  firstName: string;
  /** users.notify_props: `mention_keys` (comma-separated), `first_name`, `channel`. */
  userNotifyProps: Record<string, string>;
  /** channel_members.notify_props: `ignore_channel_mentions` ('on' | 'off' | 'default'). */
  channelNotifyProps: Record<string, string>;
  online: boolean;
}

export interface MentionOptions {
  /** Never mentioned, unless `mentionPoster` (a webhook's post notifies its owner too, as in Mattermost). */
  posterId: string;
  mentionPoster?: boolean;
  /** False when the poster lacks use_channel_mentions or the channel is too large. */
  allowChannelMentions: boolean;
}

export interface MentionResult {
  /** Mentioned user ids, never the poster. */
  userIds: string[];
  /** How each was mentioned: by a keyword of theirs (`@name`, a mention key, the first name) or by `@channel`/`@all`/`@here`. */
  kinds: Map<string, 'keyword' | 'channel'>;
  channelMentioned: boolean;
  allMentioned: boolean;
  hereMentioned: boolean;
}

const CODE_FENCE = /```[\s\S]*?(?:```|$)/g;
const CODE_SPAN = /`[^`\n]*`/g;
// Mattermost splits on every rune that is not a letter, digit or one of : . - _ @
const WORD = /[\p{L}\p{N}:.\-_@]+/gu;
const TRAILING_PUNCTUATION = /[:.\-_]+$/u;

export function stripCode(message: string): string {
  return message.replace(CODE_FENCE, ' ').replace(CODE_SPAN, ' ');
}

/** Lower-cased keys (`@username`, custom keys) and case-sensitive first names, to user ids. */
interface Keywords {
  insensitive: Map<string, Set<string>>;
  firstNames: Map<string, Set<string>>;
}

function addKey(map: Map<string, Set<string>>, key: string, userId: string) {
  if (!key) return;
  let ids = map.get(key);
  if (!ids) map.set(key, (ids = new Set()));
  ids.add(userId);
}

function buildKeywords(members: readonly MentionMember[]): Keywords {
  const keywords: Keywords = { insensitive: new Map(), firstNames: new Map() };
  for (const m of members) {
    addKey(keywords.insensitive, `@${m.username.toLowerCase()}`, m.userId);
    for (const key of (m.userNotifyProps.mention_keys ?? '').split(',')) {
      addKey(keywords.insensitive, key.trim().toLowerCase(), m.userId);
    }
    if (m.userNotifyProps.first_name === 'true' && m.firstName) addKey(keywords.firstNames, m.firstName, m.userId);
  }
  return keywords;
}

/** A word and the same word with trailing punctuation removed ("@bob." also tries "@bob"). */
function variants(word: string): string[] {
  const trimmed = word.replace(TRAILING_PUNCTUATION, '');
  return trimmed && trimmed !== word ? [word, trimmed] : [word];
}

/** Members who take part in @channel/@all/@here unless they or the channel opted out. */
function acceptsChannelMentions(m: MentionMember): boolean {
  if (m.channelNotifyProps.ignore_channel_mentions === 'on') return false;
  if (m.channelNotifyProps.ignore_channel_mentions === 'off') return true;
  return m.userNotifyProps.channel !== 'false';
}

/**
 * Keywords by member list: a channel's list is reused from a cache for many posts (and replaced,
 * never changed, when it reloads), so its keywords are built once, not once per post.
 */
const keywordsByList = new WeakMap<readonly MentionMember[], Keywords>();

function keywordsOf(members: readonly MentionMember[]): Keywords {
  let keywords = keywordsByList.get(members);
  if (!keywords) keywordsByList.set(members, (keywords = buildKeywords(members)));
  return keywords;
}

/** `members` must not change after it was given here (its keywords are kept with it). */
export function findMentions(message: string, members: readonly MentionMember[], options: MentionOptions): MentionResult {
  const keywords = keywordsOf(members);
  const mentioned = new Set<string>();
  const result: MentionResult = { userIds: [], kinds: new Map(), channelMentioned: false, allMentioned: false, hereMentioned: false };

  for (const word of stripCode(message).match(WORD) ?? []) {
    for (const candidate of variants(word)) {
      const lower = candidate.toLowerCase();
      const byKey = keywords.insensitive.get(lower);
      const byFirstName = keywords.firstNames.get(candidate);
      for (const id of byKey ?? []) mentioned.add(id);
      for (const id of byFirstName ?? []) mentioned.add(id);
      if (lower === '@channel') result.channelMentioned = true;
      else if (lower === '@all') result.allMentioned = true;
      else if (lower === '@here') result.hereMentioned = true;
      if (byKey || byFirstName) break;
    }
  }

  for (const id of mentioned) result.kinds.set(id, 'keyword');
  if (options.allowChannelMentions && (result.channelMentioned || result.allMentioned || result.hereMentioned)) {
    const everyone = result.channelMentioned || result.allMentioned;
    for (const m of members) {
      if (!acceptsChannelMentions(m) || result.kinds.has(m.userId)) continue;
      if (everyone || m.online) result.kinds.set(m.userId, 'channel');
    }
  }
  if (!options.mentionPoster) result.kinds.delete(options.posterId);
  result.userIds = [...result.kinds.keys()];
  return result;
}
