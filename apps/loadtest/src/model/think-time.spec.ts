import { describe, expect, it } from 'vitest';
import { idleTimeRangeMs, meanIdleTimeMs, pickIdleTimeMs } from './think-time.js';
import { seededRandom } from '#testing';

describe('think time (load-test-ng PickIdleTimeMs)', () => {
  it('is uniform over [min, 2·avg − min) scaled by the rate', () => {
    const rand = seededRandom(3);
    const [low, high] = idleTimeRangeMs(1000, 20_000, 5.4);
    expect(low).toBe(5400);
    expect(high).toBe(210_600);
    const n = 100_000;
    const bins = new Array(10).fill(0);
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = pickIdleTimeMs(1000, 20_000, 5.4, rand);
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
      bins[Math.floor(((v - low) / (high - low)) * 10)]++;
    }
    expect(min).toBeGreaterThanOrEqual(low);
    expect(max).toBeLessThan(high);
    // Mean = avg · rate = 108 s (the ceiling tests' think time).
    expect(sum / n / 1000).toBeCloseTo(meanIdleTimeMs(20_000, 5.4) / 1000, 0);
    expect(Math.abs(sum / n - 108_000)).toBeLessThan(108_000 * 0.01);
    // Every tenth of the range gets a tenth of the draws (±5 %).
    for (const b of bins) expect(Math.abs(b / n - 0.1)).toBeLessThan(0.005);
  });

  it('hits both ends of the range', () => {
    expect(pickIdleTimeMs(1000, 5000, 1, () => 0)).toBe(1000);
    expect(pickIdleTimeMs(1000, 5000, 1, () => 0.999999)).toBeCloseTo(9000, 0);
    expect(pickIdleTimeMs(1000, 5000, 2, () => 0.5)).toBe(10_000);
  });
});
