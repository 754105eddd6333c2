import type { Post } from '@mattermost/types/posts';
import type { Reaction } from '@mattermost/types/reactions';
import { describe, expect, it } from 'vitest';
import { initialPosts, receivedPosts } from './posts';
import { groupReactions, reactionAdded, reactionRemoved, reactionSummary, withoutReaction, withReaction } from './reactions';

const reaction = (user_id: string, emoji_name: string, create_at: number): Reaction => ({ user_id, emoji_name, create_at, post_id: 'p1' }) as Reaction;
const post = { id: 'p1', metadata: {} } as Post;

describe('reactions', () => {
  it('adds a reaction once and removes it', () => {
    const r = reaction('u1', 'smile', 1);
    const once = withReaction(withReaction(post, r), r);
    expect(once.metadata.reactions).toEqual([r]);
    const none = withoutReaction(once, r);
    expect(none.metadata.reactions).toEqual([]);
    expect(withoutReaction(post, r)).toBe(post);
  });

  it('changes the stored post, and leaves posts it does not know alone', () => {
    const state = receivedPosts(initialPosts, [post]);
    const added = reactionAdded(state, reaction('u1', '+1', 1));
    expect(added.byId.p1!.metadata.reactions).toHaveLength(1);
    expect(reactionRemoved(added, reaction('u1', '+1', 1)).byId.p1!.metadata.reactions).toEqual([]);
    expect(reactionAdded(initialPosts, reaction('u1', '+1', 1))).toBe(initialPosts);
  });

  it('groups by emoji in the order each was first used, with who and whether the reader is in', () => {
    const groups = groupReactions([reaction('u2', 'tada', 5), reaction('u1', 'smile', 1), reaction('u3', 'smile', 2), reaction('me', 'tada', 6)], 'me');
    expect(groups).toEqual([
      { emoji: 'smile', count: 2, userIds: ['u1', 'u3'], mine: false },
      { emoji: 'tada', count: 2, userIds: ['u2', 'me'], mine: true },
    ]);
    expect(groupReactions(undefined, 'me')).toEqual([]);
  });

  it('says who reacted, the reader first', () => {
    const names: Record<string, string> = { u1: 'alice', u2: 'bob' };
    const nameOf = (id: string) => names[id] ?? 'someone';
    expect(reactionSummary({ emoji: 'tada', count: 3, userIds: ['u1', 'me', 'u2'], mine: true }, 'me', nameOf)).toBe('You, alice and bob reacted with :tada:');
    expect(reactionSummary({ emoji: '+1', count: 1, userIds: ['u1'], mine: false }, 'me', nameOf)).toBe('alice reacted with :+1:');
  });
});
