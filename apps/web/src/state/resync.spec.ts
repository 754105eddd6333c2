import type { Post, PostList } from '@mattermost/types/posts';
import { describe, expect, it } from 'vitest';
import { initialPosts, receivedChannelPosts, receivedPost, sendingPost } from './posts';
import { keepArrivedPosts, newPostIds } from './resync';

const post = (id: string, create_at: number, extra: Partial<Post> = {}) =>
  ({ id, channel_id: 'ch', user_id: 'u', message: id, create_at, delete_at: 0, ...extra }) as Post;
const page = (...posts: Post[]): PostList =>
  ({ order: [...posts].sort((a, b) => b.create_at - a.create_at).map((p) => p.id), posts: Object.fromEntries(posts.map((p) => [p.id, p])) }) as PostList;

describe('loading a channel while posts arrive', () => {
  it('puts back a post that came over the socket while the page was on its way (the page was read before it)', () => {
    let s = receivedChannelPosts(initialPosts, 'ch', page(post('a', 1), post('b', 2)));
    const before = s;
    // The refetch starts; meanwhile `posted` brings c.
    s = receivedPost(s, post('c', 3));
    const arrived = newPostIds(before, s, 'ch');
    expect(arrived).toEqual(['c']);
    // The page (read before c existed) replaces the list…
    s = receivedChannelPosts(s, 'ch', page(post('a', 1), post('b', 2)));
    expect(s.byChannel.ch?.order).toEqual(['b', 'a']);
    // …and c is put back in its place.
    s = keepArrivedPosts(s, 'ch', arrived);
    expect(s.byChannel.ch?.order).toEqual(['c', 'b', 'a']);
  });

  it("keeps one's own post sent meanwhile (the send's answer replaced the pending copy), once", () => {
    let s = receivedChannelPosts(initialPosts, 'ch', page(post('a', 1)));
    const start = s;
    s = sendingPost(s, post('u:5', 5, { pending_post_id: 'u:5' }));
    expect(newPostIds(start, s, 'ch')).toEqual([]);
    const sending = s;
    s = receivedPost(s, post('mine', 5, { pending_post_id: 'u:5' }));
    const arrived = newPostIds(sending, s, 'ch');
    s = receivedChannelPosts(s, 'ch', page(post('a', 1)));
    s = keepArrivedPosts(s, 'ch', [...arrived, ...arrived]);
    expect(s.byChannel.ch?.order).toEqual(['mine', 'a']);
  });

  it('leaves out a post deleted meanwhile, one the page has already, and one of another channel', () => {
    let s = receivedChannelPosts(initialPosts, 'ch', page(post('a', 1), post('b', 2)));
    s = receivedPost(s, post('gone', 3, { delete_at: 4 }));
    s = receivedPost(s, post('other', 3, { channel_id: 'x' }));
    const next = keepArrivedPosts(s, 'ch', ['gone', 'b', 'other', 'unknown']);
    expect(next.byChannel.ch?.order).toEqual(['b', 'a']);
    expect(keepArrivedPosts(initialPosts, 'ch', ['a'])).toBe(initialPosts);
  });

  it('notes a post that arrives before the channel was ever listed (opening it as someone writes)', () => {
    const before = initialPosts;
    const s = receivedPost(initialPosts, post('c', 3));
    expect(s.byChannel.ch).toBeUndefined();
    const arrived = newPostIds(before, s, 'ch');
    const loaded = keepArrivedPosts(receivedChannelPosts(s, 'ch', page(post('a', 1))), 'ch', arrived);
    expect(loaded.byChannel.ch?.order).toEqual(['c', 'a']);
    expect(newPostIds(s, s, 'ch')).toEqual([]);
  });
});
