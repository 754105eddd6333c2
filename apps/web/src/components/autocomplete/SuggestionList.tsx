import type { Suggestion } from './suggestion';

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
