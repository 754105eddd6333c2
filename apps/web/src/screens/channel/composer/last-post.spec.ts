import type { Post } from '@mattermost/types/posts';
import { describe, expect, it } from 'vitest';
import { isSlashCommand, lastEditablePost } from './last-post';

const post = (id: string, user_id: string, extra: Partial<Post> = {}) => ({ id, user_id, message: id, root_id: '', delete_at: 0, type: '', ...extra }) as Post;

describe('lastEditablePost', () => {
  it("finds the user's newest plain post", () => {
    const posts = [post('p1', 'me'), post('p2', 'bob'), post('p3', 'me', { type: 'system_join_channel' }), post('p4', 'me', { delete_at: 9 })];
    expect(lastEditablePost(posts, 'me')?.id).toBe('p1');
    expect(lastEditablePost(posts, 'carol')).toBeUndefined();
  });

  it('skips posts still being sent, and keeps to the thread of a reply box', () => {
    const posts = [post('root', 'me'), post('r1', 'me', { root_id: 'root' }), post('other', 'me'), post('me:1', 'me', { pending_post_id: 'me:1' })];
    expect(lastEditablePost(posts, 'me')?.id).toBe('other');
    expect(lastEditablePost(posts, 'me', 'root')?.id).toBe('r1');
  });
});

describe('isSlashCommand', () => {
  it('takes a leading slash, but not a lone one or a double slash', () => {
    expect(isSlashCommand('/echo hi')).toBe(true);
    expect(isSlashCommand('/')).toBe(false);
    expect(isSlashCommand('//not a command')).toBe(false);
    expect(isSlashCommand('hi /echo')).toBe(false);
  });
});
