import { CenteredPage } from '../../components/CenteredPage';
import { Link } from '../../components/Link';
import { useTitle } from '../../lib/use-title';

/** A URL the app does not know, or a place it cannot open (with the reason). */
export function NotFoundScreen({ message = 'There is nothing at this address.' }: { message?: string }) {
  useTitle('Not found');
  return (
    <CenteredPage title="Page not found">
      <p>{message}</p>
      <p className="page-footer">
        <Link to={{ screen: 'root' }}>Back to the app</Link>
      </p>
    </CenteredPage>
  );
}
