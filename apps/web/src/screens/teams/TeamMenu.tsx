import type { Team } from '@mattermost/types/teams';
import { navigate } from '../../actions/navigation';
import { MenuButton, type MenuEntry } from '../../components/menu/MenuButton';
import { isSystemAdmin } from '../../state/console';
import { currentUser } from '../../state/selectors';
import { useAppState } from '../../state/store';

/**
 * The team's name at the top of the sidebar opens the team menu, as Mattermost's main menu does:
 * join another team, create a team, and for system admins the System Console.
 */
export function TeamMenu({ team }: { team: Team }) {
  const admin = useAppState((s) => isSystemAdmin(currentUser(s)));
  const entries: MenuEntry[] = [
    { key: 'join', label: 'Join another team', onSelect: () => navigate({ screen: 'select_team' }) },
    { key: 'create', label: 'Create a team', onSelect: () => navigate({ screen: 'create_team' }) },
    ...(admin
      ? [
          { key: 'sep', separator: true } as const,
          { key: 'console', label: 'System Console', onSelect: () => navigate({ screen: 'admin_console', section: '' }) },
        ]
      : []),
  ];
  return (
    <MenuButton label={`Team menu: ${team.display_name}`} entries={entries} className="team-menu">
      <span aria-hidden="true">{team.display_name} ▾</span>
    </MenuButton>
  );
}
