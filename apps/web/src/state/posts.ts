/**
 * Posts per channel: what GET /channels/{id}/posts answered, what the socket's `posted` events
 * add, and the posts being sent. A post being sent is stored under its pending_post_id as its id
 * (isSending); the server's post — from the create call or the event, whichever comes first —
 * replaces it, as Mattermost's pending posts work.
 */
import type { Post, PostList } from '@mattermost/types/posts';

export interface ChannelPosts {
  /** Post ids, newest first (the server's order). */
  order: string[];
  /** Whether the channel's first post is in `order`: nothing older to load. */
  atOldest: boolean;
  /** Replies are left out (collapsed reply threads): the list holds root posts only, live ones too. */
  collapsed: boolean;
}

export interface PageOptions {
  atOldest?: boolean;
  collapsed?: boolean;
}

export interface PostsState {
  byId: Record<string, Post>;
  /** Only channels whose newest page has been loaded; events for others are not listed (loading them fetches it). */
  byChannel: Record<string, ChannelPosts>;
}

export const initialPosts: PostsState = { byId: {}, byChannel: {} };

/** A post the app is still sending: stored under its pending id. */
export const isSending = (post: Post): boolean => !!post.pending_post_id && post.id === post.pending_post_id;

/** The newest page of a channel: replaces the channel's list (a reload after a gap starts afresh). */
export function receivedChannelPosts(state: PostsState, channelId: string, list: PostList, opts: PageOptions = {}): PostsState {
  const byId = { ...state.byId, ...list.posts };
  const order = list.order.filter((id) => byId[id] && !byId[id].delete_at);
  // Posts still being sent stay on screen above the page until the server's copy replaces them.
  const sending = (state.byChannel[channelId]?.order ?? []).filter((id) => byId[id] && isSending(byId[id]) && !order.includes(id));
  const channel: ChannelPosts = { order: [...sending, ...order], atOldest: !!opts.atOldest, collapsed: !!opts.collapsed };
  return { byId, byChannel: { ...state.byChannel, [channelId]: channel } };
}

/**
 * An older page (GET /channels/{id}/posts?before=): added after the oldest post listed, once
 * each; `atOldest` when the page came back short.
 */
export function receivedOlderPosts(state: PostsState, channelId: string, list: PostList, atOldest: boolean): PostsState {
  const channel = state.byChannel[channelId];
  const byId = { ...state.byId, ...list.posts };
  if (!channel) return { ...state, byId };
  const listed = new Set(channel.order);
  const older = list.order.filter((id) => !listed.has(id) && byId[id] && !byId[id].delete_at && !(channel.collapsed && byId[id].root_id));
  return { byId, byChannel: { ...state.byChannel, [channelId]: { ...channel, order: [...channel.order, ...older], atOldest } } };
}

/** Posts to keep without listing them in a channel (a thread's replies, the roots of followed threads). */
export function receivedPosts(state: PostsState, posts: Post[]): PostsState {
  if (posts.length === 0) return state;
  const byId = { ...state.byId };
  for (const post of posts) byId[post.id] = post;
  return { ...state, byId };
}

/** The oldest post id of a loaded channel that the server knows (what `before=` pages back from). */
export function oldestPostId(state: PostsState, channelId: string): string | undefined {
  const order = state.byChannel[channelId]?.order ?? [];
  for (let i = order.length - 1; i >= 0; i--) {
    const post = state.byId[order[i]!];
    if (post && !isSending(post)) return post.id;
  }
  return undefined;
}

/**
 * One post from the server (an event or a create call's answer): stored, put in its place by
 * create_at in a loaded channel, replacing the pending copy it was sent as; an edit replaces the
 * stored one. A deleted post that was on screen stays in its place, marked deleted (Mattermost
 * shows "(message deleted)" until the channel is reloaded); one never listed is not added. A new
 * reply counts on its root (reply_count, last_reply_at), and with collapsed threads stays out of
 * the channel's list.
 */
export function receivedPost(state: PostsState, post: Post): PostsState {
  const byId = { ...state.byId, [post.id]: post };
  const pendingId = post.pending_post_id && post.pending_post_id !== post.id ? post.pending_post_id : '';
  const known = state.byId[post.id] ?? (pendingId ? state.byId[pendingId] : undefined);
  if (pendingId) delete byId[pendingId];
  countReply(byId, post, known);
  const channel = state.byChannel[post.channel_id];
  if (!channel) return { ...state, byId };
  const listed = channel.order.includes(post.id) || (!!pendingId && channel.order.includes(pendingId));
  let order = channel.order;
  if (post.delete_at) {
    if (!listed) return { ...state, byId };
    order = channel.order.filter((id) => id !== pendingId);
  } else if (!(channel.collapsed && post.root_id)) {
    order = insertByTime(
      channel.order.filter((id) => id !== post.id && id !== pendingId),
      post,
      byId,
    );
  }
  return { byId, byChannel: { ...state.byChannel, [post.channel_id]: { ...channel, order } } };
}

/** A reply new to the app adds one to its root's count; a reply deleted takes it back. */
function countReply(byId: Record<string, Post>, post: Post, known: Post | undefined): void {
  const root = post.root_id ? byId[post.root_id] : undefined;
  if (!root) return;
  if (!known && !post.delete_at) {
    byId[root.id] = { ...root, reply_count: (root.reply_count ?? 0) + 1, last_reply_at: Math.max(root.last_reply_at ?? 0, post.create_at) };
  } else if (known && !known.delete_at && post.delete_at) {
    byId[root.id] = { ...root, reply_count: Math.max((root.reply_count ?? 0) - 1, 0) };
  }
}

/** A post the user is sending: shown at once (its id is its pending id). */
export function sendingPost(state: PostsState, post: Post): PostsState {
  return receivedPost(state, post);
}

/** Sending failed: the pending copy goes (the composer gets the text back), and a reply's count with it. */
export function sendFailed(state: PostsState, channelId: string, pendingId: string): PostsState {
  const byId = { ...state.byId };
  const pending = byId[pendingId];
  delete byId[pendingId];
  const root = pending?.root_id ? byId[pending.root_id] : undefined;
  if (root) byId[root.id] = { ...root, reply_count: Math.max((root.reply_count ?? 0) - 1, 0) };
  const channel = state.byChannel[channelId];
  if (!channel) return { ...state, byId };
  return { byId, byChannel: { ...state.byChannel, [channelId]: { ...channel, order: channel.order.filter((id) => id !== pendingId) } } };
}

/** A post's own version with a change (reactions, a reply count); unknown posts are left alone. */
export function updatedPost(state: PostsState, postId: string, change: (post: Post) => Post): PostsState {
  const post = state.byId[postId];
  if (!post) return state;
  const next = change(post);
  return next === post ? state : { ...state, byId: { ...state.byId, [postId]: next } };
}

/** A thread as its panel shows it: the root, then its replies oldest first (deleted replies left out). */
export function threadPosts(state: PostsState, rootId: string): Post[] {
  const root = state.byId[rootId];
  if (!root) return [];
  const replies = Object.values(state.byId)
    .filter((p) => p.root_id === rootId && !p.delete_at)
    .sort((a, b) => a.create_at - b.create_at);
  return [root, ...replies];
}

/** The channel's posts oldest first, as the channel view shows them (undefined: not loaded yet). */
export function channelPostsOldestFirst(state: PostsState, channelId: string): Post[] | undefined {
  const channel = state.byChannel[channelId];
  if (!channel) return undefined;
  return channel.order
    .map((id) => state.byId[id])
    .filter((p): p is Post => !!p)
    .reverse();
}

/** Inserts `post` into a newest-first list by create_at (after any post with the same time). */
function insertByTime(order: string[], post: Post, byId: Record<string, Post>): string[] {
  const at = order.findIndex((id) => (byId[id]?.create_at ?? 0) < post.create_at);
  const index = at === -1 ? order.length : at;
  return [...order.slice(0, index), post.id, ...order.slice(index)];
}
