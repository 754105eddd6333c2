import { lazy, Suspense } from 'react';
import { useAppState } from '../../state/store';

/** The results panel, loaded with its first search (it is not part of the initial bundle). */
const SearchPanel = lazy(() => import('./SearchPanel'));

/** Where the channel screen shows search results: nothing until a search opens the panel. */
export function SearchPanelSlot() {
  const open = useAppState((s) => s.search.open);
  if (!open) return null;
  return (
    <Suspense fallback={<aside className="search-panel" aria-label="Search results" aria-busy="true" />}>
      <SearchPanel />
    </Suspense>
  );
}
