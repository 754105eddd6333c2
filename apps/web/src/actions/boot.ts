/** Start-up: the routes, the session, then the first screen's data. */
import { errorMessage } from '../api/errors';
import { store, update } from '../state/store';
import { onRouteChange, startNavigation } from './navigation';
import { startPreferences } from './preferences';
import { enterRoute } from './routing';
import { loadClientConfig, restoreSession, watchSession } from './session';
import { startTheme } from './theme';

export async function boot(): Promise<void> {
  watchSession();
  startTheme();
  startPreferences();
  onRouteChange((route) => void enterRoute(route));
  startNavigation();
  try {
    await loadClientConfig();
    await restoreSession();
  } catch (err) {
    // The server cannot be reached: the app says so instead of a blank page.
    update('view', () => ({ path: '', status: 'failed', error: errorMessage(err) }));
    update('session', () => ({ status: 'signed-out', reason: 'none' }));
  }
  await enterRoute(store.get().route);
}
