import { badRequest, invalidParam } from '#common';
import { bodyObject } from '../../common/params.js';

/** A search request's body (Mattermost's model.SearchParameter), for post and file search alike. */
export interface SearchInput {
  terms: string;
  isOrSearch: boolean;
  timeZoneOffset: number;
  includeDeletedChannels: boolean;
  page: number;
  perPage: number;
}

/** Mattermost's default page of search results (api4 searchPosts / searchFiles). */
export const SEARCH_PER_PAGE_DEFAULT = 60;
/** The most results one page holds: a larger per_page is cut to it. */
export const SEARCH_PER_PAGE_MAX = 200;
/** `modifier` narrows the web app's recent searches; any other value is refused, as in Mattermost. */
const MODIFIERS = ['', 'files', 'messages'];

/**
 * Decodes a search body: `terms` is required and not empty; the rest are optional with
 * Mattermost's defaults. A field of the wrong JSON type is `invalidBodyId` (400), as Go's decoder
 * refuses it.
 */
export function searchInput(body: unknown, invalidBodyId: string): SearchInput {
  const b = bodyObject(body, 'search');
  const invalidBody = () => badRequest(invalidBodyId, 'Unable to parse the search request body.');
  const read = <T>(key: string, kind: 'string' | 'boolean' | 'number'): T | undefined => {
    const value = b[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== kind) throw invalidBody();
    return value as T;
  };
  const terms = read<string>('terms', 'string');
  if (!terms) throw invalidParam('terms');
  const page = read<number>('page', 'number') ?? 0;
  const perPage = read<number>('per_page', 'number') ?? SEARCH_PER_PAGE_DEFAULT;
  if (!Number.isInteger(page) || page < 0) throw invalidParam('page');
  if (!Number.isInteger(perPage) || perPage < 0) throw invalidParam('per_page');
  const timeZoneOffset = read<number>('time_zone_offset', 'number') ?? 0;
  if (!Number.isFinite(timeZoneOffset)) throw invalidParam('time_zone_offset');
  if (!MODIFIERS.includes(read<string>('modifier', 'string') ?? '')) throw invalidParam('modifier');
  return {
    terms,
    isOrSearch: read<boolean>('is_or_search', 'boolean') ?? false,
    timeZoneOffset: Math.trunc(timeZoneOffset),
    includeDeletedChannels: read<boolean>('include_deleted_channels', 'boolean') ?? false,
    page,
    perPage: Math.min(perPage, SEARCH_PER_PAGE_MAX),
  };
}
