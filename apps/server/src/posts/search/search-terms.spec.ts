import { describe, expect, it } from 'vitest';
import { countSearchWords, isEmptySearch, MAX_SEARCH_WORDS, parseSearchTerms, searchTimeRanges, splitSearchWords, startOfDay } from './search-terms.js';

describe('splitSearchWords', () => {
  it('keeps quoted phrases together, with a leading minus', () => {
    expect(splitSearchWords('a "b c" -"d e" f')).toEqual(['a', '"b c"', '-"d e"', 'f']);
  });

  it('treats an unterminated quote as running to the end', () => {
    expect(splitSearchWords('x "y z')).toEqual(['x', '"y', 'z']);
  });
});

describe('parseSearchTerms', () => {
  it('splits plain words, phrases, prefixes and exclusions', () => {
    const p = parseSearchTerms('deploy "release notes" data* -staging -"old build"');
    expect(p.terms).toEqual([
      { text: 'deploy', phrase: false, prefix: false },
      { text: 'release notes', phrase: true, prefix: false },
      { text: 'data', phrase: false, prefix: true },
    ]);
    expect(p.excludedTerms).toEqual([
      { text: 'staging', phrase: false, prefix: false },
      { text: 'old build', phrase: true, prefix: false },
    ]);
  });

  it('separates hashtags, and strips surrounding punctuation', () => {
    const p = parseSearchTerms('(#release), ##urgent -#wip hello!');
    expect(p.hashtags).toEqual(['#release', '#urgent']);
    expect(p.excludedHashtags).toEqual(['#wip']);
    expect(p.terms.map((t) => t.text)).toEqual(['hello']);
  });

  it('reads flags, negated flags and flags whose value is the next word', () => {
    const p = parseSearchTerms(
      'from:@Alice -from:bob in:town-square channel: off-topic -in:~random after:2024-01-02 before: 2024-02-01 on:2024-1-15 -on:2024-01-20 ext:pdf -ext:.TXT',
    );
    expect(p.fromUsers).toEqual(['alice']);
    expect(p.excludedUsers).toEqual(['bob']);
    expect(p.inChannels).toEqual(['town-square', 'off-topic']);
    expect(p.excludedChannels).toEqual(['random']);
    expect(p.afterDate).toBe('2024-01-02');
    expect(p.beforeDate).toBe('2024-02-01');
    expect(p.onDate).toBe('2024-1-15');
    expect(p.excludedOnDate).toBe('2024-01-20');
    expect(p.extensions).toEqual(['pdf']);
    expect(p.excludedExtensions).toEqual(['txt']);
    expect(p.terms).toEqual([]);
  });

  it('flag names are case-insensitive; unknown prefixes are ordinary words', () => {
    const p = parseSearchTerms('FROM:carol meeting:10');
    expect(p.fromUsers).toEqual(['carol']);
    expect(p.terms.map((t) => t.text)).toEqual(['meeting:10']);
  });

  it('a flag with no value at the end is an ordinary word', () => {
    expect(parseSearchTerms('hello from:').terms.map((t) => t.text)).toEqual(['hello', 'from']);
  });

  it('drops lone wildcards and punctuation', () => {
    const p = parseSearchTerms('* ** ... -');
    expect(isEmptySearch(p)).toBe(true);
  });
});

describe('countSearchWords', () => {
  it('counts what becomes query terms: words, words inside phrases, hashtags and flag values', () => {
    expect(countSearchWords('')).toBe(0);
    expect(countSearchWords('hello "big world" #tag from:alice -not')).toBe(7);
    expect(countSearchWords('a-b-c')).toBe(3); // one word, three lexemes in the tsquery
    expect(countSearchWords('ñandú 😀 42')).toBe(2);
  });

  it('stops counting past the limit, so a 30,000-word search costs little to refuse', () => {
    const huge = Array.from({ length: 30_000 }, (_, i) => `w${i}`).join(' ');
    expect(countSearchWords(huge, MAX_SEARCH_WORDS)).toBe(MAX_SEARCH_WORDS + 1);
    expect(countSearchWords(huge)).toBe(30_000);
  });
});

describe('dates', () => {
  it('startOfDay honours the time zone offset (seconds east of UTC)', () => {
    expect(startOfDay('2024-03-10', 0)).toBe(Date.UTC(2024, 2, 10));
    expect(startOfDay('2024-3-1', 3600)).toBe(Date.UTC(2024, 2, 1) - 3600_000);
    expect(startOfDay('2024-02-30', 0)).toBeUndefined();
    expect(startOfDay('yesterday', 0)).toBeUndefined();
  });

  it('after starts the next day, before ends the previous day, on is the whole day', () => {
    const day = 86_400_000;
    const ranges = searchTimeRanges(parseSearchTerms('after:2024-01-10 before:2024-01-20'), 0);
    expect(ranges.include).toEqual({ from: Date.UTC(2024, 0, 11), to: Date.UTC(2024, 0, 20) - 1 });
    const on = searchTimeRanges(parseSearchTerms('on:2024-01-10'), -7200);
    expect(on.include).toEqual({ from: Date.UTC(2024, 0, 10) + 7_200_000, to: Date.UTC(2024, 0, 10) + 7_200_000 + day - 1 });
    const ex = searchTimeRanges(parseSearchTerms('-on:2024-01-10 -after:2024-02-01'), 0);
    expect(ex.exclude).toEqual([{ from: Date.UTC(2024, 1, 2) }, { from: Date.UTC(2024, 0, 10), to: Date.UTC(2024, 0, 11) - 1 }]);
  });

  it('ignores malformed dates', () => {
    expect(searchTimeRanges(parseSearchTerms('after:soon'), 0)).toEqual({ include: {}, exclude: [] });
  });
});
