import type { Post } from '@mattermost/types/posts';

/**
 * The post Up arrow edits from an empty box (Mattermost's "edit last message"): the user's newest
 * post in the channel — in the thread, for a reply box — that is a plain message: not a system or
 * ephemeral post, not still being sent, not deleted.
 */
export function lastEditablePost(postsOldestFirst: Post[], userId: string, rootId = ''): Post | undefined {
  for (let i = postsOldestFirst.length - 1; i >= 0; i--) {
    const post = postsOldestFirst[i]!;
    if (post.user_id !== userId || post.delete_at || post.type?.startsWith('system_')) continue;
    if (post.pending_post_id && post.pending_post_id === post.id) continue;
    if (rootId && post.id !== rootId && post.root_id !== rootId) continue;
    return post;
  }
  return undefined;
}

/** Whether a message is a slash command (`/echo hi`), not a path-like text that starts with two slashes. */
export const isSlashCommand = (message: string): boolean => message.startsWith('/') && !message.startsWith('//') && message.length > 1;
