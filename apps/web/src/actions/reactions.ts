/** Adding and removing one's reactions, and the socket's reaction events. */
import type { Reaction } from '@mattermost/types/reactions';
import { client } from '../api/client';
import { reactionAdded, reactionRemoved } from '../state/reactions';
import { currentUserId } from '../state/session';
import { store, update } from '../state/store';
import { loadMissingProfiles } from './users';

/**
 * The reader's click on an emoji: their reaction goes (DELETE /users/{me}/posts/{id}/reactions/{name})
 * if they had it, else it is added (POST /reactions). The post changes with the answer; the
 * event that follows for everyone in the channel then changes nothing here.
 */
export async function toggleReaction(postId: string, emojiName: string): Promise<void> {
  const me = currentUserId(store.get().session);
  if (hasReacted(me, postId, emojiName)) {
    await client.removeReaction(me, postId, emojiName);
    update('posts', (s) => reactionRemoved(s, { user_id: me, post_id: postId, emoji_name: emojiName, create_at: 0 } as Reaction));
  } else {
    const reaction = await client.addReaction(me, postId, emojiName);
    update('posts', (s) => reactionAdded(s, reaction));
  }
}

/** An emoji chosen in the picker: the reader's reaction, unless they reacted with it already (the picker never takes one back). */
export async function addReaction(postId: string, emojiName: string): Promise<void> {
  const me = currentUserId(store.get().session);
  if (hasReacted(me, postId, emojiName)) return;
  const reaction = await client.addReaction(me, postId, emojiName);
  update('posts', (s) => reactionAdded(s, reaction));
}

function hasReacted(userId: string, postId: string, emojiName: string): boolean {
  const post = store.get().posts.byId[postId];
  return (post?.metadata?.reactions ?? []).some((r) => r.user_id === userId && r.emoji_name === emojiName);
}

/** The socket's reaction_added / reaction_removed: the reaction comes as JSON text. */
export function onReactionAdded(data: Record<string, unknown>): void {
  const reaction = parseReaction(data.reaction);
  if (!reaction) return;
  update('posts', (s) => reactionAdded(s, reaction));
  loadMissingProfiles([reaction.user_id]).catch(() => undefined);
}

export function onReactionRemoved(data: Record<string, unknown>): void {
  const reaction = parseReaction(data.reaction);
  if (reaction) update('posts', (s) => reactionRemoved(s, reaction));
}

function parseReaction(value: unknown): Reaction | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const reaction = JSON.parse(value) as Reaction;
    return reaction.post_id && reaction.user_id && reaction.emoji_name ? reaction : undefined;
  } catch {
    return undefined;
  }
}
