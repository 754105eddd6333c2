import { describe, expect, it } from 'vitest';
import { Histogram } from './histogram.js';

describe('Histogram', () => {
  it('reports percentiles within one 4 % bucket, never below the true value', () => {
    const h = new Histogram();
    for (let i = 1; i <= 1000; i++) h.record(i);
    expect(h.count).toBe(1000);
    expect(h.mean).toBeCloseTo(500.5);
    for (const [p, exact] of [
      [50, 500],
      [90, 900],
      [99, 990],
    ] as const) {
      expect(h.percentile(p)).toBeGreaterThanOrEqual(exact);
      expect(h.percentile(p)).toBeLessThanOrEqual(exact * 1.04);
    }
    expect(h.percentile(100)).toBe(1000);
  });

  it('merges through its wire form', () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let i = 0; i < 100; i++) a.record(10);
    for (let i = 0; i < 100; i++) b.record(1000);
    const m = Histogram.from(a.toData()).merge(b.toData());
    expect(m.count).toBe(200);
    expect(m.max).toBe(1000);
    expect(m.percentile(50)).toBeLessThan(11);
    expect(m.percentile(51)).toBeGreaterThan(900);
  });

  it('is NaN when empty', () => {
    expect(new Histogram().percentile(99)).toBeNaN();
    expect(new Histogram().summary().count).toBe(0);
  });
});
