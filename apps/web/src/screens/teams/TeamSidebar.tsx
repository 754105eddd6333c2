import type { Team } from '@mattermost/types/teams';
import { useEffect, useMemo } from 'react';
import { navigate } from '../../actions/navigation';
import { loadTeamUnreads } from '../../actions/teams';
import { Link } from '../../components/Link';
import { useAppState } from '../../state/store';
import { sortedTeams, teamInitials } from '../../state/teams';

/**
 * The team switcher, left of the channels (as in Mattermost, shown to people on more than one
 * team): a tile per team — its icon or initials — leading to the team, with a dot for unread
 * messages and the count of mentions for the teams not on screen. Ctrl+Alt+↑/↓ moves between them.
 */
export function TeamSidebar({ current }: { current: Team }) {
  const teams = useAppState((s) => s.teams);
  const list = useMemo(() => sortedTeams(teams), [teams]);
  const many = list.length > 1;

  // The badges were counted when last read: read again on arriving in a team.
  useEffect(() => {
    if (many) loadTeamUnreads().catch(() => undefined);
  }, [many, current.id]);

  // Ctrl+Alt+↑/↓: the previous or next team, round the list.
  useEffect(() => {
    if (!many) return;
    const onKey = (e: KeyboardEvent) => {
      if (!e.ctrlKey || !e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
      e.preventDefault();
      const at = list.findIndex((t) => t.id === current.id);
      const next = list[(at + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length];
      if (next) navigate({ screen: 'team', team: next.name });
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [many, list, current.id]);

  if (!many) return null;
  return (
    <nav className="team-sidebar" aria-label="Teams">
      <ul>
        {list.map((team) => {
          const badge = team.id === current.id ? undefined : teams.unreads[team.id];
          return (
            <li key={team.id}>
              <Link
                to={{ screen: 'team', team: team.name }}
                className="team-tile"
                aria-current={team.id === current.id ? 'page' : undefined}
                title={team.display_name}
              >
                <TeamIcon team={team} />
                <span className="visually-hidden">
                  {team.display_name}
                  {badge?.unread && ', unread'}
                  {badge && badge.mentions > 0 && `, ${badge.mentions} ${badge.mentions === 1 ? 'mention' : 'mentions'}`}
                </span>
                {badge?.unread && !badge.mentions && <span className="team-unread-dot" aria-hidden="true" />}
                {badge && badge.mentions > 0 && (
                  <span className="mention-badge team-mention-badge" aria-hidden="true">
                    {badge.mentions}
                  </span>
                )}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/** The team's icon (GET /teams/{id}/image, versioned by its last update) or its initials. */
function TeamIcon({ team }: { team: Team }) {
  if (team.last_team_icon_update) return <img className="team-icon" src={`/api/v4/teams/${team.id}/image?_=${team.last_team_icon_update}`} alt="" />;
  return (
    <span className="team-icon team-initials" aria-hidden="true">
      {teamInitials(team)}
    </span>
  );
}
