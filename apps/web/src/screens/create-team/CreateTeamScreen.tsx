import { useState, type FormEvent } from 'react';
import { navigate } from '../../actions/navigation';
import { logout } from '../../actions/session';
import { createTeam } from '../../actions/teams';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../components/Alert';
import { CenteredPage } from '../../components/CenteredPage';
import { Field } from '../../components/Field';
import { Link } from '../../components/Link';
import { useAppState } from '../../state/store';
import { useTitle } from '../../lib/use-title';
import { DEFAULT_CHANNEL } from '../../state/route';

/** /create_team: where a person on no team starts (and anyone may make another team). */
export function CreateTeamScreen() {
  useTitle('Create a team');
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const onTeam = useAppState((s) => Object.keys(s.teams.byId).length > 0);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const team = await createTeam(name);
      navigate({ screen: 'channel', team: team.name, channel: DEFAULT_CHANNEL });
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <CenteredPage title="Create a team">
      <p>{onTeam ? 'A new team, with you as its admin.' : 'You are not on a team yet. Create one, join an open one, or ask a team admin to add you.'}</p>
      {error && <Alert>{error}</Alert>}
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Team name" name="displayName" autoFocus required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create team'}
        </button>
      </form>
      <p className="page-footer">
        <Link to={{ screen: 'select_team' }}>Join a team</Link>
        {onTeam && (
          <>
            {' · '}
            <Link to={{ screen: 'root' }}>Back to the app</Link>
          </>
        )}
        {' · '}
        <button type="button" className="link-button" onClick={() => void logout()}>
          Log out
        </button>
      </p>
    </CenteredPage>
  );
}
