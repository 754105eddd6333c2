import type { Team } from '@mattermost/types/teams';
import { useEffect, useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { closeSearch, search } from '../../actions/search';
import { useAppState } from '../../state/store';

/**
 * The search box of a team (in the channel header). The terms go to the server as typed, so
 * Mattermost's syntax works: from:, in:, before:/after:/on:, "phrases", -exclusions. Results open
 * in the right-hand panel; Escape in the box closes it.
 */
export function SearchBox({ team }: { team: Team }) {
  const searched = useAppState((s) => s.search.terms);
  const [terms, setTerms] = useState(searched);
  const hintId = useId();
  useEffect(() => setTerms(searched), [searched]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void search(team.id, terms);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Escape') closeSearch();
  };

  return (
    <form role="search" className="search-box" onSubmit={submit}>
      <input
        type="search"
        aria-label="Search messages and files"
        aria-describedby={hintId}
        placeholder="Search"
        value={terms}
        onChange={(e) => setTerms(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <span id={hintId} className="visually-hidden">
        Enter to search. Use from:username, in:channel, before:, after: or on: a date (YYYY-MM-DD), "exact phrases" and -excluded words.
      </span>
    </form>
  );
}
