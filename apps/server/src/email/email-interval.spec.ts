import { describe, expect, it } from 'vitest';
import { batchIntervalSeconds } from './email-interval.js';

describe('batchIntervalSeconds', () => {
  it('"30" is immediately; no preference or one that is no positive number is fifteen minutes; others as given', () => {
    expect(batchIntervalSeconds('30')).toBeNull();
    expect(batchIntervalSeconds(undefined)).toBe(900);
    expect(batchIntervalSeconds('')).toBe(900);
    expect(batchIntervalSeconds('soon')).toBe(900);
    expect(batchIntervalSeconds('-5')).toBe(900);
    expect(batchIntervalSeconds('3600')).toBe(3600);
    expect(batchIntervalSeconds('900')).toBe(900);
  });
});
