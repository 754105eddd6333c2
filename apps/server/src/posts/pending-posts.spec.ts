import { describe, expect, it } from 'vitest';
import { PendingPosts } from './pending-posts.js';

describe('PendingPosts', () => {
  it('returns the first result for a repeated key within the window', async () => {
    const pending = new PendingPosts<number>(1000);
    let calls = 0;
    const create = async () => ++calls;
    expect(await pending.run('k', create, 0)).toBe(1);
    expect(await pending.run('k', create, 500)).toBe(1);
    expect(await pending.run('k', create, 1500)).toBe(2);
    expect(await pending.run('other', create, 1500)).toBe(3);
  });

  it('concurrent duplicates share one attempt', async () => {
    const pending = new PendingPosts<string>();
    let calls = 0;
    const create = () => new Promise<string>((resolve) => setTimeout(() => resolve(`post${++calls}`), 5));
    const [a, b] = await Promise.all([pending.run('k', create), pending.run('k', create)]);
    expect([a, b]).toEqual(['post1', 'post1']);
  });

  it('a failed attempt can be retried', async () => {
    const pending = new PendingPosts<string>();
    await expect(pending.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await pending.run('k', async () => 'ok')).toBe('ok');
  });
});
