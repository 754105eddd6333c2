/** Reading and writing a channel's posts. */
import type { FileInfo } from '@mattermost/types/files';
import type { Post, PostList } from '@mattermost/types/posts';
import { client } from '../api/client';
import { mentionCandidates } from '../components/markdown/parse';
import { oldestPostId, receivedChannelPosts, receivedOlderPosts, receivedPost, sendFailed, sendingPost } from '../state/posts';
import { keepArrivedPosts, newPostIds } from '../state/resync';
import { currentUserId } from '../state/session';
import { store, update } from '../state/store';
import { receivedProfiles } from '../state/users';
import { loadMissingProfiles } from './users';

/** The page of posts a channel opens with (the newest), as Mattermost's web app loads it. */
export const POSTS_PER_PAGE = 60;

/** Whether collapsed reply threads are on for the user (actions/threads.ts works it out before the first channel loads). */
const collapsed = (): boolean => store.get().threads.collapsed;

/**
 * Loads the channel's newest posts (on opening it, and again after a gap in the socket's events)
 * and their authors. Posts that reach the store while the page is on its way (the server read
 * the page before they existed) are kept in the list (state/resync.ts).
 */
export async function loadChannelPosts(channelId: string): Promise<void> {
  const crt = collapsed();
  const arrived = new Set<string>();
  let seen = store.get().posts;
  const stop = store.subscribe(() => {
    const now = store.get().posts;
    for (const id of newPostIds(seen, now, channelId)) arrived.add(id);
    seen = now;
  });
  let list: PostList;
  try {
    list = await client.getPosts(channelId, 0, POSTS_PER_PAGE, true, crt);
  } finally {
    stop();
  }
  update('posts', (s) =>
    keepArrivedPosts(receivedChannelPosts(s, channelId, list, { atOldest: list.order.length < POSTS_PER_PAGE, collapsed: crt }), channelId, arrived),
  );
  await loadPeopleOf(list);
}

const loadingOlder = new Set<string>();

/**
 * The page before the oldest post listed (GET /channels/{id}/posts?before=), as the reader scrolls
 * back; one request per channel at a time, none once the channel's first post is listed.
 */
export async function loadOlderPosts(channelId: string): Promise<void> {
  const state = store.get().posts;
  const channel = state.byChannel[channelId];
  const before = oldestPostId(state, channelId);
  if (!channel || channel.atOldest || !before || loadingOlder.has(channelId)) return;
  loadingOlder.add(channelId);
  try {
    const list = await client.getPostsBefore(channelId, before, 0, POSTS_PER_PAGE, true, channel.collapsed);
    update('posts', (s) => receivedOlderPosts(s, channelId, list, list.order.length < POSTS_PER_PAGE));
    await loadPeopleOf(list);
  } finally {
    loadingOlder.delete(channelId);
  }
}

/** The authors of a page, who reacted, and the people its messages mention (for their names and highlighting). */
export async function loadPeopleOf(list: Pick<PostList, 'posts'>): Promise<void> {
  const posts = Object.values(list.posts);
  const people = posts.flatMap((p) => [p.user_id, ...(p.metadata?.reactions ?? []).map((r) => r.user_id)]);
  await Promise.all([loadMissingProfiles(people), loadProfilesByUsernames(posts.flatMap((p) => mentionCandidates(p.message)))]);
}

/** Usernames already asked about, per signed-in user (a name nobody has is asked once). */
let asked = { userId: '', names: new Set<string>() };

/** Fetches the profiles of usernames the app has not met (GET /users/usernames; unknown names are skipped by the server). */
async function loadProfilesByUsernames(names: string[]): Promise<void> {
  const userId = currentUserId(store.get().session);
  if (asked.userId !== userId) asked = { userId, names: new Set() };
  const known = new Set(Object.values(store.get().users.profiles).map((p) => p.username));
  const missing = [...new Set(names)].filter((n) => !known.has(n) && !asked.names.has(n)).slice(0, 100);
  if (missing.length === 0) return;
  missing.forEach((n) => asked.names.add(n));
  const users = await client.getProfilesByUsernames(missing).catch(() => []);
  update('users', (s) => receivedProfiles(s, users));
}

export interface SendOptions {
  /** A reply: the thread's root post. */
  rootId?: string;
  /** Files uploaded for the post (their FileInfos, so that the pending post shows them at once). */
  files?: FileInfo[];
}

/**
 * Sends a message: shown at once as a pending post (its pending_post_id as its id), replaced by
 * the server's post when the answer or the `posted` event comes, removed when sending fails (the
 * error is thrown on, so that the composer can give the text back).
 */
export async function sendPost(channelId: string, message: string, opts: SendOptions = {}): Promise<Post> {
  const userId = currentUserId(store.get().session);
  const now = Date.now();
  const pendingId = `${userId}:${now}`;
  const fileIds = (opts.files ?? []).map((f) => f.id);
  const pending = {
    id: pendingId,
    pending_post_id: pendingId,
    channel_id: channelId,
    root_id: opts.rootId ?? '',
    user_id: userId,
    message,
    create_at: now,
    update_at: now,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    reply_count: 0,
    file_ids: fileIds,
    metadata: { embeds: [], emojis: [], files: opts.files ?? [], images: {} },
  } as unknown as Post;
  update('posts', (s) => sendingPost(s, pending));
  try {
    const post = await client.createPost({ channel_id: channelId, message, pending_post_id: pendingId, root_id: opts.rootId ?? '', file_ids: fileIds } as Post);
    update('posts', (s) => receivedPost(s, post));
    return post;
  } catch (err) {
    update('posts', (s) => sendFailed(s, channelId, pendingId));
    throw err;
  }
}
