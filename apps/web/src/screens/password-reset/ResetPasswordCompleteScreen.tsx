import { useState, type FormEvent } from 'react';
import { resetPassword } from '../../actions/mail-links';
import { errorMessage, isApiError } from '../../api/errors';
import { Alert } from '../../components/Alert';
import { CenteredPage } from '../../components/CenteredPage';
import { Field } from '../../components/Field';
import { Link } from '../../components/Link';
import { useTitle } from '../../lib/use-title';
import { isDeadResetLink, isPasswordPolicyError, newPasswordProblem } from '../../state/mail-links';
import type { Route } from '../../state/route';
import { useAppState } from '../../state/store';

type Problem = { field: 'password' | 'again' | 'page'; message: string; deadLink: boolean };

/**
 * The mailed reset link's page (/reset_password_complete?token=): the new password twice. The
 * server's password policy answers next to the field (the link stays usable: the server puts it
 * back); a used or expired link says so and offers a new one. Done, the login page says so.
 */
export function ResetPasswordCompleteScreen({ route }: { route: Extract<Route, { screen: 'reset_password_complete' }> }) {
  useTitle('Choose a new password');
  const siteName = useAppState((s) => s.config.client.SiteName) || 'mmchat';
  const minLength = Number(useAppState((s) => s.config.client.PasswordMinimumLength)) || 8;
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const mismatch = newPasswordProblem(password, again);
    if (mismatch) {
      setProblem({ field: password ? 'again' : 'password', message: mismatch, deadLink: false });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await resetPassword(route.token, password);
    } catch (err) {
      const id = isApiError(err) ? err.server_error_id : undefined;
      setProblem({ field: isPasswordPolicyError(id) ? 'password' : 'page', message: errorMessage(err), deadLink: isDeadResetLink(id) });
      setBusy(false);
    }
  };

  const newLink = (
    <p className="page-footer">
      <Link to={{ screen: 'reset_password' }}>Ask for a new link</Link>
    </p>
  );
  if (!route.token) {
    return (
      <CenteredPage title="Choose a new password">
        <Alert>This link is incomplete: open the link of the mail again, or ask for a new one.</Alert>
        {newLink}
      </CenteredPage>
    );
  }
  const fieldError = (field: Problem['field']) => (problem?.field === field ? problem.message : undefined);
  return (
    <CenteredPage title="Choose a new password">
      {problem?.field === 'page' && <Alert>{problem.message}</Alert>}
      {problem?.deadLink ? (
        newLink
      ) : (
        <>
          <p className="card-text">Enter a new password for your {siteName} account.</p>
          <form onSubmit={(e) => void submit(e)} noValidate>
            <Field
              label="New password"
              name="password"
              type="password"
              autoComplete="new-password"
              autoFocus
              required
              hint={`At least ${minLength} characters.`}
              error={fieldError('password')}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <Field
              label="New password again"
              name="password-again"
              type="password"
              autoComplete="new-password"
              required
              error={fieldError('again')}
              value={again}
              onChange={(e) => setAgain(e.target.value)}
            />
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Changing…' : 'Change my password'}
            </button>
          </form>
        </>
      )}
    </CenteredPage>
  );
}
