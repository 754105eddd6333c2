/**
 * The user's preferences: loaded once signed in (GET /users/me/preferences), saved one at a time
 * (PUT /users/me/preferences; shown at once, put back if the server refuses), and kept in step by
 * the socket's `preferences_changed` / `preferences_deleted` (another tab, another device).
 */
import type { PreferenceType } from '@mattermost/types/preferences';
import { client } from '../api/client';
import { deletedPreferences, preferenceValue, receivedPreferences } from '../state/preferences';
import { currentUserId } from '../state/session';
import { store, update } from '../state/store';

let loading = false;

export async function loadPreferences(): Promise<void> {
  if (loading) return;
  loading = true;
  try {
    const prefs = (await client.getMyPreferences()) as unknown as PreferenceType[];
    update('preferences', (s) => receivedPreferences(s, prefs, true));
  } finally {
    loading = false;
  }
}

/** Loads the preferences whenever someone signs in (once per sign-in; the state is reset at sign-out). */
export function startPreferences(): void {
  const check = () => {
    const { session, preferences } = store.get();
    if (session.status === 'signed-in' && !preferences.loaded && !loading) void loadPreferences().catch(() => undefined);
  };
  store.subscribe(check);
  check();
}

export async function savePreference(category: string, name: string, value: string): Promise<void> {
  const user_id = currentUserId(store.get().session);
  const before = preferenceValue(store.get().preferences, category, name);
  const pref = { user_id, category, name, value };
  update('preferences', (s) => receivedPreferences(s, [pref]));
  try {
    await client.savePreferences(user_id, [pref]);
  } catch (err) {
    update('preferences', (s) => (before === undefined ? deletedPreferences(s, [pref]) : receivedPreferences(s, [{ ...pref, value: before }])));
    throw err;
  }
}

/** The socket's preference events carry the preferences as JSON text. */
export function preferencesEvent(json: unknown, deleted: boolean): void {
  if (typeof json !== 'string') return;
  let prefs: PreferenceType[];
  try {
    prefs = JSON.parse(json) as PreferenceType[];
  } catch {
    return;
  }
  if (!Array.isArray(prefs)) return;
  update('preferences', (s) => (deleted ? deletedPreferences(s, prefs) : receivedPreferences(s, prefs)));
}
