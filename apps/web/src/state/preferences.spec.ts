import { describe, expect, it } from 'vitest';
import {
  collapsedThreadsChoosable,
  collapsedThreadsOn,
  deletedPreferences,
  initialPreferences,
  preferenceValue,
  receivedPreferences,
  themeMode,
} from './preferences';

const pref = (category: string, name: string, value: string) => ({ user_id: 'u', category, name, value });

describe('preferences', () => {
  it('keeps every preference by category and name, a full load replacing them', () => {
    let s = receivedPreferences(initialPreferences, [pref('a', 'x', '1'), pref('b', '', '2')], true);
    expect(s.loaded).toBe(true);
    s = receivedPreferences(s, [pref('a', 'x', '3')]);
    expect(preferenceValue(s, 'a', 'x')).toBe('3');
    expect(preferenceValue(s, 'b', '')).toBe('2');
    s = deletedPreferences(s, [{ category: 'a', name: 'x' }]);
    expect(preferenceValue(s, 'a', 'x')).toBeUndefined();
    expect(preferenceValue(receivedPreferences(s, [pref('c', 'y', '4')], true), 'b', '')).toBeUndefined();
  });

  it('reads the theme mode, the system one unless light or dark was chosen', () => {
    expect(themeMode(initialPreferences)).toBe('system');
    expect(themeMode(receivedPreferences(initialPreferences, [pref('display_settings', 'theme_mode', 'dark')]))).toBe('dark');
    expect(themeMode(receivedPreferences(initialPreferences, [pref('display_settings', 'theme_mode', 'purple')]))).toBe('system');
  });

  it("decides collapsed reply threads as Mattermost does: the server's setting, then the user's choice", () => {
    const off = receivedPreferences(initialPreferences, [pref('display_settings', 'collapsed_reply_threads', 'off')]);
    const on = receivedPreferences(initialPreferences, [pref('display_settings', 'collapsed_reply_threads', 'on')]);
    expect(collapsedThreadsOn('always_on', off)).toBe(true);
    expect(collapsedThreadsOn('disabled', on)).toBe(false);
    expect(collapsedThreadsOn('default_on', initialPreferences)).toBe(true);
    expect(collapsedThreadsOn('default_on', off)).toBe(false);
    expect(collapsedThreadsOn('default_off', initialPreferences)).toBe(false);
    expect(collapsedThreadsOn('default_off', on)).toBe(true);
    expect([collapsedThreadsChoosable('always_on'), collapsedThreadsChoosable('default_off')]).toEqual([false, true]);
  });
});
