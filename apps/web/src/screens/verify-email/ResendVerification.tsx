import { useState, type FormEvent } from 'react';
import { resendVerification } from '../../actions/mail-links';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../components/Alert';
import { Field } from '../../components/Field';
import { looksLikeEmail } from '../../state/mail-links';

/**
 * "Send the link again" (POST /users/email/verify/send). The address comes from the page's URL;
 * when that is no address (a login by username), the person types it.
 */
export function ResendVerification({ email }: { email: string }) {
  const known = looksLikeEmail(email);
  const [typed, setTyped] = useState('');
  const [sentTo, setSentTo] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const address = known ? email : typed;

  const send = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setSentTo('');
    try {
      await resendVerification(address);
      setSentTo(address.trim());
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  };

  return (
    <form className="resend-verification" onSubmit={(e) => void send(e)}>
      {!known && <Field label="Email" name="email" type="email" autoComplete="email" required value={typed} onChange={(e) => setTyped(e.target.value)} />}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Sending…' : 'Send the link again'}
      </button>
      {sentTo && (
        <Alert kind="info">
          A new link is on its way to <strong>{sentTo}</strong>.
        </Alert>
      )}
      {error && <Alert>{error}</Alert>}
    </form>
  );
}
