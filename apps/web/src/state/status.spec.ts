import type { UserProfile } from '@mattermost/types/users';
import { describe, expect, it } from 'vitest';
import { customStatusExpiry, customStatusOf, expiryLabel, initialStatus, receivedStatuses, statusOf } from './status';

const withStatus = (value: unknown) => ({ props: { customStatus: typeof value === 'string' ? value : JSON.stringify(value) } }) as unknown as UserProfile;

describe('statuses', () => {
  it('keeps the last status of each person, unknown ones as offline', () => {
    let s = receivedStatuses(initialStatus, [
      { user_id: 'a', status: 'online' },
      { user_id: 'b', status: 'dnd' },
      { user_id: 'c', status: 'weird' },
    ]);
    expect([statusOf(s, 'a'), statusOf(s, 'b'), statusOf(s, 'c'), statusOf(s, 'd')]).toEqual(['online', 'dnd', 'offline', undefined]);
    expect(receivedStatuses(s, [{ user_id: 'a', status: 'online' }])).toBe(s);
    s = receivedStatuses(s, [{ user_id: 'a', status: 'away' }]);
    expect(statusOf(s, 'a')).toBe('away');
  });
});

describe('custom status', () => {
  const now = Date.parse('2030-03-06T12:00:00Z');

  it("reads the profile's customStatus prop, with its expiry", () => {
    expect(customStatusOf(withStatus({ emoji: 'calendar', text: 'In a meeting', duration: 'one_hour', expires_at: '2030-03-06T13:00:00Z' }), now)).toEqual({
      emoji: 'calendar',
      text: 'In a meeting',
      duration: 'one_hour',
      expiresAt: Date.parse('2030-03-06T13:00:00Z'),
    });
    expect(customStatusOf(withStatus({ emoji: 'palm_tree', text: '', duration: '', expires_at: '0001-01-01T00:00:00Z' }), now)?.expiresAt).toBe(0);
  });

  it('hides an expired, empty or unreadable status', () => {
    expect(customStatusOf(withStatus({ emoji: 'x', text: 'y', expires_at: '2030-03-06T11:00:00Z' }), now)).toBeUndefined();
    expect(customStatusOf(withStatus({ emoji: '', text: '' }), now)).toBeUndefined();
    expect(customStatusOf(withStatus('not json'), now)).toBeUndefined();
    expect(customStatusOf(withStatus(''), now)).toBeUndefined();
    expect(customStatusOf(undefined, now)).toBeUndefined();
  });

  it('computes when each "Clear after" choice ends', () => {
    const wednesday = new Date(2030, 2, 6, 10, 0); // local time
    expect(customStatusExpiry('thirty_minutes', wednesday)).toBe(wednesday.getTime() + 30 * 60_000);
    expect(customStatusExpiry('four_hours', wednesday)).toBe(wednesday.getTime() + 4 * 3600_000);
    expect(customStatusExpiry('today', wednesday)).toBe(new Date(2030, 2, 6, 23, 59, 59, 999).getTime());
    expect(customStatusExpiry('this_week', wednesday)).toBe(new Date(2030, 2, 10, 23, 59, 59, 999).getTime());
    const chosen = new Date(2030, 2, 8, 9, 30);
    expect(customStatusExpiry('date_and_time', wednesday, chosen)).toBe(chosen.getTime());
    expect(customStatusExpiry('', wednesday)).toBe(0);
  });

  it('says until when, with the date only when it is not today', () => {
    const at = new Date(2030, 2, 6, 10, 0);
    expect(expiryLabel(0, at)).toBe('');
    expect(expiryLabel(new Date(2030, 2, 6, 17, 30).getTime(), at)).toMatch(/^Until \d/);
    expect(expiryLabel(new Date(2030, 2, 8, 17, 30).getTime(), at)).toMatch(/^Until \D/);
  });
});
