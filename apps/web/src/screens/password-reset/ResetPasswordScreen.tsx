import { useState, type FormEvent } from 'react';
import { sendPasswordReset } from '../../actions/mail-links';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../components/Alert';
import { CenteredPage } from '../../components/CenteredPage';
import { Field } from '../../components/Field';
import { Link } from '../../components/Link';
import { useTitle } from '../../lib/use-title';

/**
 * "Forgot your password?" (/reset_password): the account's address, to which the server mails a
 * reset link. The page says the same whether or not an account uses the address (the server does
 * not tell); only what the server refuses outright shows as an error (a sign-in service's account,
 * a mail server that would not take the mail).
 */
export function ResetPasswordScreen() {
  useTitle('Reset your password');
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await sendPasswordReset(email);
      setSentTo(email.trim());
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  };

  return (
    <CenteredPage title="Reset your password">
      {sentTo ? (
        <Alert kind="info">
          If an account uses <strong>{sentTo}</strong>, a mail with a link to choose a new password is on its way. Check your inbox.
        </Alert>
      ) : (
        <>
          {error && <Alert>{error}</Alert>}
          <p className="card-text">Enter the email address of your account: you will get a link to choose a new password.</p>
          <form onSubmit={(e) => void submit(e)}>
            <Field label="Email" name="email" type="email" autoComplete="email" autoFocus required value={email} onChange={(e) => setEmail(e.target.value)} />
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Sending…' : 'Send the link'}
            </button>
          </form>
        </>
      )}
      <p className="page-footer">
        <Link to={{ screen: 'login', redirectTo: '', extra: '' }}>Back to log in</Link>
      </p>
    </CenteredPage>
  );
}
