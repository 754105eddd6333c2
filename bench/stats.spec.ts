import { describe, expect, it } from 'vitest';
import { median, percentile, rate, round, summarize } from './stats.js';

describe('median', () => {
  it('is the middle value, the mean of the two middle ones for an even count, NaN for none, whatever the order', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100

  it('picks the smallest value with p % of samples at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 99.9)).toBe(100);
    expect(percentile(hundred, 1)).toBe(1);
  });

  it('returns the max as p99 of a small sample', () => {
    expect(percentile([3, 7, 9], 99)).toBe(9);
    expect(percentile([3, 7, 9], 50)).toBe(7);
  });

  it('clamps p to the ends and is NaN for no samples', () => {
    expect(percentile([1, 2], 0)).toBe(1);
    expect(percentile([1, 2], 100)).toBe(2);
    expect(percentile([1, 2], 150)).toBe(2);
    expect(percentile([], 50)).toBeNaN();
  });

  it('handles a single sample', () => {
    expect(percentile([42], 1)).toBe(42);
    expect(percentile([42], 99)).toBe(42);
  });
});

describe('summarize', () => {
  it('sorts a copy and reports count, min, max, mean and percentiles', () => {
    const values = [5, 1, 4, 2, 3];
    const s = summarize(values);
    expect(values).toEqual([5, 1, 4, 2, 3]);
    expect(s).toEqual({ count: 5, min: 1, p50: 3, p90: 5, p99: 5, max: 5, mean: 3 });
  });

  it('is NaN-valued but safe for no samples', () => {
    const s = summarize([]);
    expect(s.count).toBe(0);
    expect(s.p99).toBeNaN();
    expect(s.mean).toBeNaN();
  });
});

describe('rate and round', () => {
  it('computes operations per second', () => {
    expect(rate(500, 10_000)).toBe(50);
    expect(rate(5, 0)).toBe(0);
  });

  it('rounds to the given decimals', () => {
    expect(round(12.345, 1)).toBe(12.3);
    expect(round(12.3456, 2)).toBe(12.35);
    expect(round(7.6, 0)).toBe(8);
  });
});
