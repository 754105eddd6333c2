/**
 * The one state container of the app: a value, replaced (never mutated) by `set`, and listeners
 * told after each change. React reads it through useSyncExternalStore (lib/use-store.ts); plain
 * modules (actions, the socket) read and write it directly. Nothing here knows about React.
 */
export interface Store<S> {
  get(): S;
  /** Replaces the state; listeners run only when the new state is a different object. */
  set(next: S | ((current: S) => S)): void;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

export function createStore<S>(initial: S): Store<S> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(next) {
      const value = typeof next === 'function' ? (next as (current: S) => S)(state) : next;
      if (Object.is(value, state)) return;
      state = value;
      // A copy: a listener may unsubscribe (or subscribe another) while we are telling them.
      for (const listener of [...listeners]) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Updates one slice of an object state with a slice function; the state object is replaced only
 * when the slice function returns a new slice, so unrelated subscribers see no change.
 */
export function updateSlice<S extends object, K extends keyof S>(store: Store<S>, key: K, fn: (slice: S[K]) => S[K]): void {
  store.set((state) => {
    const next = fn(state[key]);
    return Object.is(next, state[key]) ? state : { ...state, [key]: next };
  });
}
