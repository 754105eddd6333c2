import { useState, type FormEvent } from 'react';
import { signUp, type SignUpInvitation } from '../../actions/session';
import { Alert } from '../../components/Alert';
import { CenteredPage } from '../../components/CenteredPage';
import { Field } from '../../components/Field';
import { Link } from '../../components/Link';
import { useTitle } from '../../lib/use-title';
import { canSignUp } from '../../state/config';
import { invitationInfo, isTeamName } from '../../state/mail-links';
import type { Route } from '../../state/route';
import { useAppState } from '../../state/store';

type SignupRoute = Extract<Route, { screen: 'signup' }>;

/**
 * Sign-up with email (/signup_user_complete): creates the account, then signs in with it. An
 * invitation link (`?t=` from a mail, `?id=` a team's link) signs up into its team: a mailed one
 * fills in the invited address, which cannot be changed (the server takes no other). Someone
 * signed in who opens an invitation joins the team instead (the route's loader); this page shows
 * the wait, or why it failed.
 */
export function SignupScreen({ route }: { route: SignupRoute }) {
  const signedIn = useAppState((s) => s.session.status === 'signed-in');
  return signedIn ? <JoinInvitation /> : <SignupForm route={route} />;
}

function SignupForm({ route }: { route: SignupRoute }) {
  const invitation = invitationInfo(route.data);
  const invited = !!(route.token || route.inviteId);
  const title = invitation?.teamDisplayName ? `Join ${invitation.teamDisplayName}` : 'Create an account';
  useTitle(title);
  const config = useAppState((s) => s.config.client);
  const lockedEmail = route.token ? (invitation?.email ?? '') : '';
  const [fields, setFields] = useState({ email: lockedEmail, username: '', password: '' });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (name: keyof typeof fields) => (e: { target: { value: string } }) => setFields({ ...fields, [name]: e.target.value });

  if (!canSignUp(config, invited)) {
    return (
      <CenteredPage title="Create an account">
        <Alert kind="info">This server does not let people create accounts. Ask an administrator for an invitation.</Alert>
        <p className="page-footer">
          <Link to={{ screen: 'login', redirectTo: '', extra: '' }}>Back to log in</Link>
        </p>
      </CenteredPage>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    const teamName = invitation && isTeamName(invitation.teamName) ? invitation.teamName : '';
    const withInvitation: SignUpInvitation | undefined = invited ? { token: route.token, inviteId: route.inviteId, teamName } : undefined;
    const result = await signUp({ ...fields, email: lockedEmail || fields.email }, withInvitation);
    setBusy(false);
    if (result.status === 'error') setError(result.message);
  };

  const minLength = Number(config.PasswordMinimumLength) || 8;
  return (
    <CenteredPage title={title}>
      {invitation?.teamDisplayName && (
        <p className="card-text">
          You were invited to the team <strong>{invitation.teamDisplayName}</strong>. Create your account to join it.
        </p>
      )}
      {error && <Alert>{error}</Alert>}
      <form onSubmit={(e) => void submit(e)}>
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          autoFocus={!lockedEmail}
          required
          readOnly={!!lockedEmail}
          hint={lockedEmail ? 'The address the invitation was sent to.' : undefined}
          value={lockedEmail || fields.email}
          onChange={set('email')}
        />
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          autoFocus={!!lockedEmail}
          hint="3–22 characters: lower-case letters, digits, '.', '-' and '_'."
          required
          value={fields.username}
          onChange={set('username')}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${minLength} characters.`}
          required
          value={fields.password}
          onChange={set('password')}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p className="page-footer">
        Already have an account? <Link to={{ screen: 'login', redirectTo: '', extra: '' }}>Log in</Link>
      </p>
    </CenteredPage>
  );
}

/** A signed-in person's invitation link: joining (actions/invitations.ts), or the server's reason it could not. */
function JoinInvitation() {
  useTitle('Join a team');
  const view = useAppState((s) => s.view);
  return (
    <CenteredPage title="Join a team">
      {view.status === 'failed' ? (
        <>
          <Alert>{view.error}</Alert>
          <p className="page-footer">
            <Link to="/">Back to your teams</Link>
          </p>
        </>
      ) : (
        <p className="card-text" role="status">
          Joining the team…
        </p>
      )}
    </CenteredPage>
  );
}
