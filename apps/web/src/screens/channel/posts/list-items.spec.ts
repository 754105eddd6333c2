import type { Post } from '@mattermost/types/posts';
import { describe, expect, it } from 'vitest';
import { dateLabel, isConsecutive, mentionsUser, postListItems } from './list-items';

const MIN = 60_000;
const base = new Date(2025, 4, 14, 9, 0).getTime();
const post = (id: string, at: number, extra: Partial<Post> = {}): Post =>
  ({ id, create_at: base + at, user_id: 'u1', root_id: '', type: '', props: {}, delete_at: 0, ...extra }) as Post;

describe('postListItems', () => {
  it('puts a date line before each day and collapses a run of posts by one person', () => {
    const day = 24 * 60 * MIN;
    const items = postListItems(
      [post('a', 0), post('b', MIN), post('c', 2 * MIN, { user_id: 'u2' }), post('d', 3 * MIN, { user_id: 'u2' }), post('e', day)],
      base + day,
      'en-US',
    );
    expect(items.map((i) => (i.kind === 'date' ? i.label : `${i.post.id}${i.continued ? '+' : ''}`))).toEqual([
      'Yesterday',
      'a',
      'b+',
      'c',
      'd+',
      'Today',
      'e',
    ]);
  });

  it('names older days by date, with the year when not this one', () => {
    expect(dateLabel(new Date(2025, 0, 6).getTime(), base, 'en-US')).toBe('Mon, January 6');
    expect(dateLabel(new Date(2023, 0, 6).getTime(), base, 'en-US')).toBe('Fri, January 6, 2023');
  });

  it('shows a deleted post’s successor in full', () => {
    const items = postListItems([post('a', 0, { delete_at: 5 }), post('b', MIN)], base);
    expect(items[2]).toMatchObject({ kind: 'post', continued: false });
  });
});

describe('isConsecutive', () => {
  it('needs the same person within five minutes', () => {
    expect(isConsecutive(post('a', 0), post('b', 5 * MIN))).toBe(true);
    expect(isConsecutive(post('a', 0), post('b', 5 * MIN + 1))).toBe(false);
    expect(isConsecutive(post('a', 0), post('b', MIN, { user_id: 'u2' }))).toBe(false);
    expect(isConsecutive(undefined, post('b', 0))).toBe(false);
  });

  it('never joins system or webhook posts, or a reply to another thread', () => {
    expect(isConsecutive(post('a', 0, { type: 'system_join_channel' }), post('b', MIN))).toBe(false);
    expect(isConsecutive(post('a', 0), post('b', MIN, { props: { from_webhook: 'true' } }))).toBe(false);
    expect(isConsecutive(post('a', 0), post('r', MIN, { root_id: 'a' }))).toBe(true);
    expect(isConsecutive(post('x', 0), post('r', MIN, { root_id: 'other' }))).toBe(false);
    expect(isConsecutive(post('r1', 0, { root_id: 't' }), post('r2', MIN, { root_id: 't' }))).toBe(true);
    expect(isConsecutive(post('r1', 0, { root_id: 't' }), post('b', MIN))).toBe(false);
  });
});

describe('mentionsUser', () => {
  it('finds @username and the channel-wide mentions, not longer names or emails', () => {
    expect(mentionsUser('hey @bob, look', 'bob')).toBe(true);
    expect(mentionsUser('@bob.', 'bob')).toBe(true);
    expect(mentionsUser('@BOB', 'bob')).toBe(true);
    expect(mentionsUser('@here please', 'bob')).toBe(true);
    expect(mentionsUser('@bobby', 'bob')).toBe(false);
    expect(mentionsUser('@bob.smith', 'bob')).toBe(false);
    expect(mentionsUser('mail bob@bob.com', 'bob')).toBe(false);
    expect(mentionsUser('anything', '')).toBe(false);
  });
});
