import type { SearchScope } from './search-query.js';

/** A search scope for query-builder specs (post and file search): one user's team, no filters, the first page. */
export const testSearchScope = (over: Partial<SearchScope> = {}): SearchScope => ({
  userId: 'user',
  teamId: 'team',
  orTerms: false,
  includeDeletedChannels: false,
  timeZoneOffset: 0,
  fromUserIds: null,
  excludedUserIds: [],
  inChannelIds: null,
  excludedChannelIds: [],
  offset: 0,
  limit: 60,
  ...over,
});
