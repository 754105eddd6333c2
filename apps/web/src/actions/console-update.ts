/** Writes one part of the System Console's slice (state/console.ts) with that part's pure function. */
import type { ConsoleState } from '../state/console';
import { update } from '../state/store';

export function updateConsole<K extends keyof ConsoleState>(key: K, fn: (part: ConsoleState[K]) => ConsoleState[K]): void {
  update('adminConsole', (s) => {
    const next = fn(s[key]);
    return Object.is(next, s[key]) ? s : { ...s, [key]: next };
  });
}
