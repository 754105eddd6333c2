import type { Suggestion } from './suggestion';
import type { Autocomplete } from './use-autocomplete';

/** The id of a row, for aria-activedescendant on the text box. */
export const suggestionId = (listId: string, index: number): string => `${listId}-${index}`;

/**
 * An autocomplete list under (or above) a text box: a listbox whose highlighted row is the text
 * box's aria-activedescendant, so the focus stays in the box while arrows move through the rows.
 * A click (mouse down, before the box loses focus) picks a row.
 */
export function SuggestionList({
  id,
  label,
  items,
  active,
  onHover,
  onPick,
}: {
  id: string;
  label: string;
  items: Suggestion[];
  active: number;
  onHover(index: number): void;
  onPick(index: number): void;
}) {
  return (
    <ul className="suggestion-list" id={id} role="listbox" aria-label={label}>
      {items.map((item, index) => (
        <li
          key={item.key}
          id={suggestionId(id, index)}
          role="option"
          aria-selected={index === active}
          className="suggestion"
          onMouseEnter={() => onHover(index)}
          onMouseDown={(e) => {
            e.preventDefault();
            onPick(index);
          }}
        >
          {item.icon && (
            <span className="suggestion-icon" aria-hidden="true">
              {item.icon}
            </span>
          )}
          {item.imageUrl && <img className="suggestion-icon" src={item.imageUrl} alt="" width={20} height={20} />}
          <span className="suggestion-primary">{item.primary}</span>
          {item.secondary && <span className="suggestion-secondary">{item.secondary}</span>}
        </li>
      ))}
    </ul>
  );
}

/** The text box's side of the pattern: the ARIA attributes that tie it to its open suggestion list. */
export function suggestionBoxProps(listId: string, autocomplete: Pick<Autocomplete, 'open' | 'active'>) {
  return {
    'aria-autocomplete': 'list' as const,
    'aria-controls': autocomplete.open ? listId : undefined,
    'aria-activedescendant': autocomplete.open && autocomplete.active >= 0 ? suggestionId(listId, autocomplete.active) : undefined,
  };
}

/**
 * The open suggestions of a text box driven by useAutocomplete: a pick completes the token, and
 * `apply` puts the new text and caret in the box (and the focus back in it).
 */
export function BoxSuggestions({
  id,
  label,
  autocomplete,
  apply,
}: {
  id: string;
  label: string;
  autocomplete: Autocomplete;
  apply(text: string, caret: number): void;
}) {
  if (!autocomplete.open) return null;
  return (
    <SuggestionList
      id={id}
      label={label}
      items={autocomplete.items}
      active={autocomplete.active}
      onHover={autocomplete.setActive}
      onPick={(index) => {
        const next = autocomplete.pick(index);
        if (next) apply(next.text, next.caret);
      }}
    />
  );
}
