import { describe, expect, it } from 'vitest';
import { assertValidEmojiName, isValidEmojiName, reactionView } from './reaction.model.js';

describe('emoji names', () => {
  it('accepts letters, digits, -, + and _ up to 64 characters', () => {
    for (const name of ['smile', '+1', '-1', 'thumbs_up', 'a'.repeat(64), 'Emoji2']) expect(isValidEmojiName(name)).toBe(true);
    for (const name of ['', 'a'.repeat(65), 'has space', 'colon:', 'é', 7]) expect(isValidEmojiName(name)).toBe(false);
  });

  it('refuses with model.reaction.is_valid.emoji_name.app_error', () => {
    expect(() => assertValidEmojiName('bad name')).toThrow(expect.objectContaining({ id: 'model.reaction.is_valid.emoji_name.app_error', statusCode: 400 }));
  });
});

describe('reactionView', () => {
  it('has the model.Reaction wire shape', () => {
    const row = { user_id: 'u', post_id: 'p', emoji_name: 'smile', channel_id: 'c', create_at: 5 };
    expect(reactionView(row)).toEqual({ ...row, update_at: 5, delete_at: 0, remote_id: '' });
    expect(reactionView(row, 9)).toMatchObject({ update_at: 9, delete_at: 9 });
  });
});
