import type { Channel } from '@mattermost/types/channels';
import { useEffect, useMemo, useState } from 'react';
import { archiveChannel, loadChannelMembers, removeChannelMember, searchConsoleChannels } from '../../actions/console-directory';
import { listed } from '../../state/console-directory';
import { useAppState } from '../../state/store';
import { ActionMessages } from './ActionMessages';
import { ArchiveButton } from './ArchiveButton';
import { MembersPanel } from './MembersPanel';
import { SearchBox } from './SearchBox';
import { useAction } from './use-action';
import { ConsoleTable } from './ConsoleTable';

const TYPES: Record<string, string> = { O: 'Public', P: 'Private', D: 'Direct', G: 'Group' };

/** One team's channels at a time: find them, archive them, see and remove their members. */
export function ChannelsPage() {
  const directory = useAppState((s) => s.adminConsole.directory);
  const teams = useMemo(() => Object.values(directory.teams).sort((a, b) => a.display_name.localeCompare(b.display_name)), [directory.teams]);
  const [teamId, setTeamId] = useState('');
  const team = directory.teams[teamId] ?? teams[0];
  const channels = useMemo(
    () => (team ? listed(directory.channelResults[team.id], directory.channels) : undefined),
    [team, directory.channelResults, directory.channels],
  );
  const [open, setOpen] = useState<Channel | undefined>();
  const action = useAction();
  const { run } = action;

  const shownTeamId = team?.id ?? '';
  useEffect(() => {
    if (shownTeamId) void run('load', () => searchConsoleChannels(shownTeamId, ''));
  }, [shownTeamId, run]);

  if (teams.length === 0) return <p>There is no team yet, so no channel.</p>;
  return (
    <>
      <p className="console-intro">Archived channels stay readable to their members but take no new messages.</p>
      <div className="console-toolbar">
        <label htmlFor="channel-team">Team</label>
        <select
          id="channel-team"
          value={team?.id ?? ''}
          onChange={(e) => {
            setTeamId(e.target.value);
            setOpen(undefined);
          }}
        >
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.display_name}
            </option>
          ))}
        </select>
      </div>
      {team && (
        <SearchBox label="Search channels" busy={!!action.busy} onSearch={(term) => void action.run('search', () => searchConsoleChannels(team.id, term))} />
      )}
      <ActionMessages action={action} />
      <ConsoleTable
        label="Channels"
        columns={['Channel', 'URL name', 'Type', 'Status']}
        items={channels}
        empty="No channel found."
        row={(c) => (
          <tr key={c.id} data-channel-id={c.id}>
            <th scope="row">{c.display_name || c.name}</th>
            <td>{c.name}</td>
            <td>{TYPES[c.type] ?? c.type}</td>
            <td>{c.delete_at ? 'Archived' : 'Active'}</td>
            <td>
              <div className="console-actions">
                <button type="button" className="console-button" aria-label={`Members of ${c.display_name || c.name}`} onClick={() => setOpen(c)}>
                  Members
                </button>
                {!c.delete_at && (
                  <ArchiveButton
                    name={c.display_name || c.name}
                    disabled={!!action.busy}
                    onArchive={() => void action.run(`archive-${c.id}`, () => archiveChannel(c), `${c.display_name || c.name} archived.`)}
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
          title={`Members of ${open.display_name || open.name}`}
          load={() => loadChannelMembers(open.id)}
          remove={(userId) => removeChannelMember(open.id, userId)}
          onClose={() => setOpen(undefined)}
        />
      )}
    </>
  );
}
