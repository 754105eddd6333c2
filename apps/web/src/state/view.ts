/**
 * What the current screen's data is doing: loading, ready, or failed with a message. Keyed by
 * the route's path, so that a slow answer for a screen the person already left changes nothing.
 */
export interface ViewState {
  path: string;
  status: 'idle' | 'loading' | 'ready' | 'failed';
  error: string;
}

export const initialView: ViewState = { path: '', status: 'idle', error: '' };

export const viewLoading = (path: string): ViewState => ({ path, status: 'loading', error: '' });

/** The load of `path` ended (with an error message, or ''); ignored when the person has moved on. */
export function viewFinished(state: ViewState, path: string, error = ''): ViewState {
  if (state.path !== path) return state;
  return { path, status: error ? 'failed' : 'ready', error };
}
