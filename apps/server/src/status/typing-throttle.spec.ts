import { describe, expect, it } from 'vitest';
import { TypingThrottle } from './typing-throttle.js';

const [U1, U2, C1, C2] = ['u1', 'u2', 'c1', 'c2'].map((s) => s.padEnd(26, 'x'));
const WINDOW = 2500;

describe('TypingThrottle', () => {
  it('lets one notice per user and channel through within the window', () => {
    const t = new TypingThrottle();
    const admitted = Array.from({ length: 1000 }, (_, i) => t.admit(U1, C1, 1000 + i, WINDOW)).filter(Boolean);
    expect(admitted).toHaveLength(1);
    expect(t.recent(U1, C1, 1999, WINDOW)).toBe(true);
  });

  it('keeps users and channels apart', () => {
    const t = new TypingThrottle();
    expect(t.admit(U1, C1, 0, WINDOW)).toBe(true);
    expect(t.admit(U1, C2, 0, WINDOW)).toBe(true);
    expect(t.admit(U2, C1, 0, WINDOW)).toBe(true);
    expect(t.admit(U1, C1, 1, WINDOW)).toBe(false);
  });

  it('lets the next notice through once the window has passed since the last one let through', () => {
    const t = new TypingThrottle();
    expect(t.admit(U1, C1, 0, WINDOW)).toBe(true);
    expect(t.admit(U1, C1, WINDOW - 1, WINDOW)).toBe(false);
    // The refused notice did not restart the window.
    expect(t.recent(U1, C1, WINDOW, WINDOW)).toBe(false);
    expect(t.admit(U1, C1, WINDOW, WINDOW)).toBe(true);
    expect(t.admit(U1, C1, WINDOW + 1, WINDOW)).toBe(false);
  });

  it('lets everything through with a window of 0', () => {
    const t = new TypingThrottle();
    expect([0, 0, 0].map((now) => t.admit(U1, C1, now, 0))).toEqual([true, true, true]);
    expect(t.recent(U1, C1, 0, 0)).toBe(false);
    expect(t.size).toBe(0);
  });

  it('forgets notices older than the window instead of growing without bound', () => {
    const t = new TypingThrottle();
    for (let i = 0; i < 10_000; i++) t.admit(`u${i}`.padEnd(26, 'x'), C1, i * WINDOW, WINDOW);
    expect(t.size).toBeLessThanOrEqual(1024);
  });
});
