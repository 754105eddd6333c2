import type { ReactNode } from 'react';

/**
 * A console list as every page shows one: "Loading…" until the items are there, a sentence when
 * there are none, else a labelled table whose header names the columns (the last, the row's
 * buttons, is named for screen readers only). Rows are the page's own.
 */
export function ConsoleTable<T>({
  label,
  columns,
  items,
  empty,
  row,
}: {
  label: string;
  columns: string[];
  items: T[] | undefined;
  empty: string;
  row: (item: T) => ReactNode;
}) {
  if (items === undefined) return <p className="splash-text">Loading…</p>;
  if (items.length === 0) return <p>{empty}</p>;
  return (
    <div className="console-table-wrap">
      <table className="console-table" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>{items.map(row)}</tbody>
      </table>
    </div>
  );
}
