import { useState, type FormEvent } from 'react';
import { signUp } from '../../actions/session';
import { Alert } from '../../components/Alert';
import { CenteredPage } from '../../components/CenteredPage';
import { Field } from '../../components/Field';
import { Link } from '../../components/Link';
import { useTitle } from '../../lib/use-title';
import { canSignUp } from '../../state/config';
import { useAppState } from '../../state/store';

/** Sign-up with email (/signup_user_complete): creates the account, then signs in with it. */
export function SignupScreen() {
  useTitle('Create an account');
  const config = useAppState((s) => s.config.client);
  const [fields, setFields] = useState({ email: '', username: '', password: '' });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (name: keyof typeof fields) => (e: { target: { value: string } }) => setFields({ ...fields, [name]: e.target.value });

  if (!canSignUp(config)) {
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
    const result = await signUp(fields);
    setBusy(false);
    if (result.status === 'error') setError(result.message);
  };

  const minLength = Number(config.PasswordMinimumLength) || 8;
  return (
    <CenteredPage title="Create an account">
      {error && <Alert>{error}</Alert>}
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Email" name="email" type="email" autoComplete="email" autoFocus required value={fields.email} onChange={set('email')} />
        <Field
          label="Username"
          name="username"
          autoComplete="username"
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
