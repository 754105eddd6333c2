/** Reading and writing a channel's posts. */
import type { Post } from '@mattermost/types/posts';
import { client } from '../api/client';
import { receivedChannelPosts, receivedPost, sendFailed, sendingPost } from '../state/posts';
import { currentUserId } from '../state/session';
import { store, update } from '../state/store';
import { loadMissingProfiles } from './users';

/** The page of posts a channel opens with (the newest), as Mattermost's web app loads it. */
export const POSTS_PER_PAGE = 60;

/** Loads the channel's newest posts (again, after a gap in the socket's events) and their authors. */
export async function loadChannelPosts(channelId: string): Promise<void> {
  const list = await client.getPosts(channelId, 0, POSTS_PER_PAGE);
  update('posts', (s) => receivedChannelPosts(s, channelId, list));
  await loadMissingProfiles(Object.values(list.posts).map((p) => p.user_id));
}

/**
 * Sends a message: shown at once as a pending post (its pending_post_id as its id), replaced by
 * the server's post when the answer or the `posted` event comes, removed when sending fails (the
 * error is thrown on, so that the composer can give the text back).
 */
export async function sendPost(channelId: string, message: string): Promise<void> {
  const userId = currentUserId(store.get().session);
  const now = Date.now();
  const pendingId = `${userId}:${now}`;
  const pending = {
    id: pendingId,
    pending_post_id: pendingId,
    channel_id: channelId,
    user_id: userId,
    message,
    create_at: now,
    update_at: now,
    delete_at: 0,
  } as Post;
  update('posts', (s) => sendingPost(s, pending));
  try {
    const post = await client.createPost({ channel_id: channelId, message, pending_post_id: pendingId });
    update('posts', (s) => receivedPost(s, post));
  } catch (err) {
    update('posts', (s) => sendFailed(s, channelId, pendingId));
    throw err;
  }
}
