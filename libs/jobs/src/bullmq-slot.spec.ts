import { describe, expect, it } from 'vitest';
import { scheduledSlot } from './bullmq-driver.js';

const job = (id: string, every?: number) => ({ id, repeatJobKey: 'k', opts: every ? { repeat: { every } } : {} });

describe('scheduledSlot', () => {
  it("reads the slot from a scheduler iteration's id", () => {
    expect(scheduledSlot(job('repeat:k:1800000000000', 2000))).toBe(1_800_000_000_000);
    expect(scheduledSlot({ id: '42', repeatJobKey: undefined, opts: {} })).toBeUndefined();
    expect(scheduledSlot(job('repeat:k:soon'))).toBeUndefined();
  });

  it('keeps interval slots on the grid when BullMQ started the series off it (a late upsert)', () => {
    // BullMQ fell back to its own now, 2 ms after the slot we asked for, and kept that offset.
    expect(scheduledSlot(job('repeat:k:1800000002002', 2000))).toBe(1_800_000_002_000);
    expect(scheduledSlot(job('repeat:k:1800000003999', 2000))).toBe(1_800_000_004_000);
    // A daily (cron) schedule has no interval: the time is the slot.
    expect(scheduledSlot(job('repeat:k:1800000003999'))).toBe(1_800_000_003_999);
  });
});
