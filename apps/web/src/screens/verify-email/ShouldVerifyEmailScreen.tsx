import { CenteredPage } from '../../components/CenteredPage';
import { Link } from '../../components/Link';
import { useTitle } from '../../lib/use-title';
import { looksLikeEmail } from '../../state/mail-links';
import type { Route } from '../../state/route';
import { ResendVerification } from './ResendVerification';

/**
 * "Check your inbox" (/should_verify_email?email=), as Mattermost shows it after a sign-up or a
 * login while RequireEmailVerification holds the account back: open the mailed link, or have it
 * sent again.
 */
export function ShouldVerifyEmailScreen({ route }: { route: Extract<Route, { screen: 'should_verify_email' }> }) {
  useTitle('Verify your email address');
  return (
    <CenteredPage title="Verify your email address">
      <p className="card-text">
        {looksLikeEmail(route.email) ? (
          <>
            A link to verify your address went to <strong>{route.email}</strong>.
          </>
        ) : (
          <>A link to verify your address went to your mailbox.</>
        )}{' '}
        Open it, then log in. Check your inbox (and spam folder).
      </p>
      <ResendVerification email={route.email} />
      <p className="page-footer">
        <Link to={{ screen: 'login', redirectTo: '', extra: '' }}>Back to log in</Link>
      </p>
    </CenteredPage>
  );
}
