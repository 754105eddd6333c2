import { ParsedSearch, SearchTerm, searchTimeRanges } from './search-terms.js';

/**
 * Turns a parsed search into one PostgreSQL query over `posts.search_vector` (English stemming
 * of the message plus the hashtags). Every value travels as a bind parameter; the only user text
 * spliced into a tsquery string is reduced to letters and digits first. Pure, so it is unit-tested.
 */

export interface SearchScope {
  userId: string;
  /** Team search also covers the user's DMs and GMs (team_id ''); null searches every team. */
  teamId: string | null;
  orTerms: boolean;
  includeDeletedChannels: boolean;
  timeZoneOffset: number;
  /** Resolved `from:` users; null when the search has no `from:`. */
  fromUserIds: string[] | null;
  excludedUserIds: string[];
  /** Resolved `in:` channels; null when the search has no `in:`. */
  inChannelIds: string[] | null;
  excludedChannelIds: string[];
  offset: number;
  limit: number;
}

export interface SqlQuery {
  sql: string;
  params: unknown[];
}

/** Bind parameters collected while a query is written: `add` answers the placeholder. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Letters and digits of a word, for splicing into a to_tsquery string. */
export function lexemes(text: string): string[] {
  return text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** The tsquery expression for one term, or undefined when nothing searchable is left. */
function termQuery(term: SearchTerm, params: Params): string | undefined {
  if (term.prefix) {
    const parts = lexemes(term.text);
    if (parts.length === 0) return undefined;
    const query = parts.map((part, i) => (i === parts.length - 1 ? `${part}:*` : part)).join(' & ');
    return `to_tsquery('english', ${params.add(query)})`;
  }
  // Phrase semantics also suit single words, and keep hyphenated words together.
  return `phraseto_tsquery('english', ${params.add(term.text)})`;
}

function hashtagClause(tag: string, params: Params): string {
  return `${params.add(tag.toLowerCase())} = ANY(string_to_array(lower(p.hashtags), ' '))`;
}

/**
 * The full query selecting `columns` from `posts p JOIN channels c` plus `joins`; undefined when
 * the search can match nothing (no terms and no filters).
 */
export function buildSearchQuery(parsed: ParsedSearch, scope: SearchScope, columns: string, joins = ''): SqlQuery | undefined {
  const params = new Params();
  const where: string[] = [
    'p.delete_at = 0',
    `p.type NOT LIKE 'system\\_%'`,
    `EXISTS (SELECT 1 FROM channel_members cm WHERE cm.channel_id = p.channel_id AND cm.user_id = ${params.add(scope.userId)})`,
  ];
  if (scope.teamId !== null) where.push(`(c.team_id = ${params.add(scope.teamId)} OR c.team_id = '')`);
  if (!scope.includeDeletedChannels) where.push('c.delete_at = 0');

  const positives: string[] = [];
  const termQueries = parsed.terms.map((t) => termQuery(t, params)).filter((q): q is string => q !== undefined);
  if (termQueries.length > 0) {
    positives.push(`p.search_vector @@ (${termQueries.join(scope.orTerms ? ' || ' : ' && ')})`);
  }
  for (const tag of parsed.hashtags) positives.push(hashtagClause(tag, params));
  if (positives.length > 0) where.push(positives.length === 1 ? positives[0] : `(${positives.join(scope.orTerms ? ' OR ' : ' AND ')})`);

  const excluded = parsed.excludedTerms.map((t) => termQuery(t, params)).filter((q): q is string => q !== undefined);
  if (excluded.length > 0) where.push(`NOT (p.search_vector @@ (${excluded.join(' || ')}))`);
  for (const tag of parsed.excludedHashtags) where.push(`NOT (${hashtagClause(tag, params)})`);

  if (scope.fromUserIds) where.push(`p.user_id = ANY(${params.add(scope.fromUserIds)})`);
  if (scope.excludedUserIds.length > 0) where.push(`NOT (p.user_id = ANY(${params.add(scope.excludedUserIds)}))`);
  if (scope.inChannelIds) where.push(`p.channel_id = ANY(${params.add(scope.inChannelIds)})`);
  if (scope.excludedChannelIds.length > 0) where.push(`NOT (p.channel_id = ANY(${params.add(scope.excludedChannelIds)}))`);

  const ranges = searchTimeRanges(parsed, scope.timeZoneOffset);
  if (ranges.include.from !== undefined) where.push(`p.create_at >= ${params.add(ranges.include.from)}`);
  if (ranges.include.to !== undefined) where.push(`p.create_at <= ${params.add(ranges.include.to)}`);
  for (const range of ranges.exclude) {
    const bounds: string[] = [];
    if (range.from !== undefined) bounds.push(`p.create_at >= ${params.add(range.from)}`);
    if (range.to !== undefined) bounds.push(`p.create_at <= ${params.add(range.to)}`);
    where.push(`NOT (${bounds.join(' AND ')})`);
  }

  const filtered =
    positives.length > 0 ||
    excluded.length > 0 ||
    parsed.excludedHashtags.length > 0 ||
    scope.fromUserIds !== null ||
    scope.excludedUserIds.length > 0 ||
    scope.inChannelIds !== null ||
    scope.excludedChannelIds.length > 0 ||
    ranges.include.from !== undefined ||
    ranges.include.to !== undefined ||
    ranges.exclude.length > 0;
  if (!filtered) return undefined;

  const sql =
    `SELECT ${columns} FROM posts p JOIN channels c ON c.id = p.channel_id ${joins} ` +
    `WHERE ${where.join(' AND ')} ` +
    `ORDER BY p.create_at DESC, p.id DESC LIMIT ${params.add(scope.limit)} OFFSET ${params.add(scope.offset)}`;
  return { sql, params: params.values };
}

/**
 * The words of a post that a search matched, for highlighting (the `matches` of the response):
 * message words starting with a searched word (stemming makes "cats" match "cat"), whole phrases,
 * and the searched hashtags the post carries.
 */
export function matchedWords(message: string, hashtags: string, parsed: ParsedSearch): string[] {
  const found = new Set<string>();
  const words = message.match(/[\p{L}\p{N}_\-.']+/gu) ?? [];
  const lowerMessage = message.toLowerCase();
  for (const term of parsed.terms) {
    const text = term.text.toLowerCase();
    if (term.phrase) {
      const at = lowerMessage.indexOf(text);
      if (at !== -1) found.add(message.slice(at, at + text.length));
      continue;
    }
    const stem = lexemes(text).join('');
    if (!stem) continue;
    for (const word of words) {
      const lowerWord = word.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
      if (lowerWord.startsWith(stem)) found.add(word.replace(/[.']+$/u, ''));
    }
  }
  const postTags = new Set(hashtags.toLowerCase().split(' ').filter(Boolean));
  for (const tag of parsed.hashtags) if (postTags.has(tag.toLowerCase())) found.add(tag);
  return [...found];
}
