import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { GROUP_MAX_OTHERS, openConversation, searchPeople } from '../../actions/direct';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../components/Alert';
import { SuggestionList, suggestionId } from '../../components/autocomplete/SuggestionList';
import { fullName } from '../../components/autocomplete/rows';
import { moveActive } from '../../components/autocomplete/token';
import { ModalDialog } from '../../components/dialog/ModalDialog';

/** How long typing must pause before the people search runs. */
const SEARCH_DELAY_MS = 200;

/**
 * "Direct messages": find people by name, choose one (a DM) or several (a group message, up to
 * seven others), Go. The search box drives the result list with the arrows; Enter adds the
 * highlighted person, or — with the box empty — opens the conversation; Backspace in the empty box
 * takes the last person off.
 */
export function DirectMessageDialog({ team, onClose }: { team: Team; onClose(): void }) {
  const [term, setTerm] = useState('');
  const [found, setFound] = useState<UserProfile[]>([]);
  const [chosen, setChosen] = useState<UserProfile[]>([]);
  const [active, setActive] = useState(0);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const listId = useId();

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      searchPeople(term)
        .then((users) => {
          if (!live) return;
          setFound(users);
          setActive(0);
        })
        .catch((err: unknown) => live && setError(errorMessage(err)));
    }, SEARCH_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [term]);

  const rows = useMemo(() => found.filter((u) => !chosen.some((c) => c.id === u.id)), [found, chosen]);
  const items = useMemo(
    () => rows.map((u) => ({ key: u.id, replacement: u.username, primary: `@${u.username}`, secondary: fullName(u) || undefined })),
    [rows],
  );
  // The highlighted row stays within the list as people are chosen out of it.
  const current = items.length > 0 ? Math.min(Math.max(active, 0), items.length - 1) : -1;

  const choose = (index: number) => {
    const user = rows[index];
    if (!user) return;
    if (chosen.length >= GROUP_MAX_OTHERS) {
      setError(`A group message can have at most ${GROUP_MAX_OTHERS} other people.`);
      return;
    }
    setChosen([...chosen, user]);
    setTerm('');
    setError('');
  };

  const go = async () => {
    if (chosen.length === 0 || busy) return;
    setBusy(true);
    try {
      await openConversation(team, chosen);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive(moveActive(current, e.key === 'ArrowDown' ? 1 : -1, items.length));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (term && current >= 0) choose(current);
      else void go();
    } else if (e.key === 'Backspace' && term === '' && chosen.length > 0) {
      setChosen(chosen.slice(0, -1));
    }
  };

  return (
    <ModalDialog title="Direct messages" onClose={onClose} className="direct-dialog">
      {error && <Alert>{error}</Alert>}
      <div className="direct-chosen" aria-live="polite">
        {chosen.map((u) => (
          <button key={u.id} type="button" className="chip" aria-label={`Remove ${u.username}`} onClick={() => setChosen(chosen.filter((c) => c.id !== u.id))}>
            @{u.username} <span aria-hidden="true">×</span>
          </button>
        ))}
      </div>
      <div className="field">
        <label htmlFor={`${listId}-input`}>Find people</label>
        <input
          id={`${listId}-input`}
          data-autofocus
          autoComplete="off"
          value={term}
          placeholder="Search by username or name"
          aria-autocomplete="list"
          aria-controls={listId}
          aria-activedescendant={current >= 0 ? suggestionId(listId, current) : undefined}
          onChange={(e) => setTerm(e.target.value)}
          onKeyDown={onKeyDown}
        />
      </div>
      <SuggestionList id={listId} label="People" items={items} active={current} onHover={setActive} onPick={choose} />
      {items.length === 0 && <p className="splash-text">No one found.</p>}
      <div className="modal-actions">
        <span className="field-hint">{chosen.length > 1 ? 'A group message with these people.' : 'Choose one person, or up to seven for a group.'}</span>
        <button type="button" className="primary" disabled={chosen.length === 0 || busy} onClick={() => void go()}>
          Go
        </button>
      </div>
    </ModalDialog>
  );
}
