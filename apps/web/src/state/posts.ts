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
export function receivedChannelPosts(state: PostsState, channelId: string, list: PostList): PostsState {
  const byId = { ...state.byId, ...list.posts };
  const order = list.order.filter((id) => byId[id] && !byId[id].delete_at);
  // Posts still being sent stay on screen above the page until the server's copy replaces them.
  const sending = (state.byChannel[channelId]?.order ?? []).filter((id) => byId[id] && isSending(byId[id]) && !order.includes(id));
  return { byId, byChannel: { ...state.byChannel, [channelId]: { order: [...sending, ...order] } } };
}

/**
 * One post from the server (an event or a create call's answer): stored, put in its place by
 * create_at in a loaded channel, replacing the pending copy it was sent as; an edit replaces the
 * stored one, a deleted post leaves the list.
 */
export function receivedPost(state: PostsState, post: Post): PostsState {
  const byId = { ...state.byId, [post.id]: post };
  const pendingId = post.pending_post_id && post.pending_post_id !== post.id ? post.pending_post_id : '';
  if (pendingId) delete byId[pendingId];
  const channel = state.byChannel[post.channel_id];
  if (!channel) return { ...state, byId };
  let order = channel.order.filter((id) => id !== post.id && id !== pendingId);
  if (!post.delete_at) order = insertByTime(order, post, byId);
  return { byId, byChannel: { ...state.byChannel, [post.channel_id]: { order } } };
}

/** A post the user is sending: shown at once (its id is its pending id). */
export function sendingPost(state: PostsState, post: Post): PostsState {
  return receivedPost(state, post);
}

/** Sending failed: the pending copy goes (the composer gets the text back). */
export function sendFailed(state: PostsState, channelId: string, pendingId: string): PostsState {
  const byId = { ...state.byId };
  delete byId[pendingId];
  const channel = state.byChannel[channelId];
  if (!channel) return { ...state, byId };
  return { byId, byChannel: { ...state.byChannel, [channelId]: { order: channel.order.filter((id) => id !== pendingId) } } };
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
