/**
 * Loading a channel's page of posts — on opening it, or again after a gap in the socket's events —
 * must not lose what arrives meanwhile: the page is read by the server at one moment and lands
 * here later, and a `posted` event or a send's answer that came in between would be dropped when
 * the page replaces the channel's list. Those posts are noted while the page is on its way
 * (actions/posts.ts loadChannelPosts) and put back.
 */
import type { Post } from '@mattermost/types/posts';
import { isSending, receivedPost, type PostsState } from './posts';

/**
 * The posts of a channel that are new to the store from one state to the next (pending copies
 * aside), whether or not the channel's list is loaded yet.
 */
export function newPostIds(before: PostsState, after: PostsState, channelId: string): string[] {
  if (before.byId === after.byId) return [];
  return Object.keys(after.byId).filter((id) => {
    const post = after.byId[id]!;
    return !before.byId[id] && post.channel_id === channelId && !isSending(post);
  });
}

/**
 * Puts back into a channel's list the posts that arrived while its page was being fetched and
 * that the page left out (it was read before they were made), as their latest stored copy; a
 * post deleted in the meantime stays out.
 */
export function keepArrivedPosts(state: PostsState, channelId: string, arrivedIds: Iterable<string>): PostsState {
  if (!state.byChannel[channelId]) return state;
  let next = state;
  for (const id of new Set(arrivedIds)) {
    const post: Post | undefined = next.byId[id];
    if (!post || post.delete_at || post.channel_id !== channelId || next.byChannel[channelId]!.order.includes(id)) continue;
    next = receivedPost(next, post);
  }
  return next;
}
