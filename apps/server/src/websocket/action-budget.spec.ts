import { describe, expect, it } from 'vitest';
import { ActionBudget } from './action-budget.js';

const takes = (budget: ActionBudget, count: number, now: number) => Array.from({ length: count }, () => budget.take(now)).filter(Boolean).length;

describe('ActionBudget', () => {
  it('allows a burst, then refuses until time refills it', () => {
    const budget = new ActionBudget(100, 100, 0);
    expect(takes(budget, 1000, 0)).toBe(100);
    expect(budget.take(5)).toBe(false); // half a token after 5 ms
    expect(budget.take(10)).toBe(true); // one token after 10 ms
    expect(takes(budget, 1000, 510)).toBe(50);
  });

  it('sustains its rate and never banks more than the burst', () => {
    const budget = new ActionBudget(100, 100, 0);
    // One action every 10 ms for ten seconds: always allowed.
    for (let t = 0; t < 10_000; t += 10) expect(budget.take(t)).toBe(true);
    // An hour idle still gives only one burst.
    expect(takes(budget, 1000, 3_600_000)).toBe(100);
  });

  it('ignores a clock that goes backwards', () => {
    const budget = new ActionBudget(2, 1, 1000);
    expect(takes(budget, 5, 1000)).toBe(2);
    expect(budget.take(0)).toBe(false);
    expect(budget.take(1999)).toBe(false);
    expect(budget.take(2100)).toBe(true);
  });
});
