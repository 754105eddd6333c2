import { describe, expect, it } from 'vitest';
import { makePostList, sortNewestFirst, sortOldestFirst } from './post-list.js';
import { testPostRow } from './post.fixtures.js';
import { toPostView } from './post.model.js';

describe('makePostList', () => {
  it('orders the page posts and adds context posts only to the map', () => {
    const page = [toPostView(testPostRow('b', 2, { root_id: 'r' })), toPostView(testPostRow('a', 1))];
    const root = toPostView(testPostRow('r', 0, { reply_count: 1 }));
    const list = makePostList(page, [root, page[0]], { prev_post_id: 'z', has_next: true });
    expect(list.order).toEqual(['b', 'a']);
    expect(Object.keys(list.posts).sort()).toEqual(['a', 'b', 'r']);
    expect(list).toMatchObject({ next_post_id: '', prev_post_id: 'z', has_next: true, first_inaccessible_post_time: 0 });
  });

  it('lists a post once even when given twice', () => {
    const p = toPostView(testPostRow('a', 1));
    expect(makePostList([p, p]).order).toEqual(['a']);
  });

  it('empty lists have the full shape', () => {
    expect(makePostList([])).toEqual({ order: [], posts: {}, next_post_id: '', prev_post_id: '', has_next: false, first_inaccessible_post_time: 0 });
  });
});

describe('sorting', () => {
  it('sorts by create_at then id', () => {
    const posts = [testPostRow('b', 1), testPostRow('a', 1), testPostRow('c', 3)];
    expect(sortNewestFirst(posts).map((p) => p.id)).toEqual(['c', 'b', 'a']);
    expect(sortOldestFirst(posts).map((p) => p.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('toPostView', () => {
  it('has the Mattermost post shape', () => {
    const view = toPostView(testPostRow('p', 5, { has_reactions: true, reply_count: 2, last_reply_at: 9 }), {
      pendingPostId: 'pending',
      reactions: [{ user_id: 'u', post_id: 'p', emoji_name: 'smile', create_at: 6, update_at: 6, delete_at: 0, remote_id: '', channel_id: 'c' }],
    });
    expect(view).toMatchObject({
      id: 'p',
      pending_post_id: 'pending',
      has_reactions: true,
      reply_count: 2,
      last_reply_at: 9,
      participants: null,
      file_ids: [],
    });
    expect(view.metadata.reactions).toHaveLength(1);
  });

  it('omits has_reactions and metadata.reactions when there are none; replies carry no last_reply_at', () => {
    const view = toPostView(testPostRow('p', 5, { root_id: 'r', last_reply_at: 7 }));
    expect('has_reactions' in view).toBe(false);
    expect(view.metadata).toEqual({});
    expect(view.last_reply_at).toBe(0);
  });
});
