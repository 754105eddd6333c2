import { describe, expect, it } from 'vitest';
import { applyStatusChange, isExpiredDnd, StatusRow } from './status.model.js';

const U = 'ybndrfg8ejkmcpqxot1uwisza3';
const NOW = 1_700_000_000_000;
const row = (over: Partial<StatusRow> = {}): StatusRow => ({
  user_id: U,
  status: 'online',
  manual: false,
  last_activity_at: NOW - 1000,
  dnd_end_time: 0,
  prev_status: '',
  ...over,
});
const AWAY_MS = 300_000;

describe('applyStatusChange: automatic presence', () => {
  it('a first socket makes a user without a status online', () => {
    const t = applyStatusChange(null, U, { kind: 'online', manual: false }, NOW);
    expect(t).toEqual({ next: { ...row(), status: 'online', last_activity_at: NOW }, broadcast: true, write: 'row' });
  });

  it('goes from offline to online and says so', () => {
    const t = applyStatusChange(row({ status: 'offline' }), U, { kind: 'online', manual: false }, NOW)!;
    expect(t.next.status).toBe('online');
    expect(t.broadcast).toBe(true);
  });

  it('does not override a status chosen by hand', () => {
    for (const status of ['dnd', 'away', 'offline']) {
      expect(applyStatusChange(row({ status, manual: true }), U, { kind: 'online', manual: false }, NOW)).toBeNull();
      expect(applyStatusChange(row({ status, manual: true }), U, { kind: 'offline', manual: false }, NOW)).toBeNull();
    }
  });

  it('staying online only refreshes the activity time, and only now and then', () => {
    const recent = applyStatusChange(row(), U, { kind: 'online', manual: false }, NOW)!;
    expect(recent).toMatchObject({ broadcast: false, write: 'none' });
    const stale = applyStatusChange(row({ last_activity_at: NOW - 200_000 }), U, { kind: 'online', manual: false }, NOW)!;
    expect(stale).toMatchObject({ broadcast: false, write: 'activity' });
    expect(stale.next.last_activity_at).toBe(NOW);
  });

  it('the last socket closing makes an automatic status offline', () => {
    const t = applyStatusChange(row({ status: 'away' }), U, { kind: 'offline', manual: false }, NOW)!;
    expect(t.next).toEqual({ ...row(), status: 'offline', manual: false, last_activity_at: NOW });
    expect(t.broadcast).toBe(true);
  });

  it('goes away on inactivity only after the away timeout, and never over a manual status', () => {
    const idle = { kind: 'away' as const, manual: false, awayTimeoutMs: AWAY_MS };
    expect(applyStatusChange(row({ last_activity_at: NOW - 1000 }), U, idle, NOW)).toBeNull();
    expect(applyStatusChange(row({ last_activity_at: NOW - AWAY_MS }), U, idle, NOW)?.next.status).toBe('away');
    expect(applyStatusChange(row({ status: 'away', last_activity_at: 0 }), U, idle, NOW)).toBeNull();
    expect(applyStatusChange(row({ status: 'dnd', manual: true, last_activity_at: 0 }), U, idle, NOW)).toBeNull();
  });
});

describe('applyStatusChange: statuses set by hand', () => {
  it('online by hand clears manual (online is never manual)', () => {
    const t = applyStatusChange(row({ status: 'dnd', manual: true }), U, { kind: 'online', manual: true }, NOW)!;
    expect(t.next).toMatchObject({ status: 'online', manual: false, last_activity_at: NOW });
    expect(t).toMatchObject({ broadcast: true, write: 'row' });
  });

  it('online by hand while already online but manual still rewrites the row', () => {
    const t = applyStatusChange(row({ manual: true }), U, { kind: 'online', manual: true }, NOW)!;
    expect(t).toMatchObject({ broadcast: false, write: 'row' });
  });

  it('offline and away by hand are manual', () => {
    expect(applyStatusChange(row(), U, { kind: 'offline', manual: true }, NOW)!.next).toMatchObject({ status: 'offline', manual: true });
    const away = applyStatusChange(row(), U, { kind: 'away', manual: true, awayTimeoutMs: AWAY_MS }, NOW)!;
    expect(away.next).toMatchObject({ status: 'away', manual: true });
    expect(away.broadcast).toBe(true);
  });

  it('dnd is manual, remembers the previous status and its end time', () => {
    const t = applyStatusChange(row({ status: 'away', manual: true }), U, { kind: 'dnd', endTime: 1_700_000_600 }, NOW)!;
    expect(t.next).toMatchObject({ status: 'dnd', manual: true, dnd_end_time: 1_700_000_600, prev_status: 'away' });
  });

  it('dnd without a status row starts from offline', () => {
    expect(applyStatusChange(null, U, { kind: 'dnd', endTime: 0 }, NOW)!.next).toMatchObject({ status: 'dnd', prev_status: 'offline', dnd_end_time: 0 });
  });

  it('dnd again keeps the status to return to', () => {
    const t = applyStatusChange(row({ status: 'dnd', manual: true, prev_status: 'online', dnd_end_time: 5 }), U, { kind: 'dnd', endTime: 9 }, NOW)!;
    expect(t.next).toMatchObject({ status: 'dnd', prev_status: 'online', dnd_end_time: 9 });
  });
});

describe('isExpiredDnd', () => {
  it('is true once a timed DND end (seconds) has come', () => {
    expect(isExpiredDnd(row({ status: 'dnd', dnd_end_time: NOW / 1000 }), NOW)).toBe(true);
    expect(isExpiredDnd(row({ status: 'dnd', dnd_end_time: NOW / 1000 + 1 }), NOW)).toBe(false);
    expect(isExpiredDnd(row({ status: 'dnd', dnd_end_time: 0 }), NOW)).toBe(false);
    expect(isExpiredDnd(row({ status: 'online', dnd_end_time: 1 }), NOW)).toBe(false);
  });
});
