import { describe, expect, it } from 'vitest';
import { testSearchScope } from '../posts/search/search-scope.fixtures.js';
import type { SearchScope } from '../posts/search/search-query.js';
import { parseSearchTerms } from '../posts/search/search-terms.js';
import { buildFileSearchQuery } from './file-search-query.js';

const scope = testSearchScope;
const build = (terms: string, over: Partial<SearchScope> = {}) => buildFileSearchQuery(parseSearchTerms(terms), scope(over), 'f.id');

describe('buildFileSearchQuery', () => {
  it('searches nothing without words or filters (a lone "*", punctuation)', () => {
    expect(build('*')).toBeUndefined();
    expect(build('  ?! ')).toBeUndefined();
  });

  it('every word is a prefix; a hyphenated word needs all its parts; a phrase keeps its order', () => {
    const q = build('Quarter quarterly-report "annual budget"')!;
    expect(q.sql).toContain(`f.search_vector @@ (to_tsquery('english', $3) && to_tsquery('english', $4) && phraseto_tsquery('english', $5))`);
    expect(q.params.slice(2, 5)).toEqual(['Quarter:*', 'quarterly:* & report:*', 'annual budget']);
  });

  it('OR search joins the words with ||; excluded words and hashtags are words too', () => {
    const q = build('alpha #beta -gamma -#delta', { orTerms: true })!;
    expect(q.sql).toContain(`f.search_vector @@ (to_tsquery('english', $3) || to_tsquery('english', $4))`);
    expect(q.sql).toContain(`NOT (f.search_vector @@ (to_tsquery('english', $5) || to_tsquery('english', $6)))`);
    expect(q.params.slice(2, 6)).toEqual(['alpha:*', 'beta:*', 'gamma:*', 'delta:*']);
  });

  it('only files of live posts in the member channels of the team and its DMs, newest first, paged', () => {
    const q = build('x', { offset: 120, limit: 60 })!;
    expect(q.sql).toMatch(/^SELECT f\.id FROM file_infos f JOIN posts p ON p\.id = f\.post_id JOIN channels c ON c\.id = f\.channel_id WHERE /);
    for (const part of [
      'f.delete_at = 0',
      `f.post_id <> ''`,
      'p.delete_at = 0',
      'EXISTS (SELECT 1 FROM channel_members cm WHERE cm.channel_id = f.channel_id AND cm.user_id = $1)',
      `(c.team_id = $2 OR c.team_id = '')`,
      'c.delete_at = 0',
    ])
      expect(q.sql).toContain(part);
    expect(q.sql).toMatch(/ORDER BY f\.create_at DESC, f\.id DESC LIMIT \$\d+ OFFSET \$\d+$/);
    expect(q.params).toEqual(['user', 'team', 'x:*', 60, 120]);
  });

  it('every team without a team filter; archived channels when asked', () => {
    const q = build('x', { teamId: null, includeDeletedChannels: true })!;
    expect(q.sql).not.toContain('c.team_id');
    expect(q.sql).not.toContain('c.delete_at');
  });

  it('ext: and -ext: filter on the stored extension; a filter alone is a search', () => {
    const q = build('ext:PDF -ext:.txt')!;
    expect(q.sql).toContain('f.extension = ANY($3)');
    expect(q.sql).toContain('NOT (f.extension = ANY($4))');
    expect(q.sql).not.toContain('search_vector');
    expect(q.params.slice(2, 4)).toEqual([['pdf'], ['txt']]);
  });

  it('resolved from: and in: and the dates narrow by uploader, channel and upload time', () => {
    const q = build('x after:2024-01-01 -on:2024-01-05', { fromUserIds: ['u1'], excludedUserIds: ['u2'], inChannelIds: ['c1'], excludedChannelIds: ['c2'] })!;
    for (const part of [
      'f.creator_id = ANY($4)',
      'NOT (f.creator_id = ANY($5))',
      'f.channel_id = ANY($6)',
      'NOT (f.channel_id = ANY($7))',
      'f.create_at >= $8',
      'NOT (f.create_at >= $9 AND f.create_at <= $10)',
    ])
      expect(q.sql).toContain(part);
    expect(q.params.slice(7, 10)).toEqual([Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 5), Date.UTC(2024, 0, 6) - 1]);
    // A from: that resolved to nobody still filters: it finds nothing rather than everything.
    expect(build('from:ghost', { fromUserIds: [] })!.sql).toContain('f.creator_id = ANY($3)');
  });

  it('never splices the searched text into the SQL', () => {
    const q = build(`robert'); DROP TABLE file_infos; -- "it's" ext:x'y`)!;
    expect(q.sql).not.toMatch(/robert|DROP|it's|x'y/);
    expect(q.params).toContain('robert:*');
  });
});
