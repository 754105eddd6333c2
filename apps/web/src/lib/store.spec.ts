import { describe, expect, it } from 'vitest';
import { createStore, updateSlice } from './store';

describe('createStore', () => {
  it('replaces the state and tells every listener once per change', () => {
    const store = createStore({ n: 1 });
    const seen: number[] = [];
    store.subscribe(() => seen.push(store.get().n));
    store.set({ n: 2 });
    store.set((s) => ({ n: s.n + 1 }));
    expect(store.get()).toEqual({ n: 3 });
    expect(seen).toEqual([2, 3]);
  });

  it('tells nobody when the state object stays the same', () => {
    const store = createStore({ n: 1 });
    let calls = 0;
    store.subscribe(() => calls++);
    store.set((s) => s);
    expect(calls).toBe(0);
  });

  it('stops telling a listener once it unsubscribes, also from inside a notification', () => {
    const store = createStore(0);
    const seen: string[] = [];
    const offA = store.subscribe(() => {
      seen.push('a');
      offA();
    });
    store.subscribe(() => seen.push('b'));
    store.set(1);
    store.set(2);
    expect(seen).toEqual(['a', 'b', 'b']);
  });
});

describe('updateSlice', () => {
  it('replaces only the slice that changed and keeps the others as they were', () => {
    const store = createStore({ a: { x: 1 }, b: { y: 1 } });
    const before = store.get();
    updateSlice(store, 'a', (a) => ({ x: a.x + 1 }));
    expect(store.get().a).toEqual({ x: 2 });
    expect(store.get().b).toBe(before.b);
  });

  it('leaves the state object alone when the slice function returns the same slice', () => {
    const store = createStore({ a: { x: 1 } });
    const before = store.get();
    updateSlice(store, 'a', (a) => a);
    expect(store.get()).toBe(before);
  });
});
