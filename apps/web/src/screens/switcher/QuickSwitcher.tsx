import type { Team } from '@mattermost/types/teams';
import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { navigate } from '../../actions/navigation';
import { SuggestionList, suggestionId } from '../../components/autocomplete/SuggestionList';
import { moveActive } from '../../components/autocomplete/token';
import { ModalDialog } from '../../components/dialog/ModalDialog';
import { sidebarSections, type SidebarItem } from '../../state/channels';
import { currentUserId } from '../../state/session';
import { useAppState } from '../../state/store';
import { switcherMatches } from './match';

/** Ctrl+K (Cmd+K on a Mac) anywhere in the team view opens the switcher, as in Mattermost. */
export function useQuickSwitcher(): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key.toLowerCase() !== 'k' || !(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      e.preventDefault();
      setOpen(true);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return [open, setOpen];
}

/** "Switch channels": type part of a channel's or person's name, arrows to choose, Enter to go there. */
export function QuickSwitcher({ team, onClose }: { team: Team; onClose(): void }) {
  const channels = useAppState((s) => s.channels);
  const profiles = useAppState((s) => s.users.profiles);
  const me = useAppState((s) => currentUserId(s.session));
  const [term, setTerm] = useState('');
  const [active, setActive] = useState(0);
  const id = useId();
  const all = useMemo(() => sidebarSections(channels, team.id, team.name, me, profiles).flatMap((s) => s.items), [channels, team.id, team.name, me, profiles]);
  const found = useMemo(() => switcherMatches(all, term), [all, term]);
  const current = found.length > 0 ? Math.min(Math.max(active, 0), found.length - 1) : -1;
  const items = useMemo(
    () => found.map((i) => ({ key: i.id, replacement: i.label, primary: i.label, icon: i.type === 'O' ? '#' : i.type === 'P' ? '🔒' : '@' })),
    [found],
  );

  const go = (item: SidebarItem | undefined) => {
    if (!item) return;
    onClose();
    navigate(item.route);
    // The person switched to write: the message box gets the focus once the channel shows.
    focusComposerSoon(item.label);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive(moveActive(current, e.key === 'ArrowDown' ? 1 : -1, items.length));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      go(found[current]);
    }
  };

  return (
    <ModalDialog title="Switch channels" onClose={onClose} className="switcher-dialog">
      <div className="field">
        <label htmlFor={`${id}-input`}>Find a channel or person</label>
        <input
          id={`${id}-input`}
          data-autofocus
          autoComplete="off"
          value={term}
          aria-autocomplete="list"
          aria-controls={id}
          aria-activedescendant={current >= 0 ? suggestionId(id, current) : undefined}
          onChange={(e) => {
            setTerm(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
      </div>
      <SuggestionList id={id} label="Channels" items={items} active={current} onHover={setActive} onPick={(i) => go(found[i])} />
      {items.length === 0 && <p className="splash-text">No channel or person by that name in your sidebar.</p>}
    </ModalDialog>
  );
}

/** Focuses the message box of the channel named `label` once it is on screen (it mounts with the channel). */
function focusComposerSoon(label: string, tries = 40): void {
  const box = document.querySelector<HTMLTextAreaElement>(`.composer textarea[aria-label="Write to ${CSS.escape(label)}"]`);
  if (box) box.focus();
  else if (tries > 0) setTimeout(() => focusComposerSoon(label, tries - 1), 50);
}
