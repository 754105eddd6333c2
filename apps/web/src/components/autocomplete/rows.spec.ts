import type { Channel } from '@mattermost/types/channels';
import type { CustomEmoji } from '@mattermost/types/emojis';
import type { UserProfile } from '@mattermost/types/users';
import { describe, expect, it } from 'vitest';
import { channelRows, commandRows, emojiRows, fullName, searchRows, userRows } from './rows';

const user = (id: string, username: string, extra: Partial<UserProfile> = {}) =>
  ({ id, username, first_name: '', last_name: '', nickname: '', delete_at: 0, ...extra }) as UserProfile;

describe('userRows', () => {
  it('lists channel members, then others once, with their names', () => {
    const alice = user('a', 'alice', { first_name: 'Alice', last_name: 'Liddell' });
    const bob = user('b', 'bob', { nickname: 'bobby' });
    const rows = userRows([alice], [alice, bob], 'zz');
    expect(rows.map((r) => [r.primary, r.secondary, r.replacement])).toEqual([
      ['@alice', 'Alice Liddell', '@alice '],
      ['@bob', 'bobby · not in channel', '@bob '],
    ]);
  });

  it('adds @here, @channel and @all when the term begins them, and leaves out deactivated people', () => {
    const rows = userRows([user('c', 'carl', { delete_at: 1 })], [], 'ch');
    expect(rows.map((r) => r.primary)).toEqual(['@channel']);
    expect(userRows([], [], '').map((r) => r.primary)).toEqual(['@here', '@channel', '@all']);
  });

  it('names people by full name and nickname', () => {
    expect(fullName({ first_name: 'A', last_name: 'B', nickname: 'ab' })).toBe('A B (ab)');
    expect(fullName({ first_name: '', last_name: '', nickname: '' })).toBe('');
  });
});

describe('channelRows', () => {
  it('completes to ~name and leaves out archived and direct channels', () => {
    const c = (id: string, type: Channel['type'], delete_at = 0) => ({ id, name: `n-${id}`, display_name: `D ${id}`, type, delete_at }) as Channel;
    expect(channelRows([c('1', 'O'), c('2', 'P'), c('3', 'O', 5), c('4', 'D')]).map((r) => [r.primary, r.replacement])).toEqual([
      ['D 1', '~n-1 '],
      ['D 2', '~n-2 '],
    ]);
  });
});

describe('emojiRows', () => {
  it('offers system emoji with their character, then custom ones with their image', () => {
    const custom = [{ id: 'e1', name: 'tada_party' } as CustomEmoji];
    const rows = emojiRows('tada', custom, (id) => `/api/v4/emoji/${id}/image`);
    expect(rows[0]).toMatchObject({ primary: ':tada:', icon: '🎉', replacement: ':tada: ' });
    expect(rows.at(-1)).toMatchObject({ primary: ':tada_party:', imageUrl: '/api/v4/emoji/e1/image' });
  });
});

describe('commandRows', () => {
  it('completes a trigger with a space, and leaves a line whose argument is being typed as it is', () => {
    const trigger = { Complete: 'echo', Suggestion: 'echo', Hint: "'message' [delay]", Description: 'Echo back text', IconData: '' };
    expect(commandRows([trigger], '/ec')[0]).toMatchObject({ primary: '/echo', replacement: '/echo ', secondary: "'message' [delay] — Echo back text" });
    const typing = { Complete: 'shrug hello', Suggestion: '', Hint: '[message]', Description: '', IconData: '' };
    expect(commandRows([typing], '/shrug hello')[0]).toMatchObject({ replacement: '/shrug hello', primary: '/shrug hello' });
  });
});

describe('searchRows', () => {
  it('turns people and channels into from: and in: terms, without the special mentions', () => {
    const people = userRows([user('a', 'alice')], [], 'al');
    expect(searchRows(people, 'from:al').map((r) => r.replacement)).toEqual(['from:alice ']);
    const channels = channelRows([{ id: '1', name: 'town-square', display_name: 'Town Square', type: 'O', delete_at: 0 } as Channel]);
    expect(searchRows(channels, '-in:to').map((r) => r.replacement)).toEqual(['-in:town-square ']);
  });
});
