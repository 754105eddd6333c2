/**
 * The user's preferences (GET /users/me/preferences): category + name → value, kept in step by
 * the `preferences_changed` / `preferences_deleted` events. The app reads the display settings
 * from here: its colour theme and collapsed reply threads.
 */
import type { PreferenceType } from '@mattermost/types/preferences';

export interface PreferencesState {
  loaded: boolean;
  byKey: Record<string, string>;
}

export const initialPreferences: PreferencesState = { loaded: false, byKey: {} };

const key = (category: string, name: string) => `${category}--${name}`;

export function receivedPreferences(state: PreferencesState, prefs: PreferenceType[], all = false): PreferencesState {
  const byKey = all ? {} : { ...state.byKey };
  for (const p of prefs) byKey[key(p.category, p.name)] = p.value ?? '';
  return { loaded: state.loaded || all, byKey };
}

export function deletedPreferences(state: PreferencesState, prefs: Pick<PreferenceType, 'category' | 'name'>[]): PreferencesState {
  const byKey = { ...state.byKey };
  for (const p of prefs) delete byKey[key(p.category, p.name)];
  return { ...state, byKey };
}

export const preferenceValue = (state: PreferencesState, category: string, name: string): string | undefined => state.byKey[key(category, name)];

/**
 * The colour theme: light, dark, or the system's. An mmchat preference of its own
 * (display_settings / theme_mode), so that Mattermost's own `theme` preference — full colour sets
 * that Mattermost's apps read — is left alone.
 */
export type ThemeMode = 'system' | 'light' | 'dark';
export const THEME_PREFERENCE = { category: 'display_settings', name: 'theme_mode' } as const;

export function themeMode(state: PreferencesState): ThemeMode {
  const value = preferenceValue(state, THEME_PREFERENCE.category, THEME_PREFERENCE.name);
  return value === 'light' || value === 'dark' ? value : 'system';
}

/** Mattermost's collapsed reply threads preference ('on' / 'off'). */
export const CRT_PREFERENCE = { category: 'display_settings', name: 'collapsed_reply_threads' } as const;

/**
 * Whether collapsed reply threads are on (Mattermost's IsCRTEnabledForUser): the server's
 * ServiceSettings.CollapsedThreads decides, unless it leaves the choice to the user
 * (default_on / default_off), whose preference then counts.
 */
export function collapsedThreadsOn(setting: string | undefined, state: PreferencesState): boolean {
  if (setting === 'always_on') return true;
  if (setting === 'disabled' || !setting) return false;
  const pref = preferenceValue(state, CRT_PREFERENCE.category, CRT_PREFERENCE.name);
  return setting === 'default_on' ? pref !== 'off' : pref === 'on';
}

/** Whether the user may switch collapsed reply threads at all. */
export const collapsedThreadsChoosable = (setting: string | undefined): boolean => setting === 'default_on' || setting === 'default_off';
