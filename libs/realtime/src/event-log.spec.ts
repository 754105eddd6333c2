import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.js';
import type { StampedEvent } from './event-id.js';

const stamped = (seq: number, origin = 'a'): StampedEvent => ({
  id: { origin, seq },
  event: { event: 'typing', data: {}, broadcast: { omit_users: null, user_id: '', channel_id: 'c', team_id: '' } } as any,
});
const seqs = (log: EventLog) => [...log.all()].map((s) => s.id.seq);

describe('EventLog', () => {
  it('keeps the newest `capacity` events, in order, through many cut-offs of the consumed prefix', () => {
    const log = new EventLog(100, 60_000);
    for (let seq = 1; seq <= 5_000; seq++) log.add(stamped(seq), 1_000);
    expect(log.size).toBe(100);
    expect(seqs(log)).toEqual(Array.from({ length: 100 }, (_, i) => 4_901 + i));
    expect(log.get({ origin: 'a', seq: 4_901 })?.id.seq).toBe(4_901);
    expect(log.get({ origin: 'a', seq: 4_900 })).toBeUndefined();
  });

  it('drops events older than the maximum age when the next one arrives', () => {
    const log = new EventLog(10_000, 1_000);
    for (let seq = 1; seq <= 3_000; seq++) log.add(stamped(seq), seq); // one per ms
    expect(seqs(log)[0]).toBe(2_000);
    log.add(stamped(1, 'b'), 10_000);
    expect(seqs(log)).toEqual([1]);
    expect(log.get({ origin: 'a', seq: 2_999 })).toBeUndefined();
    expect(log.get({ origin: 'b', seq: 1 })).toBeDefined();
  });
});
