import type { Team } from '@mattermost/types/teams';
import { lazy, Suspense, useEffect, useState } from 'react';
import { navigate } from '../../actions/navigation';
import { loadTeamPermissions } from '../../actions/permissions';
import { MenuButton, type MenuEntry } from '../../components/menu/MenuButton';
import { isSystemAdmin } from '../../state/console';
import { canInviteToTeam } from '../../state/permissions';
import { currentUser } from '../../state/selectors';
import { useAppState } from '../../state/store';

/** The invitation dialog is loaded when first opened (it is not part of the initial bundle). */
const InviteDialog = lazy(() => import('./InviteDialog'));

/**
 * The team's name at the top of the sidebar opens the team menu, as Mattermost's main menu does:
 * invite people (for those whose roles let them: invite_user and add_user_to_team on the team),
 * join another team, create a team, and for system admins the System Console.
 */
export function TeamMenu({ team }: { team: Team }) {
  const me = useAppState(currentUser);
  const admin = isSystemAdmin(me);
  const canInvite = useAppState((s) => canInviteToTeam(s.permissions, currentUser(s)?.roles ?? '', team.id));
  const [inviting, setInviting] = useState(false);
  useEffect(() => {
    loadTeamPermissions(team.id).catch(() => undefined);
  }, [team.id]);

  const entries: MenuEntry[] = [
    ...(canInvite ? [{ key: 'invite', label: 'Invite people…', onSelect: () => setInviting(true) }, { key: 'sep0', separator: true } as const] : []),
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
    <>
      <MenuButton label={`Team menu: ${team.display_name}`} entries={entries} className="team-menu">
        <span aria-hidden="true">{team.display_name} ▾</span>
      </MenuButton>
      {inviting && (
        <Suspense fallback={null}>
          <InviteDialog team={team} onClose={() => setInviting(false)} />
        </Suspense>
      )}
    </>
  );
}
