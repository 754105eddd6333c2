/**
 * Reactions live in their post (post.metadata.reactions, as the server sends posts); these
 * functions add and remove one (the socket's reaction_added / reaction_removed, or the answer to
 * the person's own click) and group them for display: one button per emoji with its count, who
 * reacted, and whether the reader is among them.
 */
import type { Post } from '@mattermost/types/posts';
import type { Reaction } from '@mattermost/types/reactions';
import { updatedPost, type PostsState } from './posts';

const sameReaction = (a: Reaction, b: Pick<Reaction, 'user_id' | 'emoji_name'>): boolean => a.user_id === b.user_id && a.emoji_name === b.emoji_name;

/** The post with the reaction (once: an event after the answer changes nothing). */
export function withReaction(post: Post, reaction: Reaction): Post {
  const reactions = post.metadata?.reactions ?? [];
  if (reactions.some((r) => sameReaction(r, reaction))) return post;
  return { ...post, metadata: { ...post.metadata, reactions: [...reactions, reaction] } };
}

/** The post without that person's reaction with that emoji. */
export function withoutReaction(post: Post, reaction: Pick<Reaction, 'user_id' | 'emoji_name'>): Post {
  const reactions = post.metadata?.reactions ?? [];
  if (!reactions.some((r) => sameReaction(r, reaction))) return post;
  return { ...post, metadata: { ...post.metadata, reactions: reactions.filter((r) => !sameReaction(r, reaction)) } };
}

export const reactionAdded = (state: PostsState, reaction: Reaction): PostsState => updatedPost(state, reaction.post_id, (p) => withReaction(p, reaction));

export const reactionRemoved = (state: PostsState, reaction: Reaction): PostsState => updatedPost(state, reaction.post_id, (p) => withoutReaction(p, reaction));

export interface ReactionGroup {
  emoji: string;
  count: number;
  /** Who reacted, in the order they did. */
  userIds: string[];
  /** Whether the reader is among them (their click removes it). */
  mine: boolean;
}

/** One group per emoji, in the order each emoji was first used (as Mattermost lists them). */
export function groupReactions(reactions: Reaction[] | undefined, myId: string): ReactionGroup[] {
  const groups = new Map<string, { first: number; userIds: string[] }>();
  for (const r of [...(reactions ?? [])].sort((a, b) => a.create_at - b.create_at)) {
    const group = groups.get(r.emoji_name) ?? { first: r.create_at, userIds: [] };
    if (!group.userIds.includes(r.user_id)) group.userIds.push(r.user_id);
    groups.set(r.emoji_name, group);
  }
  return [...groups.entries()]
    .sort((a, b) => a[1].first - b[1].first)
    .map(([emoji, g]) => ({ emoji, count: g.userIds.length, userIds: g.userIds, mine: g.userIds.includes(myId) }));
}

/** "You, alice and bob reacted with :smile:" (the reader first, as "You"). */
export function reactionSummary(group: ReactionGroup, myId: string, nameOf: (userId: string) => string): string {
  const names = [...(group.mine ? ['You'] : []), ...group.userIds.filter((id) => id !== myId).map(nameOf)];
  const who = names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `${who} reacted with :${group.emoji}:`;
}
