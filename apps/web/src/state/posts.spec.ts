import type { Post, PostList } from '@mattermost/types/posts';
import { describe, expect, it } from 'vitest';
import { channelPostsOldestFirst, initialPosts, isSending, receivedChannelPosts, receivedPost, sendFailed, sendingPost, type PostsState } from './posts';

const post = (id: string, create_at: number, extra: Partial<Post> = {}): Post =>
  ({ id, create_at, channel_id: 'c1', message: id, delete_at: 0, ...extra }) as Post;

const list = (...posts: Post[]): PostList => ({
  order: [...posts].sort((a, b) => b.create_at - a.create_at).map((p) => p.id),
  posts: Object.fromEntries(posts.map((p) => [p.id, p])),
  next_post_id: '',
  prev_post_id: '',
  first_inaccessible_post_time: 0,
});

const ids = (state: PostsState, channel = 'c1') => channelPostsOldestFirst(state, channel)?.map((p) => p.id);

describe('posts', () => {
  it('lists a loaded channel oldest first, without deleted posts', () => {
    const state = receivedChannelPosts(initialPosts, 'c1', list(post('a', 1), post('b', 2), post('gone', 3, { delete_at: 4 })));
    expect(ids(state)).toEqual(['a', 'b']);
    expect(ids(state, 'other')).toBeUndefined();
  });

  it('puts a posted event in its place by time, once', () => {
    let state = receivedChannelPosts(initialPosts, 'c1', list(post('a', 1), post('c', 3)));
    state = receivedPost(state, post('b', 2));
    state = receivedPost(state, post('d', 4));
    state = receivedPost(state, post('d', 4, { message: 'edited' }));
    expect(ids(state)).toEqual(['a', 'b', 'c', 'd']);
    expect(state.byId.d!.message).toBe('edited');
  });

  it('keeps events for channels not loaded out of any list (loading fetches them)', () => {
    const state = receivedPost(initialPosts, post('x', 1, { channel_id: 'c2' }));
    expect(state.byId.x).toBeDefined();
    expect(ids(state, 'c2')).toBeUndefined();
  });

  it('replaces a pending post by the server copy, whether the event or the answer comes first', () => {
    const loaded = receivedChannelPosts(initialPosts, 'c1', list(post('a', 1)));
    const pending = post('u1:100', 100, { pending_post_id: 'u1:100' });
    const sent = post('real', 101, { pending_post_id: 'u1:100' });
    let state = sendingPost(loaded, pending);
    expect(isSending(state.byId['u1:100']!)).toBe(true);
    expect(ids(state)).toEqual(['a', 'u1:100']);
    state = receivedPost(state, sent); // the event
    state = receivedPost(state, sent); // then the create call's answer
    expect(ids(state)).toEqual(['a', 'real']);
    expect(state.byId['u1:100']).toBeUndefined();
    expect(isSending(state.byId.real!)).toBe(false);
  });

  it('drops a post that failed to send', () => {
    const loaded = receivedChannelPosts(initialPosts, 'c1', list(post('a', 1)));
    const state = sendFailed(sendingPost(loaded, post('p', 2, { pending_post_id: 'p' })), 'c1', 'p');
    expect(ids(state)).toEqual(['a']);
    expect(state.byId.p).toBeUndefined();
  });

  it('keeps posts still being sent above a reloaded page', () => {
    const loaded = receivedChannelPosts(initialPosts, 'c1', list(post('a', 1)));
    const state = receivedChannelPosts(sendingPost(loaded, post('p', 5, { pending_post_id: 'p' })), 'c1', list(post('a', 1), post('b', 2)));
    expect(ids(state)).toEqual(['a', 'b', 'p']);
  });

  it('takes a deleted post off the list', () => {
    const loaded = receivedChannelPosts(initialPosts, 'c1', list(post('a', 1), post('b', 2)));
    expect(ids(receivedPost(loaded, post('a', 1, { delete_at: 9 })))).toEqual(['b']);
  });
});
