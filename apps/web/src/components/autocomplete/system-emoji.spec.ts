import { describe, expect, it } from 'vitest';
import { emojiChar, matchSystemEmoji, SYSTEM_EMOJI } from './system-emoji';

describe('system emoji', () => {
  it('maps names to characters', () => {
    expect(emojiChar('+1')).toBe('👍');
    expect(emojiChar('tada')).toBe('🎉');
    expect(emojiChar('no_such_emoji')).toBe('');
    expect(SYSTEM_EMOJI.size).toBeGreaterThan(200);
  });

  it('lists names starting with the term first, then those containing it', () => {
    const names = matchSystemEmoji('smile', 20).map((e) => e.name);
    expect(names[0]).toBe('smile');
    expect(names).toContain('smiley_cat');
    expect(names.indexOf('smiley')).toBeLessThan(names.indexOf('sweat_smile'));
    expect(matchSystemEmoji('heart', 3)).toHaveLength(3);
  });
});
