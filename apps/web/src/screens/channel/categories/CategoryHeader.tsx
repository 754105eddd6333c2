import type { ChannelCategory } from '@mattermost/types/channel_categories';
import { useState } from 'react';
import { deleteCategory, renameCategory, toggleCollapsed } from '../../../actions/categories';
import { errorMessage } from '../../../api/errors';
import { MenuButton, type MenuEntry } from '../../../components/menu/MenuButton';
import { CategoryNameDialog } from './CategoryNameDialog';

/**
 * A sidebar category's heading: a button that folds the category away or opens it (its state in
 * aria-expanded), and for a custom category a menu to rename or delete it. Deleting asks first, as
 * Mattermost does, and says where the channels go.
 */
export function CategoryHeader({
  teamId,
  category,
  headingId,
  onError,
}: {
  teamId: string;
  category: ChannelCategory;
  headingId: string;
  onError(message: string): void;
}) {
  const [renaming, setRenaming] = useState(false);
  const fail = (err: unknown) => onError(errorMessage(err));
  const entries: MenuEntry[] = [
    { key: 'rename', label: 'Rename category', onSelect: () => setRenaming(true) },
    {
      key: 'delete',
      label: 'Delete category',
      onSelect: () => {
        if (window.confirm(`Delete the category "${category.display_name}"? Its channels move back to Channels and Direct Messages.`))
          void deleteCategory(teamId, category).catch(fail);
      },
    },
  ];
  return (
    <div className="category-header">
      <h2 id={headingId}>
        <button
          type="button"
          className="category-toggle"
          aria-expanded={!category.collapsed}
          onClick={() => void toggleCollapsed(teamId, category).catch(fail)}
        >
          <span aria-hidden="true" className="category-chevron">
            {category.collapsed ? '▸' : '▾'}
          </span>
          {category.display_name}
        </button>
      </h2>
      {category.type === 'custom' && (
        <MenuButton label={`Category options: ${category.display_name}`} entries={entries} className="sidebar-menu">
          <span aria-hidden="true">⋯</span>
        </MenuButton>
      )}
      {renaming && (
        <CategoryNameDialog
          title="Rename category"
          action="Rename"
          initial={category.display_name}
          save={(name) => renameCategory(teamId, category, name)}
          onClose={() => setRenaming(false)}
        />
      )}
    </div>
  );
}
