import { lexemes, Params, SearchScope, SqlQuery } from '../posts/search/search-query.js';
import { ParsedSearch, SearchTerm, searchTimeRanges } from '../posts/search/search-terms.js';

/**
 * Turns a parsed search into one PostgreSQL query over `file_infos.search_vector` (English
 * stemming of the file name, of the name with `.` `,` `-` as spaces, and of the extracted
 * content), as Mattermost's SqlFileInfoStore.Search matches the name, the split name and the
 * content. Only files of live posts in channels the searcher belongs to; newest first. Every
 * value is a bind parameter; the only user text spliced into a tsquery string is reduced to
 * letters and digits first. Pure, so it is unit-tested.
 */

/**
 * A word matches as a prefix, as in Mattermost's file search (every term gets `:*`), so
 * "quarter" finds "quarterly-report.pdf"; a hyphenated word needs all its parts. A quoted phrase
 * matches its words in order.
 */
function termQuery(term: SearchTerm, params: Params): string | undefined {
  if (term.phrase) return `phraseto_tsquery('english', ${params.add(term.text)})`;
  const parts = lexemes(term.text);
  if (parts.length === 0) return undefined;
  return `to_tsquery('english', ${params.add(parts.map((part) => `${part}:*`).join(' & '))})`;
}

/** Hashtags have no meaning for files: Mattermost's file search takes them as words. */
const hashtagWord = (tag: string): SearchTerm => ({ text: tag.replace(/^#+/, ''), phrase: false, prefix: true });

/**
 * The query selecting `columns` from `file_infos f JOIN posts p JOIN channels c`; undefined when
 * the search can match nothing (no words and no filters, e.g. a lone "*").
 */
export function buildFileSearchQuery(parsed: ParsedSearch, scope: SearchScope, columns: string): SqlQuery | undefined {
  const params = new Params();
  const where: string[] = [
    // The partial index's predicate: files of a post, not deleted with it.
    'f.delete_at = 0',
    `f.post_id <> ''`,
    'p.delete_at = 0',
    `EXISTS (SELECT 1 FROM channel_members cm WHERE cm.channel_id = f.channel_id AND cm.user_id = ${params.add(scope.userId)})`,
  ];
  if (scope.teamId !== null) where.push(`(c.team_id = ${params.add(scope.teamId)} OR c.team_id = '')`);
  if (!scope.includeDeletedChannels) where.push('c.delete_at = 0');

  const filters: string[] = [];
  const terms = [...parsed.terms, ...parsed.hashtags.map(hashtagWord)].map((t) => termQuery(t, params)).filter((q) => q !== undefined);
  if (terms.length > 0) filters.push(`f.search_vector @@ (${terms.join(scope.orTerms ? ' || ' : ' && ')})`);
  const excluded = [...parsed.excludedTerms, ...parsed.excludedHashtags.map(hashtagWord)].map((t) => termQuery(t, params)).filter((q) => q !== undefined);
  if (excluded.length > 0) filters.push(`NOT (f.search_vector @@ (${excluded.join(' || ')}))`);

  if (parsed.extensions.length > 0) filters.push(`f.extension = ANY(${params.add(parsed.extensions)})`);
  if (parsed.excludedExtensions.length > 0) filters.push(`NOT (f.extension = ANY(${params.add(parsed.excludedExtensions)}))`);
  if (scope.fromUserIds) filters.push(`f.creator_id = ANY(${params.add(scope.fromUserIds)})`);
  if (scope.excludedUserIds.length > 0) filters.push(`NOT (f.creator_id = ANY(${params.add(scope.excludedUserIds)}))`);
  if (scope.inChannelIds) filters.push(`f.channel_id = ANY(${params.add(scope.inChannelIds)})`);
  if (scope.excludedChannelIds.length > 0) filters.push(`NOT (f.channel_id = ANY(${params.add(scope.excludedChannelIds)}))`);

  const ranges = searchTimeRanges(parsed, scope.timeZoneOffset);
  if (ranges.include.from !== undefined) filters.push(`f.create_at >= ${params.add(ranges.include.from)}`);
  if (ranges.include.to !== undefined) filters.push(`f.create_at <= ${params.add(ranges.include.to)}`);
  for (const range of ranges.exclude) {
    const bounds: string[] = [];
    if (range.from !== undefined) bounds.push(`f.create_at >= ${params.add(range.from)}`);
    if (range.to !== undefined) bounds.push(`f.create_at <= ${params.add(range.to)}`);
    filters.push(`NOT (${bounds.join(' AND ')})`);
  }
  if (filters.length === 0) return undefined;

  const sql =
    `SELECT ${columns} FROM file_infos f JOIN posts p ON p.id = f.post_id JOIN channels c ON c.id = f.channel_id ` +
    `WHERE ${[...where, ...filters].join(' AND ')} ` +
    `ORDER BY f.create_at DESC, f.id DESC LIMIT ${params.add(scope.limit)} OFFSET ${params.add(scope.offset)}`;
  return { sql, params: params.values };
}
