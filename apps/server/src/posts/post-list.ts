import { PostView } from './post.model.js';

/** model.PostList on the wire (has_next is always present here). */
export interface PostListView {
  order: string[];
  posts: Record<string, PostView>;
  next_post_id: string;
  prev_post_id: string;
  has_next: boolean;
  first_inaccessible_post_time: number;
}

export interface PostListCursors {
  next_post_id?: string;
  prev_post_id?: string;
  has_next?: boolean;
}

/**
 * Builds a PostList: `ordered` posts are listed in `order` as given (callers pass newest first for
 * channel views), `context` posts (thread roots and replies that give the page context) only
 * appear in `posts`. A post in both is listed once.
 */
export function makePostList(ordered: PostView[], context: PostView[] = [], cursors: PostListCursors = {}): PostListView {
  const posts: Record<string, PostView> = {};
  const order: string[] = [];
  for (const post of ordered) {
    if (posts[post.id]) continue;
    posts[post.id] = post;
    order.push(post.id);
  }
  for (const post of context) if (!posts[post.id]) posts[post.id] = post;
  return {
    order,
    posts,
    next_post_id: cursors.next_post_id ?? '',
    prev_post_id: cursors.prev_post_id ?? '',
    has_next: cursors.has_next ?? false,
    first_inaccessible_post_time: 0,
  };
}

/** Newest first, ties broken by id so the order is stable. */
export function sortNewestFirst<T extends { create_at: number; id: string }>(posts: T[]): T[] {
  return [...posts].sort((a, b) => b.create_at - a.create_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

export function sortOldestFirst<T extends { create_at: number; id: string }>(posts: T[]): T[] {
  return sortNewestFirst(posts).reverse();
}

/** The search response: a PostList plus the words each post matched. */
export interface PostSearchResultsView extends PostListView {
  matches: Record<string, string[]>;
}
