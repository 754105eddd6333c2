import { describe, expect, it } from 'vitest';
import { sleep } from '#testing';
import { mapWithin } from './load.js';

describe('mapWithin', () => {
  it('runs all calls that fit in the budget, in start order, at most `limit` at a time', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapWithin(7, 3, 10_000, async (i) => {
      most = Math.max(most, ++inFlight);
      await sleep(5);
      inFlight--;
      return i * 2;
    });
    expect(out).toEqual([0, 2, 4, 6, 8, 10, 12]);
    expect(most).toBe(3);
  });

  it('starts no call once the budget is spent, but always at least one', async () => {
    const slow = await mapWithin(100, 2, 60, async (i) => {
      await sleep(25);
      return i;
    });
    expect(slow.length).toBeGreaterThanOrEqual(2);
    expect(slow.length).toBeLessThan(20);
    expect(slow).toEqual(slow.map((_, i) => i));
    expect(await mapWithin(5, 2, 0, async (i) => i)).toEqual([0]);
  });
});
