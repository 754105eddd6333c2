import { describe, expect, it } from 'vitest';
import { bullRepeat, nextSlot, parseDailyTime, sameSchedule } from './schedule.js';

describe('nextSlot', () => {
  it('aligns interval slots to multiples of the interval, strictly after the given time', () => {
    expect(nextSlot({ every: 1000 }, 0)).toBe(1000);
    expect(nextSlot({ every: 1000 }, 999)).toBe(1000);
    expect(nextSlot({ every: 1000 }, 1000)).toBe(2000);
    expect(nextSlot({ every: 1000 }, 1001)).toBe(2000);
    // Every node computes the same slots, whenever it starts.
    expect(nextSlot({ every: 5000 }, 1_700_000_001_234)).toBe(1_700_000_005_000);
  });

  it('gives the next local HH:MM for a daily schedule, today or tomorrow', () => {
    const morning = new Date(2026, 0, 10, 1, 30).getTime();
    expect(nextSlot({ daily: '02:00' }, morning)).toBe(new Date(2026, 0, 10, 2, 0).getTime());
    const atTwo = new Date(2026, 0, 10, 2, 0).getTime();
    expect(nextSlot({ daily: '02:00' }, atTwo)).toBe(new Date(2026, 0, 11, 2, 0).getTime());
    expect(nextSlot({ daily: '0:05' }, new Date(2026, 11, 31, 23, 0).getTime())).toBe(new Date(2027, 0, 1, 0, 5).getTime());
  });

  it('refuses bad schedules', () => {
    expect(() => nextSlot({ every: 0 }, 0)).toThrow(/positive/);
    expect(() => parseDailyTime('24:00')).toThrow(/HH:MM/);
    expect(() => parseDailyTime('2pm')).toThrow(/HH:MM/);
    expect(parseDailyTime('23:59')).toEqual({ hour: 23, minute: 59 });
  });
});

describe('bullRepeat', () => {
  it('starts interval schedulers on the next aligned slot and turns daily times into cron patterns', () => {
    expect(bullRepeat({ every: 3000 }, 10_500)).toEqual({ every: 3000, startDate: 12_000 });
    expect(bullRepeat({ daily: '02:07' }, 0)).toEqual({ pattern: '7 2 * * *' });
  });
});

describe('sameSchedule', () => {
  it('compares by value, null and undefined alike', () => {
    expect(sameSchedule({ every: 1 }, { every: 1 })).toBe(true);
    expect(sameSchedule({ every: 1 }, { every: 2 })).toBe(false);
    expect(sameSchedule(null, undefined)).toBe(true);
    expect(sameSchedule(null, { daily: '02:00' })).toBe(false);
  });
});
