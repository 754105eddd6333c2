import type { Team } from '@mattermost/types/teams';
import { useEffect, useState } from 'react';
import { navigate } from '../../actions/navigation';
import { joinTeam, loadJoinableTeams } from '../../actions/teams';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../components/Alert';
import { CenteredPage } from '../../components/CenteredPage';
import { Link } from '../../components/Link';
import { useTitle } from '../../lib/use-title';
import { DEFAULT_CHANNEL } from '../../state/route';

/** /select_team: the teams one may join (open ones; every team for a system admin), one click each. */
export function SelectTeamScreen() {
  useTitle('Join a team');
  const [teams, setTeams] = useState<Team[] | undefined>();
  const [error, setError] = useState('');
  const [joining, setJoining] = useState('');

  useEffect(() => {
    let live = true;
    loadJoinableTeams()
      .then((list) => live && setTeams(list))
      .catch((err: unknown) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, []);

  const join = (team: Team) => {
    setJoining(team.id);
    setError('');
    joinTeam(team)
      .then(() => navigate({ screen: 'channel', team: team.name, channel: DEFAULT_CHANNEL }))
      .catch((err: unknown) => {
        setError(errorMessage(err));
        setJoining('');
      });
  };

  return (
    <CenteredPage title="Join a team">
      {error && <Alert>{error}</Alert>}
      {teams === undefined && !error && <p role="status">Loading the teams…</p>}
      {teams?.length === 0 && <p>There are no other teams you can join.</p>}
      {teams && teams.length > 0 && (
        <ul className="team-choices">
          {teams.map((team) => (
            <li key={team.id}>
              <span className="team-choice-name">{team.display_name}</span>
              {team.description && <span className="team-choice-description">{team.description}</span>}
              <button type="button" className="primary" disabled={joining !== ''} aria-label={`Join ${team.display_name}`} onClick={() => join(team)}>
                {joining === team.id ? 'Joining…' : 'Join'}
              </button>
            </li>
          ))}
        </ul>
      )}
      <p className="page-footer">
        <Link to={{ screen: 'create_team' }}>Create a team</Link> · <Link to={{ screen: 'root' }}>Back to the app</Link>
      </p>
    </CenteredPage>
  );
}
