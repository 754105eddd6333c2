import { describe, expect, it } from 'vitest';
import { assertValidEmojiName, isValidEmojiName } from './reaction.model.js';

describe('emoji names', () => {
  it('accepts letters, digits, -, + and _ up to 64 characters', () => {
    for (const name of ['smile', '+1', '-1', 'thumbs_up', 'a'.repeat(64), 'Emoji2']) expect(isValidEmojiName(name)).toBe(true);
    for (const name of ['', 'a'.repeat(65), 'has space', 'colon:', 'é', 7]) expect(isValidEmojiName(name)).toBe(false);
  });

  it('refuses with model.reaction.is_valid.emoji_name.app_error', () => {
    expect(() => assertValidEmojiName('bad name')).toThrow(expect.objectContaining({ id: 'model.reaction.is_valid.emoji_name.app_error', statusCode: 400 }));
  });
});
