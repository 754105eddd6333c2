/** The app's one store, and the hook components read it with. */
import { createStore, updateSlice } from '../lib/store';
import { useStore } from '../lib/use-store';
import { initialAppState, type AppState } from './app-state';

export const store = createStore<AppState>(initialAppState());

/** Re-renders the component when the selected part of the state changes (see lib/use-store.ts for what to select). */
export function useAppState<T>(select: (state: AppState) => T): T {
  return useStore(store, select);
}

/** Applies a slice function to one slice of the app state: `update('posts', (p) => receivedPost(p, post))`. */
export function update<K extends keyof AppState>(key: K, fn: (slice: AppState[K]) => AppState[K]): void {
  updateSlice(store, key, fn);
}
