import { describe, expect, it } from 'vitest';
import { DurationHistogram, NamedCounts } from './stat-counters.js';

describe('NamedCounts', () => {
  it('counts by name, up and down', () => {
    const c = new NamedCounts();
    c.inc('posted');
    c.inc('posted');
    c.inc('typing', 3);
    c.dec('typing');
    expect(Object.fromEntries(c.entries())).toEqual({ posted: 2, typing: 2 });
    expect(c.get('unknown')).toBe(0);
  });
});

describe('DurationHistogram', () => {
  it('puts each value in the first bucket whose bound it does not exceed, the rest above the last', () => {
    const h = new DurationHistogram([0.1, 1]);
    for (const v of [0.05, 0.1, 0.5, 1, 3]) h.observe(v);
    expect(h.counts).toEqual([2, 2, 1]);
    expect(h.count).toBe(5);
    expect(h.sum).toBeCloseTo(4.65);
  });
});
