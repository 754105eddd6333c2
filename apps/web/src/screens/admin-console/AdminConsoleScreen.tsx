import { CenteredPage } from '../../components/CenteredPage';
import { Link } from '../../components/Link';
import { useTitle } from '../../lib/use-title';

/** /admin_console/*: the System Console is not part of the web client yet; its route is kept for it. */
export function AdminConsoleScreen() {
  useTitle('System Console');
  return (
    <CenteredPage title="System Console">
      <p>The System Console is not part of this web client yet. The server's settings can be changed through the API (PUT /api/v4/config).</p>
      <p className="page-footer">
        <Link to={{ screen: 'root' }}>Back to the app</Link>
      </p>
    </CenteredPage>
  );
}
