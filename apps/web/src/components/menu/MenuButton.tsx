import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { moveActive } from '../autocomplete/token';

export type MenuEntry =
  | { key: string; label: ReactNode; onSelect(): void; checked?: boolean; text?: string }
  | { key: string; separator: true }
  | { key: string; heading: ReactNode };

type Item = Extract<MenuEntry, { onSelect(): void }>;
const isItem = (e: MenuEntry): e is Item => 'onSelect' in e;

/**
 * A button that opens a menu (the ARIA menu button pattern): focus moves into the menu, arrows
 * move through its items (Home/End to the ends), Enter or Space chooses, Escape closes and
 * returns focus to the button; a click elsewhere closes it. Items with `checked` are radio items.
 */
export function MenuButton({ label, children, entries, className = '' }: { label: string; children: ReactNode; entries: MenuEntry[]; className?: string }) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const id = useId();
  const items = entries.filter(isItem);

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]')[active]?.focus();
  }, [open, active]);

  useEffect(() => {
    if (!open) return;
    const outside = (e: MouseEvent) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [open]);

  const show = () => {
    const checked = items.findIndex((i) => i.checked);
    setActive(checked >= 0 ? checked : 0);
    setOpen(true);
  };
  const close = (focusButton = true) => {
    setOpen(false);
    if (focusButton) button.current?.focus();
  };
  const choose = (item: Item) => {
    close();
    item.onSelect();
  };

  const onMenuKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1 };
    if (e.key in moves) setActive((a) => moveActive(a, moves[e.key]!, items.length));
    else if (e.key === 'Home') setActive(0);
    else if (e.key === 'End') setActive(items.length - 1);
    else if (e.key === 'Escape') close();
    else if (e.key === 'Tab') close(false);
    else return;
    if (e.key !== 'Tab') e.preventDefault();
  };

  let index = -1;
  return (
    <div className={`menu-button ${className}`}>
      <button
        ref={button}
        type="button"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => (open ? close() : show())}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            show();
          }
        }}
      >
        {children}
      </button>
      {open && (
        <ul ref={menu} id={id} role="menu" aria-label={label} className="menu" onKeyDown={onMenuKeyDown}>
          {entries.map((entry) => {
            if ('separator' in entry) return <li key={entry.key} role="separator" className="menu-separator" />;
            if ('heading' in entry)
              return (
                <li key={entry.key} role="presentation" className="menu-heading">
                  {entry.heading}
                </li>
              );
            const i = ++index;
            return (
              <li
                key={entry.key}
                role={entry.checked === undefined ? 'menuitem' : 'menuitemradio'}
                aria-checked={entry.checked}
                tabIndex={i === active ? 0 : -1}
                className="menu-item"
                onMouseEnter={() => setActive(i)}
                onClick={() => choose(entry)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    choose(entry);
                  }
                }}
              >
                {entry.label}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
