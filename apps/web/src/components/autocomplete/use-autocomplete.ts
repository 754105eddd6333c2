import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Suggestion } from './suggestion';
import { applyCompletion, completionAt, moveActive, type Completion } from './token';

/** Fetches the rows for what is being completed (actions do the calls; see screens/channel/composer). */
export type SuggestionProvider = (completion: Completion) => Promise<Suggestion[]>;

/** How long typing must pause before the server is asked (local lists answer at once anyway). */
const DEBOUNCE_MS = 120;

export interface Autocomplete {
  /** Whether the list shows (something to complete, rows for it, not dismissed). */
  open: boolean;
  items: Suggestion[];
  active: number;
  setActive(index: number): void;
  /** Handles the list's keys (arrows, Enter/Tab to pick, Escape); true when it took the key. */
  onKeyDown(e: KeyboardEvent<HTMLElement>): boolean;
  /** The text and caret after picking row `index`. */
  pick(index: number): { text: string; caret: number } | undefined;
}

/**
 * The autocomplete of a text box: what is completed at the caret (`find`: the message box's
 * triggers by default), its rows (fetched after a short pause, stale answers dropped), the
 * highlighted row and the keys that move it. `apply` receives the new text and caret when a row
 * is picked.
 */
export function useAutocomplete(
  text: string,
  caret: number,
  provider: SuggestionProvider,
  apply: (text: string, caret: number) => void,
  find: (text: string, caret: number) => Completion | undefined = completionAt,
): Autocomplete {
  const completion = useMemo(() => find(text, caret), [text, caret, find]);
  const query = completion ? `${completion.kind}:${completion.start}:${completion.term}` : '';
  const [result, setResult] = useState<{ query: string; items: Suggestion[] }>({ query: '', items: [] });
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState('');
  const providerRef = useRef(provider);
  providerRef.current = provider;

  useEffect(() => {
    if (!completion) return;
    let live = true;
    const timer = setTimeout(() => {
      providerRef
        .current(completion)
        .then((items) => {
          if (!live) return;
          setResult({ query, items });
          setActive(0);
        })
        .catch(() => live && setResult({ query, items: [] }));
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // `query` says everything `completion` does: a new completion object for the same query is no change.
  }, [query]);

  const items = useMemo(
    () => currentRows(result, query, completion ? text.slice(completion.start, completion.end) : undefined),
    [result, query, completion, text],
  );
  const open = !!completion && items.length > 0 && dismissed !== query;

  const pick = (index: number) => {
    const item = items[index];
    if (!completion || !item) return undefined;
    return applyCompletion(text, completion, item.replacement);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLElement>): boolean => {
    if (!open || e.nativeEvent.isComposing) return false;
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        e.preventDefault();
        setActive((a) => moveActive(a, e.key === 'ArrowDown' ? 1 : -1, items.length));
        return true;
      case 'Escape':
        e.preventDefault();
        setDismissed(query);
        return true;
      case 'Enter':
      case 'Tab': {
        if (e.shiftKey) return false;
        const next = pick(active);
        // A row that would change nothing (a command's argument hint for what is typed) lets Enter send.
        if (!next || next.text === text) return false;
        e.preventDefault();
        apply(next.text, next.caret);
        return true;
      }
      default:
        return false;
    }
  };

  return { open, items, active, setActive, onKeyDown, pick };
}

/**
 * The rows to show for the current query: the answer to it, or — while it is being fetched — the
 * rows of the earlier answer that still fit what is typed (no flicker, and never a row that Enter
 * would wrongly pick, such as `/shrug it ` once "/shrug it happens" is typed).
 */
export function currentRows(result: { query: string; items: Suggestion[] }, query: string, typed: string | undefined): Suggestion[] {
  if (typed === undefined) return [];
  if (result.query === query) return result.items;
  const t = typed.toLowerCase();
  return result.items.filter((row) => row.replacement.toLowerCase().startsWith(t));
}
