import type { CustomEmoji } from '@mattermost/types/emojis';
import { describe, expect, it } from 'vitest';
import { customEmojiAdded, customEmojiImageUrl, initialCustomEmoji, receivedCustomEmoji, unknownEmojiNames } from './custom-emoji';

const emoji = (name: string, extra: Partial<CustomEmoji> = {}) => ({ id: `id-${name}`, name, delete_at: 0, ...extra }) as CustomEmoji;

describe('custom emoji', () => {
  it('stores what the server found and remembers the missing names, so each name is asked once', () => {
    const state = receivedCustomEmoji(initialCustomEmoji, ['party_parrot', 'nope'], [emoji('party_parrot')]);
    expect(state.byName.party_parrot?.id).toBe('id-party_parrot');
    expect(state.byName.nope).toBeNull();
    expect(unknownEmojiNames(state, ['nope', 'party_parrot', 'new', 'new'])).toEqual(['new']);
  });

  it('takes a deleted emoji as missing, and an added one as known', () => {
    let state = receivedCustomEmoji(initialCustomEmoji, ['old'], [emoji('old', { delete_at: 5 })]);
    expect(state.byName.old).toBeNull();
    state = customEmojiAdded(state, emoji('old'));
    expect(state.byName.old?.name).toBe('old');
  });

  it('serves images from this site', () => {
    expect(customEmojiImageUrl('abc')).toBe('/api/v4/emoji/abc/image');
  });
});
