import { describe, expect, it } from 'vitest';
import { parseHashtags } from './hashtags.js';

describe('parseHashtags', () => {
  it('collects hashtags in message order, space separated', () => {
    expect(parseHashtags('release #v2 is out #Launch today')).toBe('#v2 #Launch');
  });

  it('trims surrounding punctuation and collapses repeated #', () => {
    expect(parseHashtags('(#alpha), ##beta! "#gamma."')).toBe('#alpha #beta #gamma');
  });

  it('refuses tags that start with a digit or are one letter; trailing punctuation is trimmed', () => {
    expect(parseHashtags('#1abc #a #ab- #a.b #a_b-c')).toBe('#ab #a.b #a_b-c');
  });

  it('accepts non-latin letters', () => {
    expect(parseHashtags('#café #日本語')).toBe('#café #日本語');
  });

  it('keeps duplicates', () => {
    expect(parseHashtags('#dup and #dup')).toBe('#dup #dup');
  });

  it('returns empty string when there is nothing', () => {
    expect(parseHashtags('no tags here # ## #!')).toBe('');
  });

  it('cuts at a word boundary to stay within 1000 characters', () => {
    const message = Array.from({ length: 200 }, (_, i) => `#tag${i}`).join(' ');
    const result = parseHashtags(message);
    expect(result.length).toBeLessThan(1000);
    expect(result.endsWith(' ')).toBe(false);
    for (const tag of result.split(' ')) expect(tag).toMatch(/^#tag\d+$/);
  });
});
