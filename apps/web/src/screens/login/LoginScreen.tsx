import { useState, type FormEvent } from 'react';
import { login } from '../../actions/session';
import { Alert } from '../../components/Alert';
import { Field } from '../../components/Field';
import { CenteredPage } from '../../components/CenteredPage';
import { Link } from '../../components/Link';
import { useTitle } from '../../lib/use-title';
import { enabled, signInOptions } from '../../state/config';
import { loginNotice } from '../../state/mail-links';
import { SIGNUP, type Route } from '../../state/route';
import { useAppState } from '../../state/store';
import { SsoButtons } from './SsoButtons';

type Step = { kind: 'password' } | { kind: 'mfa'; loginId: string; password: string };

/**
 * The login page (/login?redirect_to=…): email or username and password, then the MFA code when
 * the server asks for one, and a button per browser sign-in method the client config announces.
 * "Forgot your password?" leads to the reset form (unless PasswordSettings.EnableForgotLink is
 * off); `extra` says what just happened (a reset password, a verified address, a new sign-in method).
 */
export function LoginScreen({ route }: { route: Extract<Route, { screen: 'login' }> }) {
  useTitle('Log in');
  const config = useAppState((s) => s.config.client);
  const reason = useAppState((s) => (s.session.status === 'signed-out' ? s.session.reason : 'none'));
  const options = signInOptions(config, route.redirectTo);
  const notice = loginNotice(route.extra);
  // Only accounts with a password of this server's can reset it (not a directory's).
  const forgotLink = (enabled(config, 'EnableSignInWithEmail') || enabled(config, 'EnableSignInWithUsername')) && config.PasswordEnableForgotLink !== 'false';
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (loginId: string, password: string, mfaToken = '') => {
    setBusy(true);
    setError('');
    const result = await login(loginId, password, mfaToken);
    setBusy(false);
    if (result.status === 'mfa') setStep({ kind: 'mfa', loginId, password });
    else if (result.status === 'error') setError(result.message);
  };

  return (
    <CenteredPage title={step.kind === 'mfa' ? 'Enter your MFA code' : 'Log in'}>
      {reason === 'expired' && <Alert kind="info">Your session has expired. Please log in again.</Alert>}
      {notice && <Alert kind="info">{notice}</Alert>}
      {error && <Alert>{error}</Alert>}
      {step.kind === 'mfa' ? (
        <MfaForm busy={busy} onSubmit={(code) => void submit(step.loginId, step.password, code)} onBack={() => setStep({ kind: 'password' })} />
      ) : (
        <>
          {options.passwordForm && <PasswordForm label={options.loginIdLabel} busy={busy} onSubmit={(id, password) => void submit(id, password)} />}
          {forgotLink && (
            <p className="forgot-password">
              <Link to={{ screen: 'reset_password' }}>Forgot your password?</Link>
            </p>
          )}
          <SsoButtons buttons={options.sso} />
          {options.signUp && (
            <p className="page-footer">
              No account yet? <Link to={SIGNUP}>Create one</Link>
            </p>
          )}
        </>
      )}
    </CenteredPage>
  );
}

function PasswordForm({ label, busy, onSubmit }: { label: string; busy: boolean; onSubmit: (loginId: string, password: string) => void }) {
  const [loginId, setLoginId] = useState('');
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(loginId, password);
  };
  return (
    <form onSubmit={submit}>
      <Field label={label} name="loginId" autoComplete="username" autoFocus required value={loginId} onChange={(e) => setLoginId(e.target.value)} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}

function MfaForm({ busy, onSubmit, onBack }: { busy: boolean; onSubmit: (code: string) => void; onBack: () => void }) {
  const [code, setCode] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(code);
  };
  return (
    <form onSubmit={submit}>
      <Field
        label="MFA code"
        hint="The 6-digit code from your authenticator app."
        name="mfaToken"
        inputMode="numeric"
        autoComplete="one-time-code"
        autoFocus
        required
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Checking…' : 'Submit'}
      </button>
      <button type="button" className="link-button" onClick={onBack}>
        Back
      </button>
    </form>
  );
}
