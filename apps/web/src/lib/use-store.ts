import { useSyncExternalStore } from 'react';
import type { Store } from './store';

/**
 * The part of a store's state a component renders; the component re-renders when it changes
 * (compared with Object.is). `select` must return something already in the state (a slice, an
 * entity, a stored array) or a primitive: a new object or array on every call would re-render
 * forever. Derive lists in the component with useMemo over what this returns.
 */
export function useStore<S, T>(store: Store<S>, select: (state: S) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}
