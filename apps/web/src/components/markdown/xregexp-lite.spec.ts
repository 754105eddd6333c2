import XRegExp from 'xregexp';
import { describe, expect, it } from 'vitest';
import lite, { toNativeSource } from './xregexp-lite';

/**
 * Patterns of the kinds @mattermost/commonmark gives XRegExp.cache (Unicode letter classes in
 * both spellings, quantified shorthands, wide character classes, lookaheads, the i flag), each
 * matched by the real XRegExp and by the native stand-in the bundle uses, on text in several scripts.
 */
const PATTERNS: [string, string?][] = [
  ['^#(\\pL[\\pL\\d\\-_.]*[\\pL\\d])'],
  ['^[\\pL\\d.\\-]+[.]\\pL{2,4}(?=$|[^\\p{L}])'],
  ["^(?:[\\p{L}\\p{Nd}!#$%&'*+\\-\\/=?^_`{|}~](?:[\\p{L}\\p{Nd}!#$%&'*+\\-\\/=?^_`{|}~]|\\.(?!\\.|@))*)@"],
  ['^(?:[A-Za-z][A-Za-z\\d-.+]*:(?:\\/{1,3}|[\\pL\\d%])|www\\d{0,3}[.])(?:[^\\s`!()\\[\\]{;:\'",<>?«»“”‘’*_]|[*_]+(?=[^_*\\s]))+', 'i'],
  ['^(?:[\\p{L}\\p{Nd}_](?:[\\p{L}\\p{Nd}_]|\\.(?!\\.|@))*|\\"[\\p{L}\\s(),:;<>@\\[\\]]+\\")@'],
  ['^[\\w\\p{L}-.]+|^[.-\\pL]+'],
  ['^[\\s\\S]+?(?=[\\n`\\[\\]\\\\!<&*_\'"@:;xX~#$]|[a-z][a-z0-9.+-]{1,31}:|www\\d{0,3}\\.|$)'],
];

const SAMPLES = [
  '#release-2.0 notes',
  '#überraschung!',
  '#日本語 text',
  'mail.example.com/path',
  'münchen.de rest',
  'first.last+tag@example.com',
  'ünïcødé@example.org',
  'https://example.com/a_(b)?c=1.',
  'WWW.example.com/x',
  'ftp://files.example.net/ü',
  'plain text then @mention',
  'Привет мир :smile:',
  '"quoted name"@example.com',
  'a-b.c rest',
  '.-é',
  '',
];

describe('xregexp-lite', () => {
  it('rewrites the one-letter shorthand only', () => {
    expect(toNativeSource('\\pL\\p{L}\\PL\\pL{2,4}')).toBe('\\p{L}\\p{L}\\P{L}\\p{L}{2,4}');
    expect(toNativeSource('\\\\pL')).toBe('\\\\pL');
    expect(toNativeSource('\\p{Nd}-x')).toBe('\\p{Nd}-x');
    expect(toNativeSource('[\\d-.]\\"\\_')).toBe('[\\d\\-.]"_');
  });

  it('matches as XRegExp does', () => {
    for (const [source, flags] of PATTERNS) {
      const real = XRegExp.cache(source, flags ?? '');
      const native = lite.cache(source, flags);
      for (const sample of SAMPLES) {
        expect(native.exec(sample)?.[0], `${source} on ${JSON.stringify(sample)}`).toEqual(real.exec(sample)?.[0]);
      }
    }
  });

  it('compiles each pattern once', () => {
    expect(lite.cache('^a\\pL')).toBe(lite.cache('^a\\pL'));
  });
});
