import { useState } from 'react';
import { createCategory } from '../../../actions/categories';
import { CategoryNameDialog } from './CategoryNameDialog';

/** "New category" at the foot of the sidebar: a custom category of one's own, empty to begin with. */
export function NewCategoryButton({ teamId }: { teamId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="link-button sidebar-new-category" onClick={() => setOpen(true)}>
        + New category
      </button>
      {open && <CategoryNameDialog title="Create new category" action="Create" save={(name) => createCategory(teamId, name)} onClose={() => setOpen(false)} />}
    </>
  );
}
