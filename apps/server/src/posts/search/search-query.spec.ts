import { describe, expect, it } from 'vitest';
import { testSearchScope } from './search-scope.fixtures.js';
import { buildSearchQuery, lexemes, matchedWords, SearchScope } from './search-query.js';
import { parseSearchTerms } from './search-terms.js';

const scope = testSearchScope;

describe('buildSearchQuery', () => {
  it('ANDs terms into one tsquery and binds every value', () => {
    const q = buildSearchQuery(parseSearchTerms('deploy "release notes" data*'), scope(), 'p.id')!;
    expect(q.sql).toContain(`p.search_vector @@ (phraseto_tsquery('english', $3) && phraseto_tsquery('english', $4) && to_tsquery('english', $5))`);
    expect(q.params).toEqual(['user', 'team', 'deploy', 'release notes', 'data:*', 60, 0]);
  });

  it('ORs terms and hashtags for is_or_search', () => {
    const q = buildSearchQuery(parseSearchTerms('alpha beta #gamma'), scope({ orTerms: true }), 'p.id')!;
    expect(q.sql).toContain(
      `(p.search_vector @@ (phraseto_tsquery('english', $3) || phraseto_tsquery('english', $4)) OR $5 = ANY(string_to_array(lower(p.hashtags), ' ')))`,
    );
    expect(q.params).toContain('#gamma');
  });

  it('scopes to member channels, the team plus DMs, live channels, newest first', () => {
    const q = buildSearchQuery(parseSearchTerms('x'), scope(), 'p.id')!;
    expect(q.sql).toContain('cm.user_id = $1');
    expect(q.sql).toContain(`(c.team_id = $2 OR c.team_id = '')`);
    expect(q.sql).toContain('c.delete_at = 0');
    expect(q.sql).toContain(`p.type NOT LIKE 'system\\_%'`);
    expect(q.sql).toMatch(/ORDER BY p\.create_at DESC, p\.id DESC LIMIT \$\d+ OFFSET \$\d+$/);
    const all = buildSearchQuery(parseSearchTerms('x'), scope({ teamId: null, includeDeletedChannels: true }), 'p.id')!;
    expect(all.sql).not.toContain('c.team_id');
    expect(all.sql).not.toContain('c.delete_at');
  });

  it('applies exclusions and filters', () => {
    const q = buildSearchQuery(
      parseSearchTerms('report -draft -#wip after:2024-01-01 -on:2024-01-05'),
      scope({ fromUserIds: ['u1'], excludedUserIds: ['u2'], inChannelIds: ['c1'], excludedChannelIds: ['c2'] }),
      'p.id',
    )!;
    expect(q.sql).toContain(`NOT (p.search_vector @@ (phraseto_tsquery('english',`);
    expect(q.sql).toContain(`NOT ($`);
    expect(q.sql).toContain('p.user_id = ANY(');
    expect(q.sql).toContain('NOT (p.user_id = ANY(');
    expect(q.sql).toContain('p.channel_id = ANY(');
    expect(q.sql).toContain('NOT (p.channel_id = ANY(');
    expect(q.params).toContain(Date.UTC(2024, 0, 2));
    expect(q.params).toContain(Date.UTC(2024, 0, 5));
    expect(q.params).toContain('#wip');
  });

  it('filters alone are a valid search; nothing at all is not', () => {
    expect(buildSearchQuery(parseSearchTerms('from:alice'), scope({ fromUserIds: ['a'] }), 'p.id')).toBeDefined();
    expect(buildSearchQuery(parseSearchTerms('*'), scope(), 'p.id')).toBeUndefined();
  });

  it('never splices raw text into a tsquery string', () => {
    const q = buildSearchQuery(parseSearchTerms(`it's'):* | !x*`), scope(), 'p.id')!;
    for (const value of q.params) if (typeof value === 'string' && value.endsWith(':*')) expect(value).toMatch(/^[\p{L}\p{N} &]+:\*$/u);
  });
});

describe('lexemes', () => {
  it('keeps letters and digits only', () => {
    expect(lexemes("foo-bar's 42!")).toEqual(['foo', 'bar', 's', '42']);
  });
});

describe('matchedWords', () => {
  it('returns message words a term matched, phrases and hashtags', () => {
    const parsed = parseSearchTerms('cat "big dog" run* #pets');
    expect(matchedWords('Cats and a Big Dog were running. #pets', '#pets', parsed).sort()).toEqual(['#pets', 'Big Dog', 'Cats', 'running'].sort());
  });

  it('returns an empty list when nothing lines up', () => {
    expect(matchedWords('hello', '', parseSearchTerms('from:someone'))).toEqual([]);
  });
});
