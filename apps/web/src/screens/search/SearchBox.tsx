import type { Team } from '@mattermost/types/teams';
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { autocompleteChannels, autocompleteUsers } from '../../actions/autocomplete';
import { closeSearch, search } from '../../actions/search';
import { channelRows, searchRows, userRows } from '../../components/autocomplete/rows';
import { BoxSuggestions, suggestionBoxProps } from '../../components/autocomplete/SuggestionList';
import { searchCompletionAt, type Completion } from '../../components/autocomplete/token';
import { useAutocomplete } from '../../components/autocomplete/use-autocomplete';
import { useAppState } from '../../state/store';

/**
 * The search box of a team (in the channel header). The terms go to the server as typed, so
 * Mattermost's syntax works: from:, in:, before:/after:/on:, "phrases", -exclusions; `from:` and
 * `in:` complete people and channels as in the message box. Results open in the right-hand
 * panel; Escape in the box closes it.
 */
export function SearchBox({ team }: { team: Team }) {
  const searched = useAppState((s) => s.search.terms);
  const [terms, setTerms] = useState(searched);
  const [caret, setCaret] = useState(searched.length);
  const input = useRef<HTMLInputElement>(null);
  const pendingCaret = useRef<number | undefined>(undefined);
  const id = useId();
  useEffect(() => setTerms(searched), [searched]);

  const provider = useMemo(
    () => async (c: Completion) => {
      const typed = terms.slice(c.start, c.end);
      if (c.kind === 'user') {
        const { members, others } = await autocompleteUsers(team.id, '', c.term);
        return searchRows(userRows(members, others, c.term), typed);
      }
      return searchRows(channelRows(await autocompleteChannels(team.id, c.term)), typed);
    },
    [team.id, terms],
  );
  const change = (text: string, at: number) => {
    setTerms(text);
    setCaret(at);
  };
  const autocomplete = useAutocomplete(
    terms,
    caret,
    provider,
    (text, at) => {
      pendingCaret.current = at;
      change(text, at);
    },
    searchCompletionAt,
  );
  useLayoutEffect(() => {
    if (pendingCaret.current === undefined) return;
    input.current?.setSelectionRange(pendingCaret.current, pendingCaret.current);
    pendingCaret.current = undefined;
  }, [terms]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void search(team.id, terms);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (autocomplete.onKeyDown(e)) return;
    if (e.key === 'Escape') closeSearch();
  };
  const readCaret = () => setCaret(input.current?.selectionStart ?? 0);

  return (
    <form role="search" className="search-box" onSubmit={submit}>
      <input
        ref={input}
        type="search"
        aria-label="Search messages and files"
        aria-describedby={`${id}-hint`}
        {...suggestionBoxProps(id, autocomplete)}
        placeholder="Search"
        autoComplete="off"
        value={terms}
        onChange={(e) => change(e.target.value, e.target.selectionStart ?? e.target.value.length)}
        onKeyDown={onKeyDown}
        onKeyUp={(e) => {
          if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'Home' || e.key === 'End') readCaret();
        }}
        onClick={readCaret}
      />
      <BoxSuggestions
        id={id}
        label="Search suggestions"
        autocomplete={autocomplete}
        apply={(text, caret) => {
          pendingCaret.current = caret;
          change(text, caret);
          input.current?.focus();
        }}
      />
      <span id={`${id}-hint`} className="visually-hidden">
        Enter to search. Use from:username, in:channel, before:, after: or on: a date (YYYY-MM-DD), "exact phrases" and -excluded words.
      </span>
    </form>
  );
}
