import type { Team } from '@mattermost/types/teams';
import { useMemo, useState } from 'react';
import { archiveTeam, loadTeamMembers, removeTeamMember, searchConsoleTeams } from '../../actions/console-directory';
import { listed } from '../../state/console-directory';
import { useAppState } from '../../state/store';
import { ActionMessages } from './ActionMessages';
import { ArchiveButton } from './ArchiveButton';
import { MembersPanel } from './MembersPanel';
import { SearchBox } from './SearchBox';
import { useAction } from './use-action';
import { ConsoleTable } from './ConsoleTable';

/** Teams: find them, archive them, see and remove their members. */
export function TeamsPage() {
  const directory = useAppState((s) => s.adminConsole.directory);
  const teams = useMemo(() => listed(directory.teamResults, directory.teams), [directory.teamResults, directory.teams]);
  const [open, setOpen] = useState<Team | undefined>();
  const action = useAction();

  return (
    <>
      <p className="console-intro">Archived teams keep their channels and messages but nobody can use them.</p>
      <SearchBox label="Search teams" busy={!!action.busy} onSearch={(term) => void action.run('search', () => searchConsoleTeams(term))} />
      <ActionMessages action={action} />
      <ConsoleTable
        label="Teams"
        columns={['Team', 'URL name', 'Type', 'Status']}
        items={teams}
        empty="No team found."
        row={(t) => (
          <tr key={t.id} data-team-id={t.id}>
            <th scope="row">{t.display_name}</th>
            <td>{t.name}</td>
            <td>{t.type === 'O' ? 'Open' : 'Invite only'}</td>
            <td>{t.delete_at ? 'Archived' : 'Active'}</td>
            <td>
              <div className="console-actions">
                <button type="button" className="console-button" aria-label={`Members of ${t.display_name}`} onClick={() => setOpen(t)}>
                  Members
                </button>
                {!t.delete_at && (
                  <ArchiveButton
                    name={t.display_name}
                    disabled={!!action.busy}
                    onArchive={() => void action.run(`archive-${t.id}`, () => archiveTeam(t), `${t.display_name} archived.`)}
                  />
                )}
              </div>
            </td>
          </tr>
        )}
      />
      {open && (
        <MembersPanel
          ownerId={open.id}
          title={`Members of ${open.display_name}`}
          load={() => loadTeamMembers(open.id)}
          remove={(userId) => removeTeamMember(open.id, userId)}
          onClose={() => setOpen(undefined)}
        />
      )}
    </>
  );
}
