import type { Post, PostList } from '@mattermost/types/posts';
import { describe, expect, it } from 'vitest';
import {
  channelPostsOldestFirst,
  initialPosts,
  isSending,
  oldestPostId,
  receivedChannelPosts,
  receivedOlderPosts,
  receivedPost,
  receivedPosts,
  sendFailed,
  sendingPost,
  threadPosts,
  updatedPost,
  type PostsState,
} from './posts';

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

  it('keeps a deleted post in its place, marked deleted, and never adds one it did not list', () => {
    const loaded = receivedChannelPosts(initialPosts, 'c1', list(post('a', 1), post('b', 2)));
    const state = receivedPost(loaded, post('a', 1, { delete_at: 9, message: '' }));
    expect(ids(state)).toEqual(['a', 'b']);
    expect(state.byId.a!.delete_at).toBe(9);
    expect(ids(receivedPost(loaded, post('old', 0, { delete_at: 9 })))).toEqual(['a', 'b']);
  });

  it('pages back: older posts after the oldest, once each, until a short page', () => {
    let state = receivedChannelPosts(initialPosts, 'c1', list(post('c', 3), post('d', 4)));
    expect(state.byChannel.c1!.atOldest).toBe(false);
    expect(oldestPostId(state, 'c1')).toBe('c');
    state = receivedOlderPosts(state, 'c1', list(post('a', 1), post('b', 2), post('c', 3)), false);
    expect(ids(state)).toEqual(['a', 'b', 'c', 'd']);
    state = receivedOlderPosts(state, 'c1', list(), true);
    expect(state.byChannel.c1!.atOldest).toBe(true);
    expect(oldestPostId(state, 'c1')).toBe('a');
  });

  it('pages back past posts still being sent (they have no place on the server yet)', () => {
    const state = sendingPost(receivedChannelPosts(initialPosts, 'c1', list(post('a', 1))), post('p', 2, { pending_post_id: 'p' }));
    expect(oldestPostId(state, 'c1')).toBe('a');
    expect(oldestPostId(initialPosts, 'c1')).toBeUndefined();
  });

  describe('with collapsed reply threads', () => {
    const root = post('root', 1, { reply_count: 0 });
    const loaded = receivedChannelPosts(initialPosts, 'c1', list(root), { collapsed: true });

    it('keeps replies out of the channel and counts them on the root, once per reply', () => {
      const reply = post('r1', 2, { root_id: 'root' });
      let state = receivedPost(loaded, reply);
      state = receivedPost(state, reply);
      expect(ids(state)).toEqual(['root']);
      expect(state.byId.root).toMatchObject({ reply_count: 1, last_reply_at: 2 });
      expect(threadPosts(state, 'root').map((p) => p.id)).toEqual(['root', 'r1']);
    });

    it('counts a reply being sent once, and takes it back when sending fails', () => {
      const pending = post('u:5', 5, { root_id: 'root', pending_post_id: 'u:5' });
      let state = sendingPost(loaded, pending);
      state = receivedPost(state, post('r2', 6, { root_id: 'root', pending_post_id: 'u:5' }));
      expect(state.byId.root!.reply_count).toBe(1);
      expect(sendFailed(sendingPost(loaded, pending), 'c1', 'u:5').byId.root!.reply_count).toBe(0);
    });

    it('takes a deleted reply off its thread and its count', () => {
      let state = receivedPost(loaded, post('r1', 2, { root_id: 'root' }));
      state = receivedPost(state, post('r1', 2, { root_id: 'root', delete_at: 3 }));
      expect(state.byId.root!.reply_count).toBe(0);
      expect(threadPosts(state, 'root').map((p) => p.id)).toEqual(['root']);
    });

    it('leaves replies of an older page out too', () => {
      const state = receivedOlderPosts(loaded, 'c1', list(post('old', 0), post('r0', 0.5, { root_id: 'old' })), true);
      expect(ids(state)).toEqual(['old', 'root']);
    });
  });

  it('shows replies in the channel without collapsed threads', () => {
    const loaded = receivedChannelPosts(initialPosts, 'c1', list(post('root', 1)));
    expect(ids(receivedPost(loaded, post('r1', 2, { root_id: 'root' })))).toEqual(['root', 'r1']);
  });

  it('keeps posts without listing them, and changes one in place', () => {
    const state = receivedPosts(initialPosts, [post('t', 1)]);
    expect(state.byId.t).toBeDefined();
    expect(updatedPost(state, 't', (p) => ({ ...p, message: 'x' })).byId.t!.message).toBe('x');
    expect(updatedPost(state, 'missing', (p) => p)).toBe(state);
  });
});
