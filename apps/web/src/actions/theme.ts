/**
 * The colour theme: light, dark or the system's (state/preferences.ts themeMode). It is the
 * `data-theme` attribute of <html> (the stylesheet's variables follow it; without it, the
 * system's preference), and a copy in localStorage so that the next visit starts in it before
 * the preferences load — the login page too.
 */
import { savePreference } from './preferences';
import { THEME_PREFERENCE, themeMode, type ThemeMode } from '../state/preferences';
import { store } from '../state/store';

const STORAGE_KEY = 'mmchat.theme';

export function applyTheme(mode: ThemeMode): void {
  const root = document.documentElement;
  if (mode === 'system') delete root.dataset.theme;
  else root.dataset.theme = mode;
  try {
    localStorage.setItem(STORAGE_KEY, mode);
  } catch {
    // Not stored: the next visit starts with the system's theme until the preferences load.
  }
}

/** Applies the stored theme now, then the user's preference whenever it is loaded or changes. */
export function startTheme(): void {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  let applied: ThemeMode = stored === 'light' || stored === 'dark' ? stored : 'system';
  applyTheme(applied);
  store.subscribe(() => {
    const { preferences } = store.get();
    if (!preferences.loaded) return;
    const mode = themeMode(preferences);
    if (mode === applied) return;
    applied = mode;
    applyTheme(mode);
  });
}

export const chooseTheme = (mode: ThemeMode): Promise<void> => savePreference(THEME_PREFERENCE.category, THEME_PREFERENCE.name, mode);
