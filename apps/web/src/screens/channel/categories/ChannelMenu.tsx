import type { ChannelCategory } from '@mattermost/types/channel_categories';
import type { Channel } from '@mattermost/types/channels';
import { useState } from 'react';
import { createCategory, moveChannel, toggleFavorite } from '../../../actions/categories';
import { errorMessage } from '../../../api/errors';
import { MenuButton, type MenuEntry } from '../../../components/menu/MenuButton';
import { moveTargets } from '../../../state/channels';
import { CategoryNameDialog } from './CategoryNameDialog';

/** A sidebar channel's "⋯" menu: favourite or not, move to another category or to a new one. */
export function ChannelMenu({
  teamId,
  channel,
  label,
  categories,
  onError,
}: {
  teamId: string;
  channel: Channel;
  label: string;
  categories: ChannelCategory[];
  onError(message: string): void;
}) {
  const [naming, setNaming] = useState(false);
  const fail = (err: unknown) => onError(errorMessage(err));
  const current = categories.find((c) => c.channel_ids.includes(channel.id));
  const favorite = current?.type === 'favorites';
  const entries: MenuEntry[] = [
    { key: 'favorite', label: favorite ? 'Remove from Favorites' : 'Add to Favorites', onSelect: () => void toggleFavorite(teamId, channel).catch(fail) },
    { key: 'sep', separator: true },
    { key: 'move', heading: 'Move to' },
    ...moveTargets(categories, channel, current?.id).map((c) => ({
      key: c.id,
      label: c.display_name,
      onSelect: () => void moveChannel(teamId, channel.id, c).catch(fail),
    })),
    { key: 'new', label: 'New category…', onSelect: () => setNaming(true) },
  ];
  return (
    <>
      <MenuButton label={`Channel options: ${label}`} entries={entries} className="sidebar-menu">
        <span aria-hidden="true">⋯</span>
      </MenuButton>
      {naming && (
        <CategoryNameDialog
          title="Create new category"
          action="Create"
          save={(name) => createCategory(teamId, name, channel.id)}
          onClose={() => setNaming(false)}
        />
      )}
    </>
  );
}
