import { describe, expect, it } from 'vitest';
import { composeMessage, mentionedUsername, permalinkPostId, permalinkUrl, pickWordCount } from './messages.js';
import { seededRandom } from '#testing';

describe('messages', () => {
  it('have load-test-ng word counts: uniform in [1, 2·avg − 1), mean ≈ avg', () => {
    const rand = seededRandom(5);
    let sum = 0;
    let min = Infinity;
    let max = 0;
    for (let i = 0; i < 50_000; i++) {
      const n = pickWordCount(35, rand);
      sum += n;
      min = Math.min(min, n);
      max = Math.max(max, n);
    }
    expect(min).toBe(1);
    expect(max).toBe(68);
    expect(sum / 50_000).toBeCloseTo(34.5, 0);
  });

  it('carry mentions and permalinks that can be found again', () => {
    const link = permalinkUrl('http://127.0.0.1:8065/', 'lt-team-0', 'abcdefghijklmnopqrstuvwxyz');
    const m = composeMessage({ isReply: false, mention: 'lt-user-4', permalink: link }, { post: 35, reply: 24 }, seededRandom(2));
    expect(m.startsWith('@lt-user-4 ')).toBe(true);
    expect(mentionedUsername(m)).toBe('lt-user-4');
    expect(permalinkPostId(m)).toBe('abcdefghijklmnopqrstuvwxyz');
    expect(permalinkPostId('no link here')).toBeUndefined();
  });
});
