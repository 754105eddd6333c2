import { CenteredPage } from '../../components/CenteredPage';
import { Alert } from '../../components/Alert';
import { Link } from '../../components/Link';
import { useTitle } from '../../lib/use-title';
import type { Route } from '../../state/route';

/** The error page the server sends browsers to (/error?type=sso&message=…), e.g. after a failed SSO sign-in. */
export function ErrorScreen({ route }: { route: Extract<Route, { screen: 'error' }> }) {
  useTitle('Error');
  const title = route.type === 'sso' ? 'Sign-in failed' : 'Something went wrong';
  return (
    <CenteredPage title={title}>
      <Alert>{route.message || 'An error occurred.'}</Alert>
      <p className="page-footer">
        <Link to={{ screen: 'root' }}>Back to the app</Link>
      </p>
    </CenteredPage>
  );
}
