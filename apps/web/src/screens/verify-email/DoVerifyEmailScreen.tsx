import { Alert } from '../../components/Alert';
import { CenteredPage } from '../../components/CenteredPage';
import { Link } from '../../components/Link';
import { useTitle } from '../../lib/use-title';
import type { Route } from '../../state/route';
import { useAppState } from '../../state/store';
import { ResendVerification } from './ResendVerification';

/**
 * A mailed verification link (/do_verify_email?token=&email=). The route's loader uses it at once
 * and moves on (actions/mail-links.ts verifyEmail); this page shows the wait, or the server's answer
 * for a link it cannot use (expired, used, replaced by a newer one) with a button for a new link.
 */
export function DoVerifyEmailScreen({ route }: { route: Extract<Route, { screen: 'do_verify_email' }> }) {
  useTitle('Verify your email address');
  const view = useAppState((s) => s.view);
  if (view.status !== 'failed') {
    return (
      <CenteredPage title="Verifying your email address">
        <p className="card-text" role="status">
          Verifying…
        </p>
      </CenteredPage>
    );
  }
  return (
    <CenteredPage title="This link cannot be used">
      <Alert>{view.error}</Alert>
      <p className="card-text">Links work once and for 24 hours, and a newer link replaces older ones. Have a new one sent:</p>
      <ResendVerification email={route.email} />
      <p className="page-footer">
        <Link to={{ screen: 'login', redirectTo: '', extra: '' }}>Back to log in</Link>
      </p>
    </CenteredPage>
  );
}
